import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultClearingSettings, getRun } from '@citycard/clearing';
import { saveParty } from '@citycard/clearing/parties';
import {
  addOperators,
  createClearingTestDb,
  insertTransactions,
  type ClearingTestDb,
} from '@citycard/clearing/testing';
import { isAppError } from '@citycard/core/errors';
import {
  clearingAbortCommand,
  clearingApproveCommand,
  clearingConfirmCommand,
  clearingInstructCommand,
  clearingRunCommand,
  clearingStatusCommand,
  fakeBankCommand,
  type ClearingCommandContext,
} from './clearing.js';

let t: ClearingTestDb;
let dir: string;
const printed: string[] = [];
let ctx: ClearingCommandContext;

beforeAll(async () => {
  t = await createClearingTestDb();
  dir = await mkdtemp(join(tmpdir(), 'citycard-clearing-cli-'));
  await addOperators(t.pool, ['metro']);
  await saveParty(
    t.pool,
    { id: 'metro', kind: 'operator', name: 'Metro', bankAccountNumber: '62220000001' },
    { by: 'test', now: new Date('2000-01-01T00:00:00Z') },
  );
  ctx = {
    db: t.pool,
    settings: defaultClearingSettings,
    now: () => new Date('2001-09-10T00:00:00Z'),
    print: (line) => printed.push(line),
  };
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await t?.close();
});

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
  } catch (err) {
    if (isAppError(err)) return err.code;
    throw err;
  }
  return undefined;
}

describe('citycard clearing', () => {
  it('runs, approves (not by the runner), instructs, confirms and reports a day', async () => {
    await insertTransactions(t.pool, [
      {
        terminalId: 'metro-T1',
        sequence: 1,
        operatorId: 'metro',
        amount: '2.00',
        occurredAt: new Date('2001-09-01T04:00:00Z'),
      },
      {
        terminalId: 'metro-T1',
        sequence: 2,
        operatorId: 'metro',
        amount: '3.50',
        occurredAt: new Date('2001-09-01T05:00:00Z'),
      },
    ]);
    const date = '2001-09-01';
    const runId = await clearingRunCommand(ctx, { date, as: 'Alice' });
    expect(printed.at(-2)).toMatch(/2 transaction\(s\), gross 5\.50/);
    expect(await codeOf(clearingApproveCommand(ctx, { date, as: 'alice' }))).toBe(
      'SETTLEMENT_SELF_APPROVAL',
    );
    await clearingApproveCommand(ctx, { date, as: 'bob' });

    const payment = await clearingInstructCommand(ctx, {
      date,
      as: 'bob',
      out: join(dir, 'pay.csv'),
    });
    expect((await readFile(payment, 'utf8')).split('\r\n').at(-2)).toBe('T,1,5.50');
    const confirmation = join(dir, 'conf.csv');
    await fakeBankCommand(payment, confirmation);
    expect(await clearingConfirmCommand(ctx, { date, as: 'bob', file: confirmation })).toBe(true);
    expect((await getRun(t.pool, runId)).status).toBe('settled');
    expect(await codeOf(clearingAbortCommand(ctx, { date, as: 'bob', reason: 'late' }))).toBe(
      'SETTLEMENT_ABORT_TOO_LATE',
    );

    await clearingStatusCommand(ctx, date);
    expect(JSON.parse(printed.at(-1) ?? '{}')).toMatchObject({
      run: { id: runId, status: 'settled' },
      totals: { gross: '5.50', net: '5.50' },
    });
  });

  it('aborts a run before instruction, and a rerun of the day replaces it', async () => {
    const date = '2001-09-02';
    const first = await clearingRunCommand(ctx, { date, as: 'alice' });
    await clearingAbortCommand(ctx, { date, as: 'bob', reason: 'wrong fee schedule' });
    expect((await getRun(t.pool, first)).status).toBe('aborted');
    const second = await clearingRunCommand(ctx, { date, as: 'alice' });
    expect(second).not.toBe(first);
    expect((await getRun(t.pool, first)).status).toBe('superseded');
  });
});
