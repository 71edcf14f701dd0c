import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addOperators,
  createClearingTestDb,
  insertTransactions,
  replaceShadowContracts,
  type ClearingTestDb,
  type TestTransaction,
} from '../testing/index.js';
import { runClearing } from './index.js';

// Business day 2026-04-01 runs from 04:00 on the 1st to 04:00 on the 2nd, Shanghai time.
const at = (local: string) => new Date(`${local}+08:00`);
let t: ClearingTestDb;

function terminal(
  terminalId: string,
  sequences: readonly number[],
  extra: Partial<TestTransaction> = {},
): TestTransaction[] {
  return sequences.map((sequence) => ({
    terminalId,
    sequence,
    operatorId: terminalId.split('-')[0] ?? '',
    amount: '1.00',
    occurredAt: at('2026-04-01T10:00'),
    ...extra,
  }));
}

const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);

async function keys(runId?: string): Promise<Record<string, string>> {
  const { rows } = await t.pool.query<{ terminal_id: string; sequences: string }>(
    runId === undefined
      ? `SELECT terminal_id, sequences::text AS sequences FROM cleared_frontier`
      : `SELECT terminal_id, sequences::text AS sequences FROM cleared_ranges WHERE run_id = $1`,
    runId === undefined ? [] : [runId],
  );
  return Object.fromEntries(rows.map((r) => [r.terminal_id, r.sequences]));
}

const release = (terminalId: string, sequence: number, status: 'released' | 'rejected') =>
  t.pool.query(
    `UPDATE gateway.transactions SET status = $3, resolved_at = $4,
            resolved_business_day = '2026-04-02'
      WHERE terminal_id = $1 AND sequence = $2`,
    [terminalId, sequence, status, at('2026-04-02T10:00')],
  );

beforeAll(async () => {
  t = await createClearingTestDb();
  await replaceShadowContracts(t.pool);
  await addOperators(t.pool, ['bus', 'metro', 'shop']);
  const quarantined = { status: 'quarantined' as const };
  await insertTransactions(t.pool, [
    // One record held back: the block's sum names the hole.
    ...terminal('bus-T1', [1, 2, 3, 5, 6, 7, 8, 9, 10]),
    ...terminal('bus-T1', [4], quarantined),
    // Two held back in one block: the block is read again by key.
    ...terminal('metro-T1', [1, 2, 4, 5, 6, 8, 9, 10]),
    ...terminal('metro-T1', [3, 7], quarantined),
    // Across a block boundary (1024), and one received after the cut-off.
    ...terminal('shop-T1', range(1020, 1030)),
    ...terminal('shop-T1', [1031], { receivedAt: at('2026-04-02T05:00') }),
  ]);
});
afterAll(async () => {
  await t?.close();
});

describe('cleared keys as ranges per terminal', () => {
  let secondHash = '';

  it('keeps exactly the sequences a run took, holes included', async () => {
    const run = await runClearing(t.pool, {
      day: '2026-04-01',
      staff: 'finance-1',
      now: at('2026-04-02T06:00'),
    });
    expect(run.transactionCount).toBe(9 + 8 + 11);
    const taken = {
      'bus-T1': '{[1,4),[5,11)}',
      'metro-T1': '{[1,3),[4,7),[8,11)}',
      'shop-T1': '{[1020,1031)}',
    };
    expect(await keys(run.id)).toEqual(taken);
    expect(await keys()).toEqual(taken);
    const { rows } = await t.pool.query(
      `SELECT count(*)::int AS n FROM cleared_transactions WHERE run_id = $1`,
      [run.id],
    );
    expect(rows[0]).toEqual({ n: 28 });
  });

  it('takes a released record into the hole it left, and a rejected one never', async () => {
    await release('bus-T1', 4, 'released');
    await release('metro-T1', 3, 'released');
    await release('metro-T1', 7, 'rejected');
    await insertTransactions(
      t.pool,
      terminal('bus-T1', [11, 12], { occurredAt: at('2026-04-02T09:00') }),
    );
    const run = await runClearing(t.pool, {
      day: '2026-04-02',
      staff: 'finance-1',
      now: at('2026-04-03T06:00'),
    });
    secondHash = run.outputHash;
    expect(await keys(run.id)).toEqual({
      'bus-T1': '{[4,5),[11,13)}',
      'metro-T1': '{[3,4)}',
      'shop-T1': '{[1031,1032)}',
    });
    expect(await keys()).toEqual({
      'bus-T1': '{[1,13)}',
      'metro-T1': '{[1,7),[8,11)}',
      'shop-T1': '{[1020,1032)}',
    });
  });

  it("frees a superseded run's keys for its rerun, to the same hash", async () => {
    const rerun = await runClearing(t.pool, {
      day: '2026-04-02',
      staff: 'finance-2',
      now: at('2026-04-03T07:00'),
    });
    expect(rerun.outputHash).toBe(secondHash);
    expect(rerun.transactionCount).toBe(5);
    expect((await keys())['bus-T1']).toBe('{[1,13)}');
  });

  it('refuses a key cleared twice and any write to the frontier', async () => {
    const [run] = (
      await t.pool.query<{ id: string }>(`SELECT id FROM runs WHERE status = 'computed' LIMIT 1`)
    ).rows;
    await expect(
      t.pool.query(
        `INSERT INTO cleared_ranges (run_id, terminal_id, sequences, count)
         VALUES ($1, 'bus-T1', '{[12,14)}', 2)`,
        [randomUUID()],
      ),
    ).rejects.toMatchObject({ code: '23505' });
    await expect(
      t.pool.query(`DELETE FROM cleared_ranges WHERE run_id = $1`, [run?.id]),
    ).rejects.toMatchObject({ code: '42501' });
    await expect(
      t.pool.query(`UPDATE cleared_frontier SET sequences = '{}'`),
    ).rejects.toMatchObject({ code: '42501' });
  });
});
