import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postTerminalDebits } from './post-terminal-debits.js';
import { createPostingTestDb, makeCards, type PostingTestDb } from './test-support.js';

// A measurement, not a check: runs only when asked, e.g. SHADOW_POSTING_BENCH_ROWS=200000.
const ROWS = Number(process.env.SHADOW_POSTING_BENCH_ROWS ?? 0);
const CARDS = Math.max(1, Math.floor(ROWS / 4));
const LIMIT = Number(process.env.SHADOW_POSTING_BENCH_LIMIT ?? 50_000);

let t: PostingTestDb;

async function timed<T>(label: string, fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await fn();
  const ms = performance.now() - start;
  console.log(`${label}: ${ms.toFixed(0)} ms`);
  return { ms, value };
}

async function seed(): Promise<void> {
  for (let done = 0; done < CARDS; done += 10_000) {
    await makeCards(t.pool, Math.min(10_000, CARDS - done));
  }
  await t.pool.query(
    `INSERT INTO shadow_balance_entries (card_id, seq, kind, amount, balance_after, reference, at)
     SELECT id, 1, 'load', 100.00, 100.00, 'load:' || id, now() FROM cards`,
  );
  // Spread over terminals and cards like a day of taps: 1–500 fen each, a few corrections.
  await t.pool.query(
    `INSERT INTO gateway.transactions (terminal_id, sequence, type, card_number, uid,
       purse_counter, amount, balance_before, balance_after, occurred_at, occurred_at_text,
       operator_id, location, mac, record_hash, received_at, business_day, status)
     SELECT 'B-' || (g % 500), g / 500 + 1,
            CASE WHEN g % 50 = 0 THEN 'transit_correction' ELSE 'transit_flat' END,
            c.card_number, '04A1B2C3', g, a.amount, 100.00, 100.00 - a.amount,
            now() - (g || ' seconds')::interval / 10, now()::text, 'op-bench', '{}'::jsonb,
            repeat('0', 32), md5(g::text), now() - (g || ' seconds')::interval / 100,
            current_date, 'accepted'
       FROM generate_series(1, $1::int) AS g
       JOIN LATERAL (SELECT CASE WHEN g % 50 = 0 THEN -0.50
                                 ELSE ((g::bigint * 7919) % 500 + 1) / 100.0 END::numeric(18,2) AS amount) a
         ON true
       JOIN (SELECT card_number, row_number() OVER (ORDER BY id) - 1 AS k FROM cards) c
         ON c.k = (g::bigint * 104729) % $2::int`,
    [ROWS, CARDS],
  );
  await t.pool.query('ANALYZE');
}

describe.skipIf(ROWS <= 0)('posting throughput', () => {
  beforeAll(async () => {
    t = await createPostingTestDb();
    await timed(`seed ${CARDS} cards, ${ROWS} accepted records`, seed);
  }, 600_000);
  afterAll(async () => {
    await t?.close();
  });

  it('posts the day', async () => {
    const { ms, value: posted } = await timed(`post ${ROWS} (limit ${LIMIT})`, async () => {
      let total = 0;
      for (;;) {
        const r = await postTerminalDebits(t.pool, { limit: LIMIT });
        total += r.posted;
        if (r.drained) return total;
      }
    });
    console.log(`throughput: ${Math.round((posted / ms) * 1000)} rows/s`);
    expect(posted).toBe(ROWS);

    await timed('idle incremental pass', () => postTerminalDebits(t.pool, { limit: LIMIT }));
    await timed('idle full pass', () => postTerminalDebits(t.pool, { limit: LIMIT, full: true }));
    await timed('Σ shadow_balances (heads)', () =>
      t.pool.query('SELECT sum(balance) FROM shadow_balance_contract'),
    );
    await timed('Σ per-card LATERAL (as before 0012)', () =>
      t.pool.query(
        `SELECT sum(e.balance_after) FROM cards c LEFT JOIN LATERAL (
           SELECT balance_after FROM shadow_balance_entries s WHERE s.card_id = c.id
            ORDER BY s.seq DESC LIMIT 1) e ON true`,
      ),
    );
    const { rows } = await t.pool.query<{ total: string; expected: string }>(
      `SELECT (SELECT sum(balance) FROM shadow_balances)::text AS total,
              (SELECT ($1::int * 100.00 - sum(amount)) FROM gateway.transactions)::text AS expected`,
      [CARDS],
    );
    expect(rows[0]?.total).toBe(rows[0]?.expected);
  }, 1_200_000);
});
