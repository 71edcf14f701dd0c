import { randomBytes } from 'node:crypto';
import type { Page } from 'playwright-core';
import type { Account, Counter } from './seed.js';
import type { Stack } from './stack.js';

/** A factory-fresh 4-byte UID, its first byte kept clear of the values NXP reserves. */
export function blankUid(): Buffer {
  const uid = randomBytes(4);
  uid[0] = 0x40 | ((uid[0] ?? 0) & 0x3f);
  return uid;
}

export const hexOf = (uid: Buffer): string => uid.toString('hex').toUpperCase();

export async function signIn(page: Page, url: string, who: Account): Promise<void> {
  await page.goto(url);
  await page.getByLabel('用户名').fill(who.username);
  await page.getByLabel('密码').fill(who.password);
  await page.getByRole('button', { name: '登录', exact: true }).click();
  await page.getByTestId('who').waitFor();
}

/** The counter PC is told once where its reader agent is, from the sign-in page. */
export async function setUpWorkstation(page: Page, stack: Stack, counter: Counter): Promise<void> {
  await page.goto(`${stack.console.url}/`);
  await page.getByRole('link', { name: '本机设置' }).click();
  await page.getByLabel('柜台编号').fill(counter.counterId);
  await page.getByLabel('读卡代理地址').fill(stack.agent.url);
  await page.getByLabel('读卡代理令牌').fill(stack.agent.token);
  await page.getByLabel('读卡代理编号').fill(stack.services.agentId);
  await page.getByRole('button', { name: '保存' }).click();
  await page.getByText('读卡代理已连接').waitFor();
  await page.getByRole('link', { name: '返回登录' }).click();
}

/** Text of a test id, for comparing figures to the fen. */
export async function textOf(page: Page, testId: string): Promise<string> {
  return (await page.getByTestId(testId).first().textContent()) ?? '';
}
