import type pg from 'pg';
import { createFeeSchedule } from '../fees/fee.repository.js';
import { saveParty } from '../parties/index.js';
import { runClearing } from '../run/index.js';
import type { RunDetail } from '../run/run.types.js';
import { addOperators, insertTransactions, type TestTransaction } from '../testing/index.js';

/** For tests: noon of `day` in Shanghai, an instant inside the business day. */
export function noonOf(day: string): Date {
  return new Date(`${day}T04:00:00Z`);
}

/** For tests: a moment well after the day's cut-off. */
export function afterCutoff(day: string): Date {
  return new Date(Date.parse(`${day}T00:00:00Z`) + 2 * 86_400_000);
}

/** For tests: operators with bank accounts on record and a 2% commission on everything. */
export async function addPayees(
  db: pg.Pool,
  operatorIds: readonly string[],
  opts: { withAccount?: boolean } = {},
): Promise<void> {
  await addOperators(db, operatorIds);
  const author = { by: 'test', now: new Date('2000-01-01T00:00:00Z') };
  for (const [i, id] of operatorIds.entries()) {
    await saveParty(
      db,
      {
        id,
        kind: 'operator',
        name: `Operator ${id}`,
        bankAccountNumber: opts.withAccount === false ? null : `6222${String(1000 + i)}0001`,
      },
      author,
    );
    await createFeeSchedule(
      db,
      { operatorId: id, effectiveFrom: '2000-01-01', rates: { '*': '0.02' } },
      author,
    );
  }
}

let sequence = 1;

/** For tests: a day's purchases per operator (amounts as two-place strings), then its run. */
export async function clearDayWith(
  db: pg.Pool,
  day: string,
  purchases: Readonly<Record<string, readonly string[]>>,
  staff = 'alice',
): Promise<RunDetail> {
  const rows: TestTransaction[] = Object.entries(purchases).flatMap(([operatorId, amounts]) =>
    amounts.map((amount) => ({
      terminalId: `${operatorId}-T1`,
      sequence: sequence++,
      operatorId,
      amount,
      occurredAt: noonOf(day),
    })),
  );
  await insertTransactions(db, rows);
  return runClearing(db, { day, staff, now: afterCutoff(day) });
}
