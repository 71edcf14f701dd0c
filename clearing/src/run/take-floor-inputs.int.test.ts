import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addCashMovement,
  addConfirmedLoad,
  addOperators,
  createClearingTestDb,
  replaceShadowContracts,
  type ClearingTestDb,
} from '../testing/index.js';
import { runClearing } from './index.js';
import { TAKE_LOOKBACK_MINUTES } from './take-transactions.js';

// Business day D runs from 04:00 on D to 04:00 on D + 1, Shanghai time.
const at = (local: string) => new Date(`${local}+08:00`);
const cutoffOf = (day: string) =>
  new Date(new Date(`${day}T04:00:00+08:00`).getTime() + 86_400_000);
const LOOKBACK_MS = TAKE_LOOKBACK_MINUTES * 60_000;
let t: ClearingTestDb;
let card = 0;

const load = (confirmedAt: Date, amount: string) =>
  addConfirmedLoad(t.pool, { cardNumber: `31000000000${++card}`, amount, confirmedAt });
const cash = (when: Date, amount: string) =>
  addCashMovement(t.pool, { kind: 'top_up_cash', amount, at: when });

const run = (day: string, hoursAfter = 1) =>
  runClearing(t.pool, {
    day,
    staff: 'finance-1',
    now: new Date(cutoffOf(day).getTime() + hoursAfter * 3_600_000),
  });

const taken = (r: Awaited<ReturnType<typeof run>>) => ({
  loads: [r.issuance.loadsCount, String(r.issuance.loadsConfirmed)],
  cash: [r.issuance.cashMovementsCount, String(r.issuance.topUpCash)],
});

/** Whether a run read from a floor, and how many earlier snapshots' unseen rows it read. */
const readFrom = async (runId: string) => {
  const { rows } = await t.pool.query<{ floored: boolean; since: number | null }>(
    `SELECT take_floor IS NOT NULL AS floored, cardinality(take_since) AS since
       FROM clearing.runs WHERE id = $1`,
    [runId],
  );
  return rows[0];
};

beforeAll(async () => {
  t = await createClearingTestDb();
  await addOperators(t.pool, ['bus']);
  await replaceShadowContracts(t.pool);
});
afterAll(async () => {
  await t?.close();
});

describe('loads and counter cash are read from the take floor on, and whatever came since', () => {
  it('reads all on the first run, then what was stamped from the floor on or committed since', async () => {
    await load(at('2026-06-01T09:00:00'), '20.00');
    await cash(at('2026-06-01T09:00:00'), '50.00');
    // Stamped long before the first run: a first run reads everything.
    await load(at('2026-05-01T09:00:00'), '1.00');
    await cash(at('2026-05-01T09:00:00'), '2.00');
    // Stamped after the 1st's cut-off, committed before its run: the next run's, by its instant.
    const early = new Date(cutoffOf('2026-06-01').getTime() + 600_000);
    await load(early, '4.00');
    await cash(early, '40.00');
    const first = await run('2026-06-01');
    expect(taken(first)).toEqual({ loads: [2, '21.00'], cash: [2, '52.00'] });
    expect(await readFrom(first.id)).toEqual({ floored: false, since: null });

    // Committed after the 1st's run, stamped within the look-back of its cut-off: taken next.
    const slow = new Date(cutoffOf('2026-06-01').getTime() - LOOKBACK_MS / 2);
    await load(slow, '3.00');
    await cash(slow, '30.00');
    // Committed after the run but stamped before the floor, a day or a month before: the run's
    // snapshot did not see them, and the next run takes them by their writing transaction.
    await load(new Date(cutoffOf('2026-06-01').getTime() - 2 * LOOKBACK_MS), '500.00');
    await cash(new Date(cutoffOf('2026-06-01').getTime() - 2 * LOOKBACK_MS), '900.00');
    await load(at('2026-05-02T09:00:00'), '0.50');
    await cash(at('2026-05-02T09:00:00'), '0.70');
    await load(at('2026-06-02T09:00:00'), '7.00');
    await cash(at('2026-06-02T09:00:00'), '70.00');
    const second = await run('2026-06-02');
    expect(taken(second)).toEqual({ loads: [5, '514.50'], cash: [5, '1040.70'] });
    expect(await readFrom(second.id)).toEqual({ floored: true, since: 1 });

    // A rerun frees what the run took and reads again from the floor and the snapshots of the run
    // it replaces.
    const rerun = await run('2026-06-02', 2);
    expect(rerun.supersedes).toBe(second.id);
    expect(taken(rerun)).toEqual(taken(second));
    expect(rerun.outputHash).toBe(second.outputHash);
    // The run it replaces read the same previous run's snapshot: kept once.
    expect(await readFrom(rerun.id)).toEqual({ floored: true, since: 1 });

    // Nothing is taken twice: the next day finds only what came after.
    await load(new Date(cutoffOf('2026-06-02').getTime() - 3 * LOOKBACK_MS), '9.00');
    const third = await run('2026-06-03');
    expect(taken(third)).toEqual({ loads: [1, '9.00'], cash: [0, '0.00'] });
  });
});
