import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { service as issuance } from '@citycard/card-issuance';
import { service as clearing } from '@citycard/clearing';
import { buildChainCarry, DEFAULT_SOURCES, reconcileDay } from '@citycard/clearing/reconciliation';
import { runClearing } from '@citycard/clearing/run';
import { createPool, migrate } from '@citycard/core/db';
import { service as gateway } from '@citycard/transaction-gateway';
import { generateDay, seedClearingRules } from './clearing-data.js';
import { generateCounterDay } from './counter-data.js';
import { benchDatabase } from './database.js';
import { printFigures, round } from './figures.js';

/**
 * The night's work over one generated business day of N accepted transactions (default 5M;
 * `--n 15000000` or BENCH_N), in a throw-away database migrated with every schema: the clearing
 * run and the reconciliation, each beside the machine's own floor measured over the same rows in
 * the same run: a bare GROUP BY by operator (for clearing) and a bare window pass by card with the
 * previous counter and balance (for reconciliation).
 *
 * `--history-days H` (or BENCH_HISTORY_DAYS, default 0) first stores H earlier days of N records
 * each (other cards, the same terminals further on in their sequences) and clears them, untimed:
 * the measured night then runs on a table that holds more than its own day, as a city's does.
 *
 * Each day also has its counters' top-ups: one load paid in cash per 100 records (`--loads-per-day`
 * or BENCH_LOADS_PER_DAY), which the run takes with the records.
 */
function argInt(flag: string, env: string, fallback: number, min: number): number {
  const i = process.argv.indexOf(flag);
  const raw = i >= 0 ? process.argv[i + 1] : process.env[env];
  const value = Number(raw ?? fallback);
  if (!Number.isInteger(value) || value < min) {
    throw new Error(`${flag} must be an integer >= ${min}: ${raw}`);
  }
  return value;
}

const n = argInt('--n', 'BENCH_N', 5_000_000, 1000);
const historyDays = argInt('--history-days', 'BENCH_HISTORY_DAYS', 0, 0);
const loadsPerDay = argInt('--loads-per-day', 'BENCH_LOADS_PER_DAY', Math.round(n / 100), 0);
/** Keeps the throw-away database (its name is printed) to study a plan with EXPLAIN. */
const keep = process.env.BENCH_KEEP_DB === '1';
const DAY = '2026-11-20';
const DAY_BEFORE = '2026-11-19';

async function admin(serverUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; seconds: number }> {
  const started = performance.now();
  const value = await fn();
  return { value, seconds: (performance.now() - started) / 1000 };
}

// The day's records, asked for in the columns the gateway's day indexes answer (the contract's
// business_day is an expression over them), as the reconciliation asks.
const OF_DAY = `((received_business_day = $1::date AND resolved_business_day IS NULL)
                 OR resolved_business_day = $1::date)`;

const BARE_GROUP_BY = `
  SELECT operator_id, count(*), sum(amount) FROM gateway.accepted_transactions_contract
   WHERE ${OF_DAY} GROUP BY operator_id`;

// The window pass's rows are consumed in the server (counted), as reconciliation's are.
const BARE_WINDOW = `
  SELECT count(*) FROM (
    SELECT purse_counter - lag(purse_counter) OVER w AS step,
           balance_before - lag(balance_after) OVER w AS drift
      FROM gateway.accepted_transactions_contract
     WHERE ${OF_DAY}
    WINDOW w AS (PARTITION BY card_number ORDER BY purse_counter)
  ) c WHERE step <> 1 OR drift <> 0`;

const dayBefore = (day: string, k: number): string =>
  new Date(Date.parse(`${day}T00:00:00Z`) - k * 86_400_000).toISOString().slice(0, 10);

/**
 * Day D - k as a copy of day D: other cards (the card number's second pair of digits is k), each
 * terminal's sequences k * 2^20 further on, every instant k days earlier.
 */
const COPY_AS_EARLIER_DAY = `
  INSERT INTO gateway.transactions
  SELECT terminal_id, sequence + $1::bigint * 1048576, batch_seq, type,
         '31' || lpad($1::text, 2, '0') || substr(card_number, 5), uid, purse_counter, amount,
         balance_before, balance_after, occurred_at - $1::int * interval '1 day',
         to_char((occurred_at - $1::int * interval '1 day') AT TIME ZONE 'UTC',
                 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
         operator_id, location, fare, mac, record_hash, received_at - $1::int * interval '1 day',
         business_day - $1::int, status, reason, resolved_at - $1::int * interval '1 day',
         resolved_business_day - $1::int
    FROM gateway.transactions WHERE business_day = $2::date`;

/**
 * Setting up only: rows written without gateway.transactions' secondary indexes, which are built
 * again after (a build sorts once; an insert per row descends each index at random).
 */
async function withoutSecondaryIndexes<T>(db: pg.Pool, fn: () => Promise<T>): Promise<T> {
  const { rows } = await db.query<{ name: string; def: string }>(
    `SELECT indexname AS name, indexdef AS def FROM pg_indexes
      WHERE schemaname = 'gateway' AND tablename = 'transactions'
        AND indexname <> 'transactions_pkey'`,
  );
  for (const { name } of rows) await db.query(`DROP INDEX gateway.${name}`);
  const value = await fn();
  for (const { def } of rows) await db.query(def);
  return value;
}

const server = await benchDatabase();
const name = `citycard_bench_clearing_${Date.now()}_${randomBytes(3).toString('hex')}`;
await admin(server.url, `CREATE DATABASE ${name}`);
const url = new URL(server.url);
url.pathname = `/${name}`;
const db = createPool({
  url: url.toString(),
  applicationName: 'citycard-bench-clearing',
  max: 4,
  searchPath: ['clearing', 'public'],
});
try {
  await migrate(db, [issuance.migrations, gateway.migrations, clearing.migrations]);
  const load = await timed(() =>
    withoutSecondaryIndexes(db, () =>
      generateDay(db, { n, day: DAY, recordsPerCard: 4, recordsPerTerminal: 2000 }),
    ),
  );
  const day = load.value;
  await generateCounterDay(db, { day: DAY, k: 0, loads: loadsPerDay });
  await seedClearingRules(db, dayBefore(DAY, historyDays));
  const history = await timed(async () => {
    await withoutSecondaryIndexes(db, async () => {
      for (let k = historyDays; k >= 1; k--) await db.query(COPY_AS_EARLIER_DAY, [k, DAY]);
    });
    for (let k = historyDays; k >= 1; k--) {
      await generateCounterDay(db, { day: dayBefore(DAY, k), k, loads: loadsPerDay });
    }
    await db.query('VACUUM ANALYZE gateway.transactions');
    for (let k = historyDays; k >= 1; k--) {
      const earlier = dayBefore(DAY, k);
      const cutoff = await db.query<{ at: Date }>(
        `SELECT ($1::date + 1 + time '04:00') AT TIME ZONE 'Asia/Shanghai' AS at`,
        [earlier],
      );
      const now = new Date((cutoff.rows[0]?.at ?? new Date()).getTime() + 3600_000);
      await runClearing(db, { day: earlier, staff: 'bench', now });
    }
  });
  await db.query('VACUUM ANALYZE gateway.transactions');
  await db.query('VACUUM ANALYZE gateway.batches');
  // The night before left its card chain carry (the earlier days' cards, or none); the night
  // reads it.
  await buildChainCarry(db, DEFAULT_SOURCES, DAY_BEFORE);
  // Everything below reads the same rows; one untimed pass leaves them equally warm for all.
  await db.query(BARE_GROUP_BY, [DAY]);
  const groupBy = await timed(() => db.query(BARE_GROUP_BY, [DAY]));
  const window = await timed(() => db.query(BARE_WINDOW, [DAY]));
  const run = await timed(() => runClearing(db, { day: DAY, staff: 'bench', now: new Date() }));
  const reconciliation = await timed(() => reconcileDay(db, { day: DAY, runId: run.value.id }));
  const rec = reconciliation.value;
  const night = run.seconds + reconciliation.seconds;
  // The goal is stated for 15M; a smaller N is projected linearly (the work is linear in N).
  const projected = (night * 15_000_000) / day.rows;
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  const { rows: version } = await db.query<{ v: string }>(
    "SELECT current_setting('server_version') AS v",
  );
  printFigures('clearing', {
    postgres: version[0]?.v ?? 'unknown',
    n: day.rows,
    history_days: historyDays,
    history_rows: day.rows * historyDays,
    history_s: round(history.seconds),
    cards: day.cards,
    operators: day.operators.length,
    terminals: day.terminals,
    batches: day.batches,
    load_s: round(load.seconds),
    load_rows_per_s: Math.round(day.rows / load.seconds),
    group_by_s: round(groupBy.seconds, 3),
    window_s: round(window.seconds, 3),
    clearing_s: round(run.seconds, 3),
    reconciliation_s: round(reconciliation.seconds, 3),
    clearing_ratio: round(run.seconds / groupBy.seconds),
    reconciliation_ratio: round(reconciliation.seconds / window.seconds),
    night_s: round(night, 3),
    loads_per_day: loadsPerDay,
    cleared: run.value.transactionCount,
    loads_cleared: run.value.issuance.loadsCount,
    cash_movements_cleared: run.value.issuance.cashMovementsCount,
    total_gross: run.value.totalGross.toString(),
    total_net: run.value.totalNet.toString(),
    float_ok: run.value.floatCheck.ok,
    float_difference: run.value.floatCheck.difference.toString(),
    exceptions: rec.exceptionCount,
    exceptions_by_kind: JSON.stringify(rec.byKind),
    planted: JSON.stringify(day.planted),
    peak_rss_mb: round(peakRssMb, 1),
    night_projected_15m_s: round(projected, 1),
    goal_night_15m_s: 60,
    goal_ratio: 3,
    goal_met:
      projected <= 60 &&
      run.seconds / groupBy.seconds <= 3 &&
      reconciliation.seconds / window.seconds <= 3,
  });
} finally {
  await db.end();
  if (keep) console.error(`kept database ${name}`);
  else await admin(server.url, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await server.stop();
}
