import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileJournal } from '@citycard/terminal-sdk/journal';
import { recordMacInput, type TransactionRecord } from '@citycard/terminal-sdk/protocol';
import { SeededRandom } from '@citycard/terminal-sdk/simulator';
import { readUploaderState } from '@citycard/terminal-sdk/uploader';
import {
  databaseUrl,
  startGatewayTestApp,
  type GatewayTestApp,
} from '@citycard/transaction-gateway/testing';
import { GatewayProcesses, freePort } from './gateway-process.js';
import { SimulatedTerminal } from './simulated-terminal.js';

const SEED = 'citycard/gateway-kill/1';
const TERMINALS = 5;
const CARDS_PER_TERMINAL = 4;
const RIDES_PER_TERMINAL = 240;
const BATCH_SIZE = 40;
/** Pause between two rides on one terminal, ms (seeded). */
const RIDE_PAUSE: readonly [number, number] = [10, 50];
const DRAIN_TIMEOUT_MS = 40_000;
/**
 * Each batch receipt leaves the gateway this long after its commit, and a kill comes up to
 * KILL_AFTER_SEND_MS after a batch was sent: kills land before, during and after the ingest
 * transaction, and often in the window where a committed batch has not been answered yet.
 */
const ANSWER_DELAY_MS = 100;
const KILL_AFTER_SEND_MS = 200;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function until(done: () => boolean, timeoutMs: number, everyMs = 50): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) return false;
    await sleep(everyMs);
  }
  return true;
}

/**
 * Kills the gateway at seeded points of the terminals' sales (a share of all rides recorded), a
 * seeded few milliseconds after a batch was sent, each time leaving it down a seeded while before
 * a new process starts on the same port. Returns how many rides had been recorded at each kill.
 */
async function killDuringSales(
  gateway: GatewayProcesses,
  terminals: readonly SimulatedTerminal[],
  random: SeededRandom,
): Promise<number[]> {
  const total = TERMINALS * RIDES_PER_TERMINAL;
  const kills = random.int(3, 5);
  // One point in each of `kills` equal slices of 5–95 % of the sales, so the kills spread out.
  const slice = Math.floor(90 / kills);
  const points = Array.from({ length: kills }, (_, i) => 5 + i * slice + random.int(0, slice - 1));
  const recorded = () => terminals.reduce((n, t) => n + t.recorded.size, 0);
  const killedAt: number[] = [];
  for (const percent of points) {
    await until(() => recorded() >= (total * percent) / 100, 60_000);
    // Preferably while a batch is on its way (in the request, the transaction or the answer).
    await until(() => terminals.some((t) => t.batchesInFlight > 0), 2_000, 2);
    await sleep(random.int(0, KILL_AFTER_SEND_MS));
    await gateway.kill();
    killedAt.push(recorded());
    await sleep(random.int(0, 600));
    await gateway.start();
  }
  return killedAt;
}

const hashOf = (record: TransactionRecord): string =>
  createHash('sha256').update(recordMacInput(record)).digest('hex');

/** What a gateway being killed and restarting may answer: unreachable, or unavailable. */
const RETRIED = new Set(['GATEWAY_UNREACHABLE', 'SERVICE_UNAVAILABLE', 'DB_UNAVAILABLE']);

/** The harness's terminal and more of operator 'jiangbei-bus', each with cards of its own. */
async function openTerminals(
  gw: GatewayTestApp,
  gatewayUrl: string,
  tmp: string,
  random: SeededRandom,
): Promise<SimulatedTerminal[]> {
  const products = ['standard', 'student', 'senior'] as const;
  const terminals: SimulatedTerminal[] = [];
  for (let i = 0; i < TERMINALS; i++) {
    const credentials = i === 0 ? gw.terminal.credentials : (await gw.addTerminal()).credentials;
    const cards = [];
    for (let k = 0; k < CARDS_PER_TERMINAL; k++) {
      cards.push(await gw.addCard({ productCode: random.pick(products) }));
    }
    terminals.push(
      await SimulatedTerminal.open({
        credentials,
        cards,
        dir: path.join(tmp, `terminal-${i}`),
        gatewayUrl,
        random: random.fork(`terminal-${i}`),
        batchSize: BATCH_SIZE,
      }),
    );
  }
  return terminals;
}

function uploadErrors(terminals: readonly SimulatedTerminal[]): Map<string, number> {
  const errors = new Map<string, number>();
  for (const t of terminals) {
    for (const [code, n] of t.errors) errors.set(code, (errors.get(code) ?? 0) + n);
  }
  return errors;
}

/**
 * Five validators sell bus rides into their journals and upload them to a gateway running in a
 * process of its own, which is killed with SIGKILL three to five times and restarted on the same
 * port. Once every journal is acknowledged, the gateway must hold each record exactly once, as
 * the terminal MACed it, and nothing else.
 */
describe('the gateway killed with SIGKILL under load', () => {
  let gw: GatewayTestApp | undefined;
  let gateway: GatewayProcesses | undefined;
  let tmp: string | undefined;
  let terminals: SimulatedTerminal[] = [];

  beforeAll(async () => {
    gw = await startGatewayTestApp();
    tmp = await mkdtemp(path.join(tmpdir(), 'citycard-gateway-kill-'));
  });

  afterAll(async () => {
    await Promise.all(terminals.map((t) => t.close()));
    // Every gateway process by its PID, before the schemas it uses are dropped.
    await gateway?.stopAll();
    await gw?.close();
    if (tmp !== undefined) await rm(tmp, { recursive: true, force: true });
  });

  it('stores every acknowledged record exactly once and loses none', async () => {
    if (gw === undefined || tmp === undefined) throw new Error('setup failed');
    const random = new SeededRandom(SEED);
    gateway = new GatewayProcesses({
      databaseUrl: databaseUrl(),
      port: await freePort(),
      schema: gw.schema,
      contractSchema: gw.contractSchema,
      kek: gw.deps.macKeyKek,
      answerDelayMs: ANSWER_DELAY_MS,
    });
    await gateway.start();
    terminals = await openTerminals(gw, gateway.url, tmp, random.fork('terminals'));

    // Step 1: the terminals sell and upload while the gateway is killed and restarted.
    const started = Date.now();
    const [killedAt] = await Promise.all([
      killDuringSales(gateway, terminals, random.fork('kills')),
      ...terminals.map((t) => t.sell(RIDES_PER_TERMINAL, RIDE_PAUSE)),
    ]);
    const salesMs = Date.now() - started;
    // Step 2: the last gateway stays up until every journal is acknowledged.
    const drained = await until(() => terminals.every((t) => t.drained()), DRAIN_TIMEOUT_MS);
    await Promise.all(terminals.map((t) => t.close()));
    const errors = uploadErrors(terminals);
    const sum = (f: (t: SimulatedTerminal) => number) => terminals.reduce((n, t) => n + f(t), 0);
    console.info(
      `gateway-kill: ${gateway.killed} kills at rides ${killedAt.join(', ')} of ` +
        `${TERMINALS * RIDES_PER_TERMINAL}; starts ${gateway.startMs.join(', ')} ms; ` +
        `sales ${salesMs} ms, drained ${Date.now() - started} ms; receipts ` +
        `${sum((t) => t.receipts)} (replayed ${sum((t) => t.replayedReceipts)}); ` +
        `upload errors ${JSON.stringify(Object.fromEntries(errors))}`,
    );

    // Step 3: the journals are empty and the gateway holds each record once.
    expect(drained, 'every terminal journal drained').toBe(true);
    expect(gateway.killed).toBeGreaterThanOrEqual(3);
    // The kills hit the terminals: some uploads failed and were retried.
    expect(errors.get('GATEWAY_UNREACHABLE') ?? 0).toBeGreaterThan(0);
    // Only failures worth retrying: never a refusal such as BATCH_SEQUENCE_CONFLICT.
    expect([...errors.keys()].filter((c) => !RETRIED.has(c))).toEqual([]);
    await expectJournalsEmpty(terminals);
    await expectStoredExactlyOnce(gw, terminals);
  }, 90_000);
});

/** (c) Reopened from disk, each journal holds nothing unacknowledged and no batch is in flight. */
async function expectJournalsEmpty(terminals: readonly SimulatedTerminal[]): Promise<void> {
  for (const t of terminals) {
    const journal = await FileJournal.open({ dir: t.dir });
    try {
      expect(t.recorded.size).toBe(RIDES_PER_TERMINAL);
      expect(journal.stats().ackedThrough, t.id).toBe(RIDES_PER_TERMINAL);
      expect(await journal.readPending(10)).toEqual([]);
      expect((await readUploaderState(t.dir)).inFlight, t.id).toBeUndefined();
    } finally {
      await journal.close();
    }
  }
}

interface StoredRow {
  terminal_id: string;
  sequence: number;
  mac: string;
  record_hash: string;
  status: string;
}

/** (a) acknowledged → stored once, as sent; (b) nothing invented; (c) counts; (d) no conflicts. */
async function expectStoredExactlyOnce(
  gw: GatewayTestApp,
  terminals: readonly SimulatedTerminal[],
): Promise<void> {
  const ids = terminals.map((t) => t.id);
  const { rows } = await gw.db.query<StoredRow>(
    `SELECT terminal_id, sequence::int AS sequence, mac, record_hash, status
       FROM transactions WHERE terminal_id = ANY($1) ORDER BY terminal_id, sequence`,
    [ids],
  );
  const stored = new Map<string, StoredRow[]>();
  for (const row of rows) {
    const key = `${row.terminal_id}/${row.sequence}`;
    stored.set(key, [...(stored.get(key) ?? []), row]);
  }
  for (const t of terminals) {
    // (a) Every record the terminal holds as acknowledged is stored once, exactly as it was sent,
    // and a receipt that reached the terminal answered it.
    expect(t.acknowledgedThrough, t.id).toBe(t.recorded.size);
    for (let sequence = 1; sequence <= t.acknowledgedThrough; sequence++) {
      const record = t.recorded.get(sequence);
      const copies = stored.get(`${t.id}/${sequence}`) ?? [];
      expect(t.outcomes.get(sequence), `${t.id}/${sequence}`).toMatch(/^(accepted|duplicate)$/);
      expect(copies.length, `${t.id}/${sequence} stored once`).toBe(1);
      expect(copies[0]?.mac).toBe(record?.mac);
      expect(copies[0]?.record_hash).toBe(record && hashOf(record));
      expect(copies[0]?.status).toBe('accepted');
    }
  }
  // (b) Every stored record is one a terminal recorded, byte for byte.
  for (const row of rows) {
    const record = terminals.find((t) => t.id === row.terminal_id)?.recorded.get(row.sequence);
    expect(record, `${row.terminal_id}/${row.sequence} was recorded`).toBeDefined();
    expect(row.mac).toBe(record?.mac);
  }
  // (c) As many stored as recorded, and every terminal contiguous to its last ride.
  const recorded = terminals.reduce((n, t) => n + t.recorded.size, 0);
  expect(rows.length).toBe(recorded);
  const state = await gw.db.query<{ terminal_id: string; highest: number }>(
    `SELECT terminal_id, highest_contiguous::int AS highest FROM terminal_ingest_state
      WHERE terminal_id = ANY($1)`,
    [ids],
  );
  const highest = new Map(state.rows.map((r) => [r.terminal_id, r.highest]));
  for (const id of ids) expect(highest.get(id), id).toBe(RIDES_PER_TERMINAL);
  // (d) No conflicting record, and no gap noted (each terminal's batches arrived in order).
  const other = await gw.db.query<{ conflicts: number; gaps: number }>(
    `SELECT (SELECT count(*)::int FROM record_conflicts WHERE terminal_id = ANY($1)) AS conflicts,
            (SELECT count(*)::int FROM sequence_gaps WHERE terminal_id = ANY($1)) AS gaps`,
    [ids],
  );
  expect(other.rows[0]).toEqual({ conflicts: 0, gaps: 0 });
}
