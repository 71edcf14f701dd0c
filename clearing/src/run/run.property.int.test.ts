import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Amount } from '@citycard/core/money';
import { createFeeSchedule, createSubsidyRule } from '../fees/index.js';
import { runPostingTotals } from '../ledger/index.js';
import {
  addOperators,
  createClearingTestDb,
  insertTransactions,
  type ClearingTestDb,
  type TestTransaction,
} from '../testing/index.js';
import { listRuns, runClearing } from './index.js';
import { TAKE_LOOKBACK_MINUTES } from './take-transactions.js';

const OPERATORS = ['bus', 'metro', 'shop'];
const MINUTE = 60_000;
const DAY_MS = 1440 * MINUTE;
// Business day 2026-01-01 starts at 04:00 Shanghai time, 2025-12-31T20:00Z.
const FIRST_DAY_START = Date.parse('2025-12-31T20:00:00Z');
const dayName = (k: number) => new Date(Date.UTC(2026, 0, 1 + k)).toISOString().slice(0, 10);
const cutoffOf = (k: number) => new Date(FIRST_DAY_START + (k + 1) * DAY_MS);

let a: ClearingTestDb;
let b: ClearingTestDb;
const nextSeq = new Map<string, number>();

async function seed(t: ClearingTestDb): Promise<void> {
  const author = { by: 'finance-1', now: new Date('2025-12-01T00:00:00Z') };
  await addOperators(t.pool, OPERATORS);
  await createFeeSchedule(
    t.pool,
    {
      operatorId: 'bus',
      effectiveFrom: '2025-01-01',
      fixedFee: '0.01',
      dailyMin: '0.50',
      rates: { '*': '0.0125' },
    },
    author,
  );
  await createFeeSchedule(
    t.pool,
    {
      operatorId: 'metro',
      effectiveFrom: '2025-01-01',
      dailyMax: '3.00',
      rates: { '*': '0.015', purchase: '0.0333' },
    },
    author,
  );
  await createSubsidyRule(
    t.pool,
    { operatorId: null, riderCategoryId: 'STUDENT', rate: '0.75', effectiveFrom: '2025-01-01' },
    author,
  );
}

beforeAll(async () => {
  [a, b] = await Promise.all([createClearingTestDb(), createClearingTestDb()]);
  await Promise.all([seed(a), seed(b)]);
});
afterAll(async () => {
  await Promise.all([a?.close(), b?.close()]);
});

interface Draft {
  readonly op: string;
  readonly fen: number;
  readonly student: boolean;
  /** Minutes after the first day's start at which the gateway received it. */
  readonly receivedMin: number;
  /** How long before receipt it occurred. */
  readonly delayMin: number;
  /** How many runs before its day's run it is stored (a gateway clock ahead of the runs). */
  readonly early: number;
  /**
   * Its write commits after its day's run although it was stamped before that day's cut-off:
   * then it was stamped within the take's look-back of the cut-off (the rule the gateway keeps).
   */
  readonly lateCommit: boolean;
}

const draft = (days: number): fc.Arbitrary<Draft> =>
  fc.record({
    op: fc.constantFrom(...OPERATORS),
    fen: fc.oneof(fc.integer({ min: 1, max: 50_000 }), fc.integer({ min: -300, max: -1 })),
    student: fc.boolean(),
    receivedMin: fc.integer({ min: 0, max: days * 1440 - 1 }),
    delayMin: fc.integer({ min: 0, max: 3 * 1440 }),
    early: fc.integer({ min: 0, max: 2 }),
    lateCommit: fc.boolean(),
  });

/** The received minute, and before which run (3: after the last of the three days) it is stored. */
function arrival(d: Draft): { receivedMin: number; phase: number } {
  const day = Math.floor(d.receivedMin / 1440);
  if (!d.lateCommit) return { receivedMin: d.receivedMin, phase: Math.max(0, day - d.early) };
  const receivedMin = (day + 1) * 1440 - 1 - (d.receivedMin % TAKE_LOOKBACK_MINUTES);
  return { receivedMin, phase: day + 1 };
}

function record(d: Draft, firstDay: number): TestTransaction {
  const terminalId = `${d.op}-T1`;
  const sequence = (nextSeq.get(terminalId) ?? 0) + 1;
  nextSeq.set(terminalId, sequence);
  const received = FIRST_DAY_START + firstDay * DAY_MS + arrival(d).receivedMin * MINUTE;
  return {
    terminalId,
    sequence,
    operatorId: d.op,
    type: d.fen < 0 ? 'transit_correction' : 'transit_flat',
    amount: Amount.fromFen(BigInt(d.fen)).toString(),
    occurredAt: new Date(received - d.delayMin * MINUTE),
    receivedAt: new Date(received),
    ...(d.student && d.fen > 0 ? { riderCategoryId: 'STUDENT', discount: '0.40' } : {}),
  };
}

let iteration = 0;
const nextBlock = (size: number) => iteration++ * size + 1;

function shuffle<T>(xs: readonly T[], seed: number): T[] {
  return xs
    .map((x, i) => ({ x, k: (i * 2654435761 + seed) % 4294967296 }))
    .sort((p, q) => p.k - q.k)
    .map((p) => p.x);
}

describe('clearing run on PostgreSQL (properties)', () => {
  it('clears every transaction exactly once across runs, whatever its arrival and commit time', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(draft(3), { minLength: 1, maxLength: 40 }), async (drafts) => {
        const first = nextBlock(5);
        const recs = drafts.map((d) => ({ d, r: record(d, first) }));
        for (let phase = 0; phase <= 3; phase++) {
          await insertTransactions(
            a.pool,
            recs.filter((x) => arrival(x.d).phase === phase).map((x) => x.r),
          );
          const k = first + phase;
          await runClearing(a.pool, { day: dayName(k), staff: 'p', now: cutoffOf(k) });
        }
        const { rows } = await a.pool.query<{ terminal_id: string; sequence: string; day: string }>(
          `SELECT c.terminal_id, c.sequence, r.business_day::text AS day
             FROM cleared_transactions c JOIN runs r ON r.id = c.run_id
            WHERE r.business_day BETWEEN $1 AND $2`,
          [dayName(first), dayName(first + 3)],
        );
        expect(rows.length).toBe(recs.length);
        const runDay = new Map(rows.map((r) => [`${r.terminal_id}/${r.sequence}`, r.day]));
        for (const { d, r } of recs) {
          // Stored before run `phase`, received on day floor(receivedMin / 1440): the first run
          // after both takes it.
          const { receivedMin, phase } = arrival(d);
          const expected = first + Math.max(phase, Math.floor(receivedMin / 1440));
          expect(runDay.get(`${r.terminalId}/${r.sequence}`)).toBe(dayName(expected));
        }
        const runs = (await listRuns(a.pool)).filter(
          (r) => r.day >= dayName(first) && r.day <= dayName(first + 3),
        );
        const gross = runs.reduce((s, r) => s.add(r.totalGross), Amount.zero);
        expect(gross.toFen()).toBe(drafts.reduce((s, d) => s + BigInt(d.fen), 0n));
        for (const run of runs) {
          const totals = await runPostingTotals(a.pool, run.id);
          expect(totals.unbalanced).toBe(0);
          expect(totals.total.isZero()).toBe(true);
          expect(
            run.totalNet.add(run.totalCommission).eq(run.totalGross.add(run.totalSubsidy)),
          ).toBe(true);
        }
      }),
      { numRuns: 12 },
    );
  });

  it('gives the same hashes whatever order rows arrive in, and again on a rerun', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(draft(1), { minLength: 1, maxLength: 60 }),
        fc.nat(),
        fc.integer({ min: 1, max: 5 }),
        async (drafts, seed, chunks) => {
          const k = nextBlock(5);
          const recs = drafts.map((d) => record(d, k));
          await insertTransactions(a.pool, recs);
          const mixed = shuffle(recs, seed);
          const size = Math.ceil(mixed.length / chunks);
          for (let i = 0; i < mixed.length; i += size) {
            await insertTransactions(b.pool, mixed.slice(i, i + size));
          }
          const input = { day: dayName(k), staff: 'p', now: cutoffOf(k) };
          const [ra, rb] = [await runClearing(a.pool, input), await runClearing(b.pool, input)];
          const plain = (r: typeof ra) => r.lines.map(({ feeScheduleId: _id, ...l }) => l);
          expect(plain(rb)).toEqual(plain(ra));
          expect(rb.inputHash).toBe(ra.inputHash);
          expect(rb.outputHash).toBe(ra.outputHash);
          const again = await runClearing(b.pool, {
            ...input,
            staff: 'q',
            now: new Date(input.now.getTime() + 3600_000),
          });
          expect(again.outputHash).toBe(ra.outputHash);
          expect(again.supersedes).toBe(rb.id);
        },
      ),
      { numRuns: 12 },
    );
  });
});
