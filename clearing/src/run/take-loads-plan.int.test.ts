import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClearingTestDb, type ClearingTestDb } from '../testing/index.js';
import { takeLoadsSql } from './inputs.repository.js';

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

/** The indexes under a node (a bitmap scan's, each one its scans combine). */
function indexes(node: PlanNode): string[] {
  const own = node['Index Name'] === undefined ? [] : [node['Index Name']];
  return [...own, ...(node.Plans ?? []).flatMap(indexes)];
}

/** Every way the plan reads load_events: the indexes each read goes through, joined by '+'. */
function eventReads(node: PlanNode, out: string[] = []): string[] {
  if (node['Relation Name'] === 'load_events') {
    out.push(indexes(node).join('+') || node['Node Type']);
    return out;
  }
  for (const child of node.Plans ?? []) eventReads(child, out);
  return out;
}

const LOADS = 3000;
let t: ClearingTestDb;

beforeAll(async () => {
  t = await createClearingTestDb();
  const db = await t.pool.connect();
  try {
    // Setting up rows only: loads without their cards, drawers and staff.
    await db.query('SET session_replication_role = replica');
    await db.query(
      `INSERT INTO issuance.loads (id, card_id, amount, state, drawer_id, staff_id, business_day,
                                   created_at, updated_at, request_id)
       SELECT md5('load-' || i)::uuid, md5('card-' || i)::uuid, 10.00, 'confirmed',
              gen_random_uuid(), gen_random_uuid(), '2026-06-01', $2, $2, 'r-' || i
         FROM generate_series(1, $1::int) i`,
      [LOADS, new Date('2026-06-01T09:00:00+08:00')],
    );
    await db.query(
      `INSERT INTO issuance.load_events (load_id, seq, from_state, to_state, cause, request_id, at)
       SELECT md5('load-' || i)::uuid, s,
              CASE s WHEN 1 THEN NULL ELSE 'pending' END,
              CASE s WHEN 1 THEN 'pending' ELSE 'confirmed' END,
              CASE s WHEN 1 THEN 'ordered' ELSE 'read_back' END, 'r-' || i, $2
         FROM generate_series(1, $1::int) i, generate_series(1, 2) s`,
      [LOADS, new Date('2026-06-01T09:00:00+08:00')],
    );
    // Loads were analysed (as autovacuum does after a large insert); load_events not yet: the
    // state in which the planner once read a partial index of every confirmation for each load.
    await db.query('ANALYZE issuance.loads');
  } finally {
    db.release();
  }
});
afterAll(async () => {
  await t?.close();
});

describe('the loads take', () => {
  for (const floored of [false, true]) {
    it(`reads a load's events by its primary key, not an index of every load (${
      floored ? 'from a floor' : 'no floor'
    })`, async () => {
      const params: unknown[] = [
        '00000000-0000-4000-8000-000000000001',
        new Date('2026-06-02T04:00:00+08:00'),
        ...(floored ? [new Date('2026-06-01T03:00:00+08:00'), ['100:100:']] : []),
      ];
      const { rows } = await t.pool.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
        `EXPLAIN (FORMAT JSON) ${takeLoadsSql(floored)}`,
        params,
      );
      const reads = eventReads(rows[0]!['QUERY PLAN'][0].Plan);
      // Per load: the primary key (load, seq). From a floor, once each: the confirmations since
      // it by instant, and those an earlier snapshot did not see by writing transaction.
      expect(reads).toEqual(
        floored ? ['load_events_at', 'load_events_xact', 'load_events_pkey'] : ['load_events_pkey'],
      );
    });
  }
});
