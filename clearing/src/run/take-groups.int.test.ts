import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addOperators, createClearingTestDb, type ClearingTestDb } from '../testing/index.js';
import { takeSql, withTakeSettings } from './take-transactions.js';

interface PlanNode {
  'Node Type': string;
  'Plan Rows': number;
  Plans?: PlanNode[];
}

/** The first aggregate from the top: the take's groups as the planner expects them. */
function aggregateRows(node: PlanNode): number | undefined {
  if (node['Node Type'] === 'Aggregate') return node['Plan Rows'];
  for (const child of node.Plans ?? []) {
    const rows = aggregateRows(child);
    if (rows !== undefined) return rows;
  }
  return undefined;
}

const TERMINALS = 12;
const PER_TERMINAL = 2000;
const cutoff = new Date('2026-06-02T04:00:00+08:00');
const dayStart = new Date('2026-06-01T04:00:00+08:00');
let t: ClearingTestDb;

beforeAll(async () => {
  t = await createClearingTestDb();
  await addOperators(t.pool, ['bus', 'metro']);
  // Terminals that have run for different lengths of time: each its own range of sequences, one
  // operator each, two fare types and three rider categories (one of them none) on every one.
  await t.pool.query(
    `INSERT INTO gateway.terminals (id, operator_id)
     SELECT 'term-' || i, CASE WHEN i % 2 = 0 THEN 'bus' ELSE 'metro' END
       FROM generate_series(1, $1::int) i`,
    [TERMINALS],
  );
  await t.pool.query(
    `INSERT INTO gateway.transactions (terminal_id, sequence, batch_seq, type, card_number, uid,
       purse_counter, amount, balance_before, balance_after, occurred_at, occurred_at_text,
       operator_id, location, fare, mac, record_hash, received_at, business_day, status, reason)
     SELECT 'term-' || i, i * 1000003 + s, NULL,
            CASE WHEN s % 2 = 0 THEN 'transit_flat' ELSE 'purchase' END,
            'card-' || (s % 500), '04A1B2C3', i * 1000003 + s, 2.00, 100.00, 98.00,
            $3::timestamptz, $3::text, CASE WHEN i % 2 = 0 THEN 'bus' ELSE 'metro' END, '{}',
            CASE s % 3 WHEN 0 THEN NULL
                 ELSE jsonb_build_object('riderCategoryId',
                                         CASE s % 3 WHEN 1 THEN 'adult' ELSE 'senior' END,
                                         'discount', '0.50') END,
            repeat('0', 32), md5(i || '-' || s), $3::timestamptz, '2026-06-01', 'accepted', NULL
       FROM generate_series(1, $1::int) i, generate_series(1, $2::int) s`,
    [TERMINALS, PER_TERMINAL, new Date('2026-06-01T09:00:00+08:00')],
  );
  // What autovacuum does after such an insert.
  await t.pool.query('ANALYZE gateway.transactions');
});
afterAll(async () => {
  await t?.close();
});

describe("the take's groups", () => {
  it('are expected as few as they are, so each parallel worker can aggregate its share', async () => {
    const client = await t.pool.connect();
    try {
      await client.query('BEGIN');
      const plan = await withTakeSettings(client, () =>
        client.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
          `EXPLAIN (FORMAT JSON) ${takeSql(false)}`,
          [cutoff, dayStart],
        ),
      );
      const expected = aggregateRows(plan.rows[0]!['QUERY PLAN'][0].Plan);
      await withTakeSettings(client, () => client.query(takeSql(false), [cutoff, dayStart]));
      const { rows } = await client.query<{ groups: number; records: string }>(
        'SELECT count(*)::int AS groups, sum(n)::text AS records FROM run_take',
      );
      await client.query('ROLLBACK');
      const actual = rows[0]!.groups;
      expect(rows[0]!.records).toBe(String(TERMINALS * PER_TERMINAL));
      // Each terminal's 2,000 sequences fall in two or three blocks: a few dozen groups each.
      expect(actual).toBeGreaterThan(TERMINALS * 2 * 2 * 3 - 1);
      expect(actual).toBeLessThan(TERMINALS * 3 * 2 * 3 + 1);
      // Without the gateway's statistics of these groups the estimate is the product of each
      // column's own distinct count, many times the groups there are.
      expect(expected).toBeDefined();
      expect(expected!).toBeLessThan(actual * 3);
    } finally {
      client.release();
    }
  });
});
