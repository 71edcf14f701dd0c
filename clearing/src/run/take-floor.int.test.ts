import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addOperators,
  createClearingTestDb,
  insertTransactions,
  type ClearingTestDb,
} from '../testing/index.js';
import { runClearing } from './index.js';
import { TAKE_LOOKBACK_MINUTES } from './take-transactions.js';

// Business day D runs from 04:00 on D to 04:00 on D + 1, Shanghai time.
const at = (local: string) => new Date(`${local}+08:00`);
const cutoffOf = (day: string) => {
  const d = new Date(`${day}T04:00:00+08:00`);
  return new Date(d.getTime() + 86_400_000);
};
const LOOKBACK_MS = TAKE_LOOKBACK_MINUTES * 60_000;
let t: ClearingTestDb;
let seq = 0;

const tap = (receivedAt: Date, amount = '2.00') => ({
  terminalId: 'bus-T1',
  sequence: ++seq,
  operatorId: 'bus',
  type: 'transit_flat',
  amount,
  occurredAt: receivedAt,
  receivedAt,
});

async function floorOf(runId: string): Promise<Date | null> {
  const { rows } = await t.pool.query<{ take_floor: Date | null }>(
    'SELECT take_floor FROM runs WHERE id = $1',
    [runId],
  );
  return rows[0]?.take_floor ?? null;
}

const run = (day: string, hoursAfter = 1) =>
  runClearing(t.pool, {
    day,
    staff: 'finance-1',
    now: new Date(cutoffOf(day).getTime() + hoursAfter * 3_600_000),
  });

beforeAll(async () => {
  t = await createClearingTestDb();
  await addOperators(t.pool, ['bus']);
});
afterAll(async () => {
  await t?.close();
});

describe('the take reads from the last run on', () => {
  it('reads everything on the first run, then from the latest earlier cut-off less the look-back', async () => {
    await insertTransactions(t.pool, [tap(at('2026-06-01T09:00:00'))]);
    const first = await run('2026-06-01');
    expect(await floorOf(first.id)).toBeNull();

    // Committed after the 1st's run, stamped within the look-back of its cut-off: taken next.
    const slow = new Date(cutoffOf('2026-06-01').getTime() - LOOKBACK_MS / 2);
    // Stamped before the look-back yet committed after the run: the gateway's rule says this
    // cannot happen, and the take does not look there.
    const tooSlow = new Date(cutoffOf('2026-06-01').getTime() - 2 * LOOKBACK_MS);
    await insertTransactions(t.pool, [tap(slow, '3.00'), tap(tooSlow, '50.00')]);
    await insertTransactions(t.pool, [tap(at('2026-06-02T09:00:00'))]);
    const second = await run('2026-06-02');
    expect(await floorOf(second.id)).toEqual(
      new Date(cutoffOf('2026-06-01').getTime() - LOOKBACK_MS),
    );
    expect(second.lines.map((l) => [l.count, String(l.gross)])).toEqual([[2, '5.00']]);
  });

  it('a rerun reads again from the floor of the run it supersedes', async () => {
    // The 4th runs before the 3rd: it takes the 3rd's records too, reading from the 2nd's run.
    await insertTransactions(t.pool, [
      tap(at('2026-06-03T09:00:00'), '7.00'),
      tap(at('2026-06-04T09:00:00'), '11.00'),
    ]);
    const fourth = await run('2026-06-04');
    expect(fourth.lines.map((l) => [l.count, String(l.gross)])).toEqual([[2, '18.00']]);
    const third = await run('2026-06-03', 30);
    expect(third.lines).toEqual([]);
    // Rerunning the 4th frees what it took: the 3rd's record is before the 3rd's cut-off, which
    // is now the latest earlier one, so only the superseded run's own floor finds it again.
    const rerun = await run('2026-06-04', 31);
    expect(rerun.supersedes).toBe(fourth.id);
    expect(await floorOf(rerun.id)).toEqual(await floorOf(fourth.id));
    expect(rerun.lines.map((l) => [l.count, String(l.gross)])).toEqual([[2, '18.00']]);
    expect(rerun.outputHash).toBe(fourth.outputHash);
  });
});
