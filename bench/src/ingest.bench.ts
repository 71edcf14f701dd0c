import type { ChildProcess } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { deriveKeyId, seal } from '@citycard/core/crypto';
import { migrate } from '@citycard/core/db';
import { service as issuanceService } from '@citycard/card-issuance';
import { service as gatewayService } from '@citycard/transaction-gateway';
import {
  GENESIS_HASH,
  buildBatch,
  signRecord,
  signRequest,
  type Batch,
  type TransactionRecord,
} from '@citycard/terminal-sdk/protocol';
import { macKeyAad } from '@citycard/transaction-gateway/terminals';
import { benchDatabase } from './database.js';
import { percentile, printFigures, round } from './figures.js';
import { constantRate } from './http-load.js';
import { seedCounterDay } from './issuance-seed.js';
import {
  closedLoop,
  dropDatabase,
  freshDatabase,
  peakRssMb,
  run,
  serve,
  stopChild,
} from './ingest-support.js';

/**
 * M simulated terminals post batches of 200–500 MACed records to `citycard serve
 * transaction-gateway` (its own process, as deployed); the same rows are then COPYed raw into an
 * identical table, the machine's floor for writing them. Last, online terminals post single
 * records at a fixed rate (open loop) for the single-transaction endpoint's latency.
 */
const terminalCount = Number(process.env.BENCH_TERMINALS ?? 8);
/** Online terminals for the single-record endpoint: each terminal's uploads are serialised. */
const onlineCount = Number(process.env.BENCH_ONLINE_TERMINALS ?? 64);
const batchesPerTerminal = Number(process.env.BENCH_BATCHES ?? 12);
const cardCount = Number(process.env.BENCH_CARDS ?? 64);
const singleRate = Number(process.env.BENCH_SINGLE_RATE ?? 2000);
const singleSeconds = Number(process.env.BENCH_SINGLE_SECONDS ?? 3);
const OPERATOR = 'bench-retail';

interface Terminal {
  readonly id: string;
  readonly macKey: Buffer;
  sequence: number;
}
interface Card {
  readonly cardNumber: string;
  readonly uid: string;
  counter: number;
  balanceFen: number;
}

/** An operator and enrolled terminals, written as enrolment leaves them (keys sealed). */
async function enrolOperator(db: pg.Pool): Promise<void> {
  await db.query(
    `INSERT INTO gateway.operators (id, name, kind, card_code) VALUES ($1, 'Bench retail', 'retail', 9001)`,
    [OPERATOR],
  );
}

async function enrolTerminals(
  db: pg.Pool,
  kek: Buffer,
  prefix: string,
  count: number,
): Promise<Terminal[]> {
  const terminals: Terminal[] = [];
  for (let i = 1; i <= count; i++) {
    const t = { id: `${prefix}${i}`, macKey: randomBytes(16), sequence: 0 };
    const sealed = seal(t.macKey, { id: deriveKeyId(kek), key: kek }, macKeyAad(t.id));
    await db.query(
      `INSERT INTO gateway.terminals (id, operator_id, status, certificate_pem, mac_key_id,
         mac_key_sealed, enrolled_at) VALUES ($1, $2, 'enrolled', 'bench', 'k1', $3, now())`,
      [t.id, OPERATOR, sealed],
    );
    await db.query('INSERT INTO gateway.terminal_ingest_state (terminal_id) VALUES ($1)', [t.id]);
    terminals.push(t);
  }
  return terminals;
}

const fen = (n: number): string => `${Math.floor(n / 100)}.${String(n % 100).padStart(2, '0')}`;

/** A purchase of 0.10 on the card: its counter and balance move as a real tap moves them. */
function purchase(t: Terminal, card: Card): TransactionRecord {
  card.counter += 1;
  card.balanceFen -= 10;
  t.sequence += 1;
  return signRecord(
    {
      v: 1,
      terminalId: t.id,
      sequence: t.sequence,
      type: 'purchase',
      cardNumber: card.cardNumber,
      uid: card.uid,
      purseCounter: card.counter,
      amount: '0.10',
      balanceBefore: fen(card.balanceFen + 10),
      balanceAfter: fen(card.balanceFen),
      occurredAt: new Date().toISOString(),
      operatorId: OPERATOR,
      location: { shopId: 'bench-shop' },
    },
    t.macKey,
  );
}

/** Each terminal has cards of its own, so every counter arrives in order and is accepted. */
function batchesFor(t: Terminal, index: number, cards: readonly Card[]): Batch[] {
  const mine = cards.filter((_, i) => i % terminalCount === index);
  const batches: Batch[] = [];
  let prevHash = GENESIS_HASH;
  for (let b = 1; b <= batchesPerTerminal; b++) {
    const n = randomInt(200, 501);
    const records = Array.from({ length: n }, (_, i) => purchase(t, mine[i % mine.length] as Card));
    const batch = buildBatch({
      terminalId: t.id,
      batchSequence: b,
      macKeyId: 'k1',
      macKey: t.macKey,
      prevHash,
      records,
      skipped: [],
      createdAt: new Date().toISOString(),
    });
    prevHash = batch.headHash;
    batches.push(batch);
  }
  return batches;
}

function post(base: string, t: Terminal, url: string, body: unknown): Promise<Response> {
  const text = JSON.stringify(body);
  const headers = signRequest(
    { terminalId: t.id, macKey: t.macKey },
    { method: 'POST', path: url, body: text },
    new Date(),
  );
  return fetch(`${base}${url}`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: text,
  });
}

async function uploadAll(base: string, terminals: Terminal[], batches: Map<string, Batch[]>) {
  const latencies: number[] = [];
  let records = 0;
  const started = performance.now();
  await Promise.all(
    terminals.map(async (t) => {
      for (const batch of batches.get(t.id) ?? []) {
        const sent = performance.now();
        const res = await post(base, t, '/v1/batches', batch);
        const receipt = (await res.json()) as { accepted?: number };
        if (!res.ok) throw new Error(`batch refused: ${res.status} ${JSON.stringify(receipt)}`);
        latencies.push(performance.now() - sent);
        records += batch.records.length;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return { records, seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

/** The same rows, COPYed raw into a table like gateway.transactions (its keys, no triggers). */
async function copyFloor(db: pg.Pool): Promise<{ rows: number; seconds: number }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'citycard-copy-'));
  await chmod(dir, 0o777);
  const file = path.join(dir, 'rows.copy');
  try {
    await db.query('CREATE TABLE public.bench_copy (LIKE gateway.transactions INCLUDING ALL)');
    await db.query(`COPY gateway.transactions TO '${file}'`);
    const started = performance.now();
    const { rowCount } = await db.query(`COPY public.bench_copy FROM '${file}'`);
    return { rows: rowCount ?? 0, seconds: (performance.now() - started) / 1000 };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const server = await benchDatabase();
const children: ChildProcess[] = [];
const url = await freshDatabase(server.url);
try {
  const kek = randomBytes(32);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: url,
    CITYCARD_MODE: 'development',
    CITYCARD_DATA_DIR: await mkdtemp(path.join(tmpdir(), 'citycard-bench-')),
    CITYCARD_KEK: kek.toString('hex'),
    ISSUANCE_PORT: '0',
    GATEWAY_PORT: '0',
    GATEWAY_TERMINAL_RATE_PER_S: '1000000',
    GATEWAY_TERMINAL_BURST: '1000000',
    LOG_LEVEL: 'info',
    CITYCARD_ADMIN_PASSWORD: randomBytes(12).toString('base64url'),
  };
  // Only the two schemas the run uses: the bench does not depend on clearing's migrations.
  const migrator = new pg.Pool({ connectionString: url, max: 1 });
  await migrate(migrator, [issuanceService.migrations, gatewayService.migrations]);
  await migrator.end();
  await run(['staff', 'bootstrap-admin', '--username', 'bench-admin'], env);
  const issuance = await serve('card-issuance', env);
  children.push(issuance.child);
  const seeded = await seedCounterDay(
    issuance.url,
    'bench-admin',
    env.CITYCARD_ADMIN_PASSWORD ?? '',
    cardCount,
  );
  issuance.child.kill('SIGTERM');

  const db = new pg.Pool({ connectionString: url, max: 4 });
  const { rows } = await db.query<{ card_number: string; uid: string }>(
    'SELECT card_number, uid FROM issuance.card_contract WHERE card_number = ANY($1)',
    [seeded.cardNumbers],
  );
  const cards: Card[] = rows.map((r) => ({
    cardNumber: r.card_number,
    uid: r.uid,
    counter: 0,
    balanceFen: 90_000,
  }));
  await enrolOperator(db);
  const terminals = await enrolTerminals(db, kek, 'bench-t', terminalCount);
  const onlineTerminals = await enrolTerminals(db, kek, 'bench-o', onlineCount);
  const gateway = await serve('transaction-gateway', env);
  children.push(gateway.child);

  const batches = new Map(terminals.map((t, i) => [t.id, batchesFor(t, i, cards)]));
  const upload = await uploadAll(gateway.url, terminals, batches);
  const copy = await copyFloor(db);
  const gatewayPerS = upload.records / upload.seconds;
  const copyPerS = copy.rows / copy.seconds;

  const batchRssMb = await peakRssMb(gateway.child.pid);

  const total = Math.round(singleRate * (singleSeconds + 1)) + 2000;
  const singles = Array.from({ length: total }, (_, i) => {
    const t = onlineTerminals[i % onlineTerminals.length] as Terminal;
    return { t, record: purchase(t, cards[(i * 7) % cards.length] as Card) };
  });
  let next = 0;
  const single = (): Promise<Response> => {
    const s = singles[next++] as (typeof singles)[number];
    return post(gateway.url, s.t, '/v1/transactions', s.record);
  };
  // Closed loop first (16 clients back to back): what the endpoint sustains on this machine.
  const capacity = await closedLoop(16, 2000, single);
  // One second warms up; then the open loop at the target rate, where a stall shows in p99.
  await constantRate(singleRate, 1, single);
  const online = await constantRate(singleRate, singleSeconds, single);
  const outcomes = await db.query<{ status: string; n: string }>(
    'SELECT status, count(*)::text AS n FROM gateway.transactions GROUP BY status ORDER BY status',
  );
  const rssMb = await peakRssMb(gateway.child.pid);
  await db.end();
  printFigures('ingest', {
    terminals: terminalCount,
    batches: terminalCount * batchesPerTerminal,
    records: upload.records,
    gateway_records_per_s: round(gatewayPerS, 0),
    copy_records_per_s: round(copyPerS, 0),
    ratio_to_copy: round(gatewayPerS / copyPerS),
    batch_p50_ms: round(upload.p50),
    batch_p99_ms: round(upload.p99),
    gateway_peak_rss_mb_after_batches: round(batchRssMb, 1),
    gateway_peak_rss_mb: round(rssMb, 1),
    single_capacity_req_per_s: round(capacity.perS, 0),
    single_capacity_p99_ms: round(capacity.p99),
    single_target_req_per_s: singleRate,
    single_achieved_req_per_s: round(online.achievedPerS, 1),
    single_failed: online.failed,
    single_p50_ms: round(online.p50Ms),
    single_p99_ms: round(online.p99Ms),
    stored: outcomes.rows.map((r) => `${r.status}:${r.n}`).join(' '),
    goal_ratio: 0.5,
    goal_single_p99_ms: 20,
    goal_met: gatewayPerS / copyPerS >= 0.5 && online.p99Ms <= 20,
  });
} finally {
  await Promise.all(children.map((c) => stopChild(c)));
  await dropDatabase(server.url, url);
  await server.stop();
}
