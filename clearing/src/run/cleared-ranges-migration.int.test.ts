import { randomUUID } from 'node:crypto';
import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScratchDatabase, migrate, type ScratchDatabase } from '@citycard/core/db';
import { service } from '../service.js';
import { CLEARING_TEST_MIGRATIONS } from '../testing/index.js';

// A database cleared under 0003's one row per transaction, moved to ranges by 0006.
const server = (): string => {
  const url = process.env.DATABASE_URL?.trim();
  if (!url) throw new Error('DATABASE_URL is not set: run the integration project');
  return url;
};
let own: ScratchDatabase;
let pool: pg.Pool;
let before: string;

async function addRun(day: string): Promise<string> {
  const id = randomUUID();
  await pool.query(
    `INSERT INTO runs (id, business_day, status, cutoff, started_by, started_at, input_hash,
       output_hash, rule_versions, transaction_count, total_gross, total_commission, total_subsidy,
       total_net, float_ledger, float_shadow, float_ok, issuance, status_changed_at)
     VALUES ($1, $2, 'computed', now(), 'finance-1', now(), repeat('a', 64), repeat('b', 64), '{}',
             0, 0, 0, 0, 0, 0, 0, true, '{}', now())`,
    [id, day],
  );
  return id;
}

async function clearedUnder0003(runId: string, terminalId: string, seqs: number[]) {
  await pool.query(
    `INSERT INTO cleared_transactions (terminal_id, sequence, run_id, late)
     SELECT $1, s, $2, false FROM unnest($3::bigint[]) AS s`,
    [terminalId, runId, seqs],
  );
}

beforeAll(async () => {
  before = await mkdtemp(path.join(tmpdir(), 'clearing-0005-'));
  const files = (await readdir(service.migrations.dir)).filter((f) => f < '0006');
  for (const f of files) await cp(path.join(service.migrations.dir, f), path.join(before, f));
  const others = CLEARING_TEST_MIGRATIONS.filter((m) => m.schema !== 'clearing');
  own = await createScratchDatabase({
    serverUrl: server(),
    prefix: 'clearing_mig',
    applicationName: 'clearing-mig-test',
    searchPath: ['clearing', 'public'],
    migrations: [...others, { schema: 'clearing', dir: before }],
  });
  pool = own.pool;
});
afterAll(async () => {
  await own?.close();
  if (before) await rm(before, { recursive: true, force: true });
});

describe('0006: cleared keys from rows to ranges', () => {
  it('moves every cleared key to its run and terminal, and the union to the frontier', async () => {
    const a = await addRun('2026-02-01');
    const b = await addRun('2026-02-02');
    await clearedUnder0003(a, 'bus-T1', [1, 2, 3, 4, 5, 7]);
    await clearedUnder0003(b, 'bus-T1', [6, 8, 9]);
    await clearedUnder0003(a, 'metro-T1', [1, 2, 3]);
    await migrate(pool, CLEARING_TEST_MIGRATIONS);
    const { rows } = await pool.query<{
      run: string;
      terminal_id: string;
      s: string;
      count: string;
    }>(
      `SELECT CASE run_id WHEN $1 THEN 'a' ELSE 'b' END AS run, terminal_id,
              sequences::text AS s, count::text
         FROM cleared_ranges ORDER BY run, terminal_id`,
      [a],
    );
    expect(rows).toEqual([
      { run: 'a', terminal_id: 'bus-T1', s: '{[1,6),[7,8)}', count: '6' },
      { run: 'a', terminal_id: 'metro-T1', s: '{[1,4)}', count: '3' },
      { run: 'b', terminal_id: 'bus-T1', s: '{[6,7),[8,10)}', count: '3' },
    ]);
    const frontier = await pool.query(
      `SELECT terminal_id, sequences::text AS s FROM cleared_frontier ORDER BY terminal_id`,
    );
    expect(frontier.rows).toEqual([
      { terminal_id: 'bus-T1', s: '{[1,10)}' },
      { terminal_id: 'metro-T1', s: '{[1,4)}' },
    ]);
    const view = await pool.query(
      `SELECT count(*)::int AS n FROM cleared_transactions WHERE run_id = $1`,
      [b],
    );
    expect(view.rows[0]).toEqual({ n: 3 });
  });
});
