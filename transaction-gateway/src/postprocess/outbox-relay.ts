import type pg from 'pg';
import { withTransaction } from '@citycard/core/db';
import type { Logger } from '@citycard/core/logging';
import type { QueueFactory } from '@citycard/core/queue';
import { outboxPending, outboxRelayedTotal, outboxRelayFailuresTotal } from '../metrics/index.js';
import { OUTBOX_TOPICS, POSTPROCESS_QUEUE, type OutboxPayload } from './outbox.js';

export interface OutboxRelayOptions {
  /** Its connections see the gateway schema first (the outbox table). */
  readonly db: pg.Pool;
  readonly queues: QueueFactory;
  readonly log: Pick<Logger, 'info' | 'warn' | 'error'>;
  readonly queueName?: string;
  readonly batchSize?: number;
  /** Pause between rounds when the outbox is empty. */
  readonly idleMs?: number;
  /** Longest pause after failures (doubling from idleMs). */
  readonly maxBackoffMs?: number;
  /** A queue that does not answer in this time counts as down for this round. */
  readonly enqueueTimeoutMs?: number;
  /** Only these topics (default: all), for relays split by topic. */
  readonly topics?: readonly string[];
  /** No background loop: the caller drives relayOnce() (tests, a one-shot command). */
  readonly manual?: boolean;
}

export interface OutboxRelay {
  /** One round: moves up to batchSize rows; resolves to how many moved. Throws when the queue is down. */
  relayOnce(): Promise<number>;
  stop(): Promise<void>;
}

interface OutboxRow {
  id: string;
  topic: string;
  payload: unknown;
}

/** Cards re-checked by one coalesced job: a job checks its cards one after another. */
const CARDS_PER_JOB = 100;

function cardsOf(payload: unknown): readonly string[] | undefined {
  const cards: unknown = (payload as OutboxPayload | null)?.cardNumbers;
  if (!Array.isArray(cards) || cards.length === 0) return undefined;
  return cards.every((c): c is string => typeof c === 'string') ? cards : undefined;
}

/**
 * The jobs for one round's rows. Post-processing is a pure function of each card's stored
 * records, so a job only needs to name the cards: rows that name theirs (every ingest row does)
 * are merged into `cards.changed` jobs of up to CARDS_PER_JOB cards, one job for a few hundred
 * single records instead of one each. Other rows go on as they are. A round sent twice (the
 * relay died before marking it) may be split differently: its cards are checked again, harmlessly.
 */
export function jobsOf(
  rows: readonly OutboxRow[],
): { name: string; data: unknown; jobId: string }[] {
  const jobs: { name: string; data: unknown; jobId: string }[] = [];
  let cards = new Set<string>();
  let firstId: string | undefined;
  let lastId = '';
  const flush = (): void => {
    if (firstId === undefined) return;
    jobs.push({
      name: OUTBOX_TOPICS.cardsChanged,
      data: { cardNumbers: [...cards] },
      jobId: `outbox-${firstId}-${lastId}`,
    });
    cards = new Set();
    firstId = undefined;
  };
  for (const row of rows) {
    const named = cardsOf(row.payload);
    if (named === undefined) {
      jobs.push({ name: row.topic, data: row.payload, jobId: `outbox-${row.id}` });
      continue;
    }
    if (named.some((c) => !cards.has(c)) && cards.size + named.length > CARDS_PER_JOB) flush();
    firstId ??= row.id;
    lastId = row.id;
    for (const c of named) cards.add(c);
  }
  flush();
  return jobs;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, fail) => {
    timer = setTimeout(() => fail(new Error(`queue did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Waits `ms`, or less if `signal` aborts; its listener goes with the wait, so idle loops leak none. */
export const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((done) => {
    const wake = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', wake);
      done();
    };
    const timer = setTimeout(wake, ms);
    signal.addEventListener('abort', wake, { once: true });
  });

/**
 * Moves outbox rows to the post-processing queue. Ingest only ever inserts outbox rows in its
 * own transaction, so it never waits on the queue; while the queue is down the rows wait here
 * and the relay retries with back-off. Rows are taken FOR UPDATE SKIP LOCKED (several relays
 * may run) and marked only after the queue took them; the job id is the row id, so a row sent
 * twice (marked after a crash) is one job.
 */
export function startOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const queueName = options.queueName ?? POSTPROCESS_QUEUE;
  const batchSize = options.batchSize ?? 500;
  const idleMs = options.idleMs ?? 500;
  const maxBackoffMs = options.maxBackoffMs ?? 30_000;
  const timeoutMs = options.enqueueTimeoutMs ?? 5_000;
  const queue = options.queues.queue(queueName);
  const abort = new AbortController();

  const relayOnce = (): Promise<number> =>
    withTransaction(options.db, async (tx) => {
      const { rows } = await tx.query<OutboxRow>(
        `SELECT id::text, topic, payload FROM outbox
          WHERE relayed_at IS NULL AND ($2::text[] IS NULL OR topic = ANY($2::text[]))
          ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [batchSize, options.topics ?? null],
      );
      if (rows.length === 0) return 0;
      const jobs = jobsOf(rows).map((j) => ({
        ...j,
        opts: { jobId: j.jobId, attempts: 5, backoff: { type: 'exponential', delay: 1000 } },
      }));
      await withTimeout(queue.addBulk(jobs), timeoutMs);
      await tx.query('UPDATE outbox SET relayed_at = now() WHERE id = ANY($1::bigint[])', [
        rows.map((r) => r.id),
      ]);
      outboxRelayedTotal.inc(rows.length);
      return rows.length;
    });

  const countPending = async (): Promise<void> => {
    const { rows } = await options.db.query<{ n: string }>(
      `SELECT count(*)::text AS n FROM outbox
        WHERE relayed_at IS NULL AND ($1::text[] IS NULL OR topic = ANY($1::text[]))`,
      [options.topics ?? null],
    );
    outboxPending.set(Number(rows[0]?.n ?? 0));
  };

  const loop = async (): Promise<void> => {
    let failures = 0;
    while (!abort.signal.aborted) {
      let moved = 0;
      try {
        moved = await relayOnce();
        if (failures > 0) options.log.info({ queue: queueName }, 'outbox relay reached the queue');
        failures = 0;
      } catch (err) {
        failures += 1;
        outboxRelayFailuresTotal.inc();
        if (failures === 1 || failures % 20 === 0) {
          options.log.warn({ err, queue: queueName, failures }, 'outbox relay: queue unreachable');
        }
      }
      await countPending().catch(() => undefined);
      if (moved === batchSize) continue;
      const pause = failures === 0 ? idleMs : Math.min(maxBackoffMs, idleMs * 2 ** failures);
      await sleep(pause, abort.signal);
    }
  };

  const running = options.manual === true ? Promise.resolve() : loop();
  return {
    relayOnce,
    async stop() {
      abort.abort();
      await running;
    },
  };
}
