import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualClassicCard } from '@citycard/core/card';
import { chromiumPresent, CHROMIUM, launch, screenshot, workstation } from './browser.js';
import { blankUid, signIn } from './counter-steps.js';
import { residentId, seedCounter, seedDay, signInHeaders, type Counter } from './seed.js';
import { READER, startStack, type Stack } from './stack.js';
import { ensureWebBuilt } from './web-build.js';

/**
 * The console end to end in headless Chromium, in its default language (zh-CN): a clerk serves a
 * cardholder through the virtual reader, a supervisor watches the drawer, and two finance users
 * clear a day under maker-checker. Screenshots of each screen go to tests/artifacts/console/.
 */
if (!chromiumPresent) {
  console.warn(
    `console end-to-end tests skipped: no Chromium at ${CHROMIUM} (apt-get install chromium)`,
  );
}

/** The calendar day two days ago in Shanghai: its clearing cut-off has passed at any hour. */
function clearedDay(): string {
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
  const [y, m, d] = today.split('-').map(Number);
  return new Date(Date.UTC(y ?? 1970, (m ?? 1) - 1, (d ?? 1) - 2)).toISOString().slice(0, 10);
}

describe.skipIf(!chromiumPresent)('the console in Chromium', () => {
  let stack: Stack;
  let counter: Counter;
  let browser: Browser;
  let url: string;
  const uid = blankUid();
  const day = clearedDay();

  beforeAll(async () => {
    await ensureWebBuilt();
    stack = await startStack();
    counter = await seedCounter(stack.services, uid.toString('hex').toUpperCase());
    await seedDay(stack.db.pool, day);
    url = `${stack.console.url}/`;
    browser = await launch();
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('a clerk opens a drawer, registers a cardholder, issues a card through the reader and tops it up', async () => {
    const { context, page } = await workstation(browser);
    await page.goto(url);
    await page.getByRole('heading', { name: '登录' }).waitFor();
    await screenshot(page, '01-sign-in');

    // The counter PC is told once where its reader agent is.
    await page.getByRole('link', { name: '本机设置' }).click();
    await page.getByLabel('柜台编号').fill(counter.counterId);
    await page.getByLabel('读卡代理地址').fill(stack.agent.url);
    await page.getByLabel('读卡代理令牌').fill(stack.agent.token);
    await page.getByLabel('读卡代理编号').fill(stack.services.agentId);
    await page.getByRole('button', { name: '保存' }).click();
    await page.getByText('读卡代理已连接').waitFor();
    await screenshot(page, '02-workstation');
    await page.getByRole('link', { name: '返回登录' }).click();
    await signIn(page, url, counter.clerk);

    await page.getByLabel('备用金').fill('500');
    await page.getByRole('button', { name: '开启钱箱' }).click();
    await page.getByTestId('receipt').getByText('钱箱已开启').waitFor();
    expect(await page.getByTestId('expected-cash').textContent()).toBe('¥500.00');
    await screenshot(page, '03-drawer');

    await page.getByRole('link', { name: '持卡人' }).click();
    const id = residentId();
    await page.getByLabel('姓名').fill('张三');
    const typo = id.slice(0, 16) + String((Number(id[16]) + 1) % 10) + id.slice(17);
    await page.getByLabel('证件号码').fill(typo);
    await page.getByText('校验码不符').waitFor();
    await page.getByLabel('证件号码').fill(id);
    await page.getByText('号码有效 · 出生 1985-03-07').waitFor();
    await page.getByLabel('电话').fill('13800138000');
    await screenshot(page, '04-cardholder');
    await page.getByRole('button', { name: '登记', exact: true }).click();
    await page.getByTestId('issue-for-new').click();

    stack.hub.reader(READER)?.insert(VirtualClassicCard.blank(uid));
    await page.getByTestId('card-present').waitFor();
    await page.getByRole('button', { name: /^发卡/ }).click();
    await page.getByText('发卡完成，卡片已启用。').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('receipt').textContent()).toContain('¥20.00');
    await screenshot(page, '05-issue');

    await page.getByTestId('go-top-up').click();
    await page.getByTestId('read-card').click();
    await page.getByTestId('card-details').waitFor();
    expect(await page.getByTestId('chip-balance').textContent()).toBe('¥0.00');
    await page.getByLabel('充值金额').fill('100');
    // A load is ordered against the read just made: Enter works once that read has answered.
    await page.locator('form[aria-label="充值"] button[type="submit"]:enabled').waitFor();
    await page.getByLabel('充值金额').press('Enter');
    await page.getByText('充值成功。').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('receipt').textContent()).toContain('¥100.00');
    // The balances refresh once the load has answered: read them as they settle.
    const text = (id: string) => () => page.getByTestId(id).textContent();
    await expect.poll(text('shadow-balance'), { timeout: 10_000 }).toBe('¥100.00');
    // The card was read back after the write: the chip holds what the back office says.
    await expect.poll(text('chip-balance'), { timeout: 10_000 }).toBe('¥100.00');
    await screenshot(page, '06-top-up');
    await context.close();

    // What the clerk saw is what issuance recorded: float + deposit + top-up in the drawer.
    const clerk = await signInHeaders(stack.services.issuance, counter.clerk);
    const drawer = await stack.services.issuance.inject({
      method: 'GET',
      url: '/drawers/current',
      headers: clerk,
    });
    expect(drawer.json()).toMatchObject({ expectedCash: '620.00' });
  }, 180_000);

  it('a supervisor sees the drawer balance; a session ended elsewhere returns to sign-in', async () => {
    const { context, page } = await workstation(browser);
    await signIn(page, url, counter.supervisor);
    await page.getByRole('link', { name: '钱箱长短款' }).click();
    await page.getByTestId('drawers').waitFor();
    expect(await page.getByTestId('drawer-expected').first().textContent()).toBe('¥620.00');
    await screenshot(page, '07-supervisor-drawers');

    const stored = await page.evaluate<string | null>("sessionStorage.getItem('citycard.session')");
    const { token } = JSON.parse(stored ?? '{}') as { token: string };
    await stack.services.issuance.inject({
      method: 'POST',
      url: '/auth/logout',
      headers: { authorization: `Bearer ${token}` },
    });
    await page.getByRole('link', { name: '审计日志' }).click();
    await page.getByText('会话已过期，请重新登录。').waitFor();
    await screenshot(page, '08-session-expired');
    await context.close();
  }, 120_000);

  it('one finance user runs the day and cannot approve it; a second one approves', async () => {
    const maker = await workstation(browser);
    await signIn(maker.page, url, counter.financeMaker);
    await maker.page.goto(`${url}#/finance/runs?day=${day}`);
    await maker.page.getByRole('button', { name: '运行清算' }).click();
    await maker.page.getByTestId('run-lines').waitFor({ timeout: 30_000 });
    expect(await maker.page.getByTestId('run-status').first().textContent()).toBe('已计算');
    const lines = (await maker.page.getByTestId('run-lines').textContent()) ?? '';
    expect(lines).toContain('jiangbei-bus');
    expect(lines).toContain('riverside-mart');
    expect(await maker.page.locator('figure svg rect').count()).toBeGreaterThan(0);
    await screenshot(maker.page, '09-runs');

    await maker.page.getByRole('button', { name: '批准', exact: true }).click();
    const refusal = maker.page.locator('[data-code="SETTLEMENT_SELF_APPROVAL"]');
    await refusal.waitFor();
    expect(await refusal.textContent()).toContain('须由另一位财务人员批准');
    expect(await maker.page.getByTestId('settlement-status').textContent()).toBe('已计算');
    await screenshot(maker.page, '10-self-approval-refused');
    await maker.context.close();

    const checker = await workstation(browser);
    await signIn(checker.page, url, counter.financeChecker);
    await checker.page.goto(`${url}#/finance/runs?day=${day}`);
    await checker.page.getByRole('button', { name: '批准', exact: true }).click();
    await checker.page.getByTestId('settlement-status').getByText('已批准').waitFor();
    await screenshot(checker.page, '11-approved');

    // English is a switch away, and stays chosen.
    await checker.page.getByRole('button', { name: 'English' }).click();
    await checker.page.getByRole('heading', { name: 'Clearing runs' }).waitFor();
    await checker.page.reload();
    await checker.page.getByTestId('settlement-status').getByText('Approved').waitFor();
    await screenshot(checker.page, '12-runs-english');
    await checker.context.close();
  }, 180_000);
});
