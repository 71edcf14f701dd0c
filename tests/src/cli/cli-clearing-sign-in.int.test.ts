import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startIssuanceTestApp,
  type IssuanceTestApp,
  type SignedIn,
} from '@citycard/card-issuance/testing';

const run = promisify(execFile);
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const bin = path.join(repoRoot, 'cli/bin/citycard.js');

async function citycard(
  args: string[],
  env: Record<string, string | undefined>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], {
      cwd: repoRoot,
      // No terminal: a missing password must be refused, never waited for.
      env: { ...process.env, CITYCARD_PASSWORD: undefined, ...env },
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

let issuance: IssuanceTestApp;
let finance: SignedIn;
let clerk: SignedIn;

beforeAll(async () => {
  issuance = await startIssuanceTestApp();
  const migrated = await citycard(['db', 'migrate'], {});
  expect(migrated.code, migrated.stderr).toBe(0);
  finance = await issuance.signIn('finance');
  clerk = await issuance.signIn('clerk');
});
afterAll(async () => {
  await issuance?.close();
});

async function loginEvents(username: string): Promise<string[]> {
  const { rows } = await issuance.deps.db.query<{ reason: string }>(
    'SELECT reason FROM login_events WHERE username = $1 ORDER BY id',
    [username],
  );
  return rows.map((r) => r.reason);
}

describe('citycard clearing signs its user in', () => {
  it('acts as a finance user who gave the right password, and ends the session after', async () => {
    const res = await citycard(
      ['clearing', 'status', '--date', '2001-02-03', '--as', finance.username],
      {
        CITYCARD_PASSWORD: finance.password,
      },
    );
    expect(res.code, res.stderr).toBe(0);
    expect(JSON.parse(res.stdout)).toMatchObject({ day: '2001-02-03' });
    expect(await loginEvents(finance.username)).toEqual(['ok', 'ok']);
    const { rows } = await issuance.deps.db.query<{ open: string }>(
      `SELECT count(*) FILTER (WHERE s.ended_at IS NULL AND s.ip LIKE 'cli@%') AS open
         FROM sessions s JOIN staff st ON st.id = s.staff_id WHERE st.username = $1`,
      [finance.username],
    );
    expect(rows[0]?.open).toBe('0');
  });

  it('refuses a wrong password, counted as a failed login, and does nothing', async () => {
    const res = await citycard(
      ['clearing', 'approve', '--date', '2001-02-03', '--as', finance.username],
      {
        CITYCARD_PASSWORD: `${finance.password}x`,
      },
    );
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain('LOGIN_FAILED');
    expect((await loginEvents(finance.username)).at(-1)).toBe('wrong_password');
  });

  it('refuses a user without the finance role, and a missing password', async () => {
    const asClerk = await citycard(
      ['clearing', 'approve', '--date', '2001-02-03', '--as', clerk.username],
      { CITYCARD_PASSWORD: clerk.password },
    );
    expect(asClerk.code).not.toBe(0);
    expect(asClerk.stderr).toContain('FORBIDDEN');
    const noPassword = await citycard(
      ['clearing', 'approve', '--date', '2001-02-03', '--as', finance.username],
      {},
    );
    expect(noPassword.code).not.toBe(0);
    expect(noPassword.stderr).toContain('CITYCARD_PASSWORD');
  });
});
