import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAppError } from '@citycard/core/errors';
import { Amount, parseAmount, sumAmounts } from '@citycard/core/money';
import { accountBalance, operatorPayable } from '../ledger/index.js';
import { getRun, runClearing } from '../run/index.js';
import { createClearingTestDb, type ClearingTestDb } from '../testing/index.js';
import { parsePaymentFile } from './bank-file.js';
import { fakeBankConfirm } from './fake-bank.js';
import {
  abortRun,
  approveRun,
  confirmRun,
  getSettlement,
  instructRun,
  paymentFileContent,
  verifyAuditChain,
} from './index.js';
import { addPayees, afterCutoff, clearDayWith } from './test-fixtures.js';

let t: ClearingTestDb;
const operators = ['metro', 'bus-east', 'ferry'];

beforeAll(async () => {
  t = await createClearingTestDb();
  await addPayees(t.pool, operators);
});
afterAll(async () => {
  await t?.close();
});

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
    return undefined;
  } catch (err) {
    if (isAppError(err)) return err.code;
    throw err;
  }
}

describe('maker-checker', () => {
  it('refuses approval by the user who ran the day and accepts a second finance user', async () => {
    const day = '2001-03-01';
    const run = await clearDayWith(t.pool, day, { metro: ['3.00'] }, 'alice');
    const now = afterCutoff(day);
    expect(await codeOf(approveRun(t.pool, { ref: { day }, actor: 'alice', now }))).toBe(
      'SETTLEMENT_SELF_APPROVAL',
    );
    expect((await getRun(t.pool, run.id)).status).toBe('computed');
    const approved = await approveRun(t.pool, { ref: { day }, actor: 'bob', now });
    expect(approved.status).toBe('approved');
  });
});

describe('bank payment file', () => {
  it("carries one line per payee and control totals equal to the run's nets", async () => {
    const day = '2001-03-02';
    const run = await clearDayWith(t.pool, day, {
      metro: ['3.00', '4.50', '2.05'],
      'bus-east': ['2.00', '2.00'],
      ferry: ['12.35'],
    });
    const now = afterCutoff(day);
    await approveRun(t.pool, { ref: { runId: run.id }, actor: 'bob', now });
    const { paymentFile } = await instructRun(t.pool, {
      ref: { runId: run.id },
      actor: 'bob',
      now,
    });
    const stored = await paymentFileContent(t.pool, { runId: run.id });
    expect(stored?.content).toBe(paymentFile.content);
    const rows = paymentFile.content.trimEnd().split('\r\n');
    expect(rows[0]).toMatch(/^H,CC20010302-[0-9a-f]{8},2001-03-02,3,/);
    expect(rows.at(-1)).toBe(`T,3,${run.totalNet.toString()}`);
    const parsed = parsePaymentFile(paymentFile.content);
    expect(parsed.count).toBe(run.lines.length);
    expect(parsed.total.eq(run.totalNet)).toBe(true);
    expect(parsed.total.eq(sumAmounts(run.lines.map((l) => l.net)))).toBe(true);
    for (const line of run.lines) {
      const paid = parsed.lines.find((l) => l.operatorId === line.operatorId);
      expect(paid?.amount.toString()).toBe(line.net.toString());
    }
    expect(new Set(parsed.lines.map((l) => l.reference)).size).toBe(3);
  });

  it('refuses to instruct a payee without a bank account', async () => {
    await addPayees(t.pool, ['no-account'], { withAccount: false });
    const day = '2001-03-03';
    const run = await clearDayWith(t.pool, day, { 'no-account': ['1.00'] });
    const now = afterCutoff(day);
    await approveRun(t.pool, { ref: { runId: run.id }, actor: 'bob', now });
    expect(await codeOf(instructRun(t.pool, { ref: { runId: run.id }, actor: 'bob', now }))).toBe(
      'SETTLEMENT_PAYEE_ACCOUNT_MISSING',
    );
    expect((await getRun(t.pool, run.id)).status).toBe('approved');
  });
});

describe('bank confirmation', () => {
  it('reports a difference and an unmatched line, then settles when finance accepts them', async () => {
    const day = '2001-03-04';
    const run = await clearDayWith(t.pool, day, {
      metro: ['10.00'],
      'bus-east': ['20.00'],
      ferry: ['30.00'],
    });
    const now = afterCutoff(day);
    const ref = { runId: run.id };
    await approveRun(t.pool, { ref, actor: 'bob', now });
    const { paymentFile } = await instructRun(t.pool, { ref, actor: 'bob', now });
    const short = Amount.fromFen(50n);
    const confirmation = fakeBankConfirm(paymentFile.content, {
      alter: (line) =>
        line.operatorId === 'bus-east' ? { amount: line.amount.sub(short) } : undefined,
      extraLines: [
        {
          reference: 'NOT-OURS-1',
          amount: parseAmount('7.77'),
          status: 'PAID',
          bankReference: 'B-X',
        },
      ],
    });

    const first = await confirmRun(t.pool, { ref, actor: 'bob', now, confirmation });
    expect(first.settled).toBe(false);
    expect(first.run.status).toBe('instructed');
    expect(first.match.counts).toEqual({
      matched: 2,
      difference: 1,
      rejected: 0,
      unmatched: 1,
      missing: 0,
    });
    const diff = first.match.lines.find((l) => l.outcome === 'difference');
    expect(diff?.operatorId).toBe('bus-east');
    expect(diff?.expected?.sub(diff.confirmed ?? Amount.zero).toString()).toBe('0.50');
    expect(first.match.lines.find((l) => l.outcome === 'unmatched')?.reference).toBe('NOT-OURS-1');

    const again = await confirmRun(t.pool, { ref, actor: 'bob', now, confirmation });
    expect(again.repeated).toBe(true);

    const later = new Date(now.getTime() + 60_000);
    const accepted = await confirmRun(t.pool, {
      ref,
      actor: 'carol',
      now: later,
      confirmation,
      acceptDifferences: true,
    });
    expect(accepted.settled).toBe(true);
    expect(accepted.run.status).toBe('settled');
    expect(accepted.adjustments).toBe(1);
    // The payable is cleared; the bank moved what it confirmed; the 7.77 waits in suspense.
    expect((await accountBalance(t.pool, 'suspense')).toString()).toBe('7.77');
    const payable = operatorPayable('bus-east').code;
    const payableBefore = await accountBalance(t.pool, payable);

    // The next day's run picks up the 0.50 still owed to bus-east.
    const next = await runClearing(t.pool, {
      day: '2001-03-05',
      staff: 'alice',
      now: afterCutoff('2001-03-05'),
    });
    expect(next.lines.find((l) => l.operatorId === 'bus-east')?.adjustments.toString()).toBe(
      '0.50',
    );
    const payableAfter = await accountBalance(t.pool, payable);
    expect(payableBefore.sub(payableAfter).toString()).toBe('0.50');

    const view = await getSettlement(t.pool, ref);
    expect(view.confirmations.map((c) => [c.clean, c.accepted])).toEqual([
      [false, false],
      [false, true],
    ]);
    expect(view.audit.map((a) => a.action)).toEqual([
      'settlement.approve',
      'settlement.instruct',
      'settlement.confirm',
      'settlement.confirm',
    ]);
    expect(await verifyAuditChain(t.pool)).toMatchObject({ ok: true });
  });

  it('refuses a confirmation of another payment file', async () => {
    const day = '2001-03-06';
    const run = await clearDayWith(t.pool, day, { metro: ['1.00'] });
    const now = afterCutoff(day);
    const ref = { runId: run.id };
    await approveRun(t.pool, { ref, actor: 'bob', now });
    const { paymentFile } = await instructRun(t.pool, { ref, actor: 'bob', now });
    const foreign = fakeBankConfirm(
      paymentFile.content.replaceAll(paymentFile.file.fileId, 'CC19990101-deadbeef'),
    );
    expect(
      await codeOf(confirmRun(t.pool, { ref, actor: 'bob', now, confirmation: foreign })),
    ).toBe('BANK_CONFIRMATION_FILE_MISMATCH');
    const clean = await confirmRun(t.pool, {
      ref,
      actor: 'bob',
      now,
      confirmation: fakeBankConfirm(paymentFile.content),
    });
    expect(clean.settled).toBe(true);
    expect(await codeOf(abortRun(t.pool, { ref, actor: 'bob', now, reason: 'too late' }))).toBe(
      'SETTLEMENT_ABORT_TOO_LATE',
    );
  });
});
