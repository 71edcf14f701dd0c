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

beforeAll(async () => {
  t = await createClearingTestDb();
  await addOperators(t.pool, ['bus']);
  await replaceShadowContracts(t.pool);
});
afterAll(async () => {
  await t?.close();
});

describe('loads and counter cash are read from the take floor on', () => {
  it('reads all on the first run, then what was stamped from the floor on', async () => {
    await load(at('2026-06-01T09:00:00'), '20.00');
    await cash(at('2026-06-01T09:00:00'), '50.00');
    // Stamped long before the first run: a first run reads everything.
    await load(at('2026-05-01T09:00:00'), '1.00');
    await cash(at('2026-05-01T09:00:00'), '2.00');
    const first = await run('2026-06-01');
    expect(taken(first)).toEqual({ loads: [2, '21.00'], cash: [2, '52.00'] });

    // Committed after the 1st's run, stamped within the look-back of its cut-off: taken next.
    const slow = new Date(cutoffOf('2026-06-01').getTime() - LOOKBACK_MS / 2);
    await load(slow, '3.00');
    await cash(slow, '30.00');
    // Stamped before the look-back yet committed after the run: the rule says this cannot
    // happen, and the take does not look there.
    const tooSlow = new Date(cutoffOf('2026-06-01').getTime() - 2 * LOOKBACK_MS);
    await load(tooSlow, '500.00');
    await cash(tooSlow, '900.00');
    await load(at('2026-06-02T09:00:00'), '7.00');
    await cash(at('2026-06-02T09:00:00'), '70.00');
    const second = await run('2026-06-02');
    expect(taken(second)).toEqual({ loads: [2, '10.00'], cash: [2, '100.00'] });

    // A rerun frees what the run took and reads again from the floor of the run it replaces.
    const rerun = await run('2026-06-02', 2);
    expect(rerun.supersedes).toBe(second.id);
    expect(taken(rerun)).toEqual(taken(second));
    expect(rerun.outputHash).toBe(second.outputHash);
  });
});
