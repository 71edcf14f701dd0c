import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addOperators,
  createClearingTestDb,
  insertTransactions,
  replaceShadowContracts,
  type ClearingTestDb,
} from '../testing/index.js';
import { runClearing } from './index.js';

const DAY_MS = 86_400_000;
// Business day 2027-01-01 starts at 04:00 Shanghai time, 2026-12-31T20:00Z.
const FIRST_DAY_START = Date.parse('2026-12-31T20:00:00Z');
const dayName = (k: number) => new Date(Date.UTC(2027, 0, 1 + k)).toISOString().slice(0, 10);
const cutoffOf = (k: number) => new Date(FIRST_DAY_START + (k + 1) * DAY_MS);

let t: ClearingTestDb;
beforeAll(async () => {
  t = await createClearingTestDb();
  await replaceShadowContracts(t.pool);
  await addOperators(t.pool, ['bus']);
});
afterAll(async () => {
  await t?.close();
});

interface Key {
  readonly sequence: number;
  /** Before which of the three runs the record is stored. */
  readonly stored: number;
  /** Before which run a quarantined record is released (3: never). */
  readonly released: number;
  readonly held: boolean;
}

// A run of sequences around a block boundary (1024), some absent, some held back, stored in any
// order: blocks with no hole, one, or several.
const keys = fc
  .record({
    from: fc.integer({ min: 960, max: 1040 }),
    flags: fc.array(
      fc.record({
        absent: fc.integer({ min: 0, max: 9 }),
        stored: fc.integer({ min: 0, max: 2 }),
        released: fc.integer({ min: 0, max: 3 }),
        held: fc.integer({ min: 0, max: 5 }),
      }),
      { minLength: 1, maxLength: 120 },
    ),
  })
  .map(({ from, flags }): Key[] =>
    flags
      .map((f, i) => ({
        sequence: from + i,
        stored: f.stored,
        released: f.released,
        held: f.held === 0,
        absent: f.absent === 0,
      }))
      .filter((k) => !k.absent),
  );

/** The run that must clear a key: the first after it is stored (and released, if held). */
const expectedRun = (k: Key): number | null =>
  !k.held ? k.stored : k.released === 3 ? null : Math.max(k.stored, k.released);

let iteration = 0;

async function store(terminalId: string, list: readonly Key[], phase: number, first: number) {
  // Received on the day of the run it is stored before: the gateway stamps a record as it writes.
  const received = new Date(FIRST_DAY_START + (first + phase) * DAY_MS + 3_600_000);
  await insertTransactions(
    t.pool,
    list
      .filter((k) => k.stored === phase)
      .map((k) => ({
        terminalId,
        sequence: k.sequence,
        operatorId: 'bus',
        amount: '1.00',
        occurredAt: received,
        receivedAt: received,
        status: k.held ? ('quarantined' as const) : ('accepted' as const),
      })),
  );
  const release = list
    .filter((k) => k.held && k.released < 3 && Math.max(k.stored, k.released) === phase)
    .map((k) => k.sequence);
  await t.pool.query(
    `UPDATE gateway.transactions SET status = 'released', resolved_at = $3,
            resolved_business_day = $4::date
      WHERE terminal_id = $1 AND sequence = ANY($2::bigint[]) AND status = 'quarantined'`,
    [
      terminalId,
      release,
      new Date(cutoffOf(first + phase).getTime() - 60_000),
      dayName(first + phase),
    ],
  );
}

describe('cleared keys (properties)', () => {
  it('clears every key once, in the first run after it is accepted, holes or not', async () => {
    await fc.assert(
      fc.asyncProperty(keys, async (list) => {
        const first = iteration++ * 4;
        const terminalId = `bus-P${first}`;
        for (let phase = 0; phase < 3; phase++) {
          await store(terminalId, list, phase, first);
          await runClearing(t.pool, {
            day: dayName(first + phase),
            staff: 'p',
            now: cutoffOf(first + phase),
          });
        }
        const { rows } = await t.pool.query<{ sequence: string; day: string }>(
          `SELECT c.sequence, r.business_day::text AS day
             FROM cleared_transactions c JOIN runs r ON r.id = c.run_id
            WHERE c.terminal_id = $1 AND r.status = 'computed'`,
          [terminalId],
        );
        const cleared = new Map(rows.map((r) => [Number(r.sequence), r.day]));
        expect(rows.length).toBe(cleared.size);
        for (const k of list) {
          const run = expectedRun(k);
          expect(cleared.get(k.sequence)).toBe(run === null ? undefined : dayName(first + run));
        }
        expect(cleared.size).toBe(list.filter((k) => expectedRun(k) !== null).length);
      }),
      { numRuns: 15 },
    );
  });
});
