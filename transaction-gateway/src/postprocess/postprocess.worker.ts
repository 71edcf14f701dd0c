import type pg from 'pg';
import { withTransaction } from '@citycard/core/db';
import type { Logger } from '@citycard/core/logging';
import type { AppWorker, QueueFactory } from '@citycard/core/queue';
import type { FareSet } from '@citycard/terminal-sdk/fare';
import {
  cardRecords,
  cardsOfJob,
  concessionOf,
  fareSetsByVersion,
} from './card-records.repository.js';
import { recordFindings } from './anomalies.repository.js';
import { continuityFindings, type Finding } from './continuity.js';
import { checkFareDay, dayIsComplete, groupByServiceDay } from './fare-day-check.js';
import { POSTPROCESS_QUEUE, type OutboxPayload } from './outbox.js';

export interface PostprocessDeps {
  /** Connections see the gateway schema first. */
  readonly db: pg.Pool;
  readonly log: Pick<Logger, 'info' | 'warn' | 'error'>;
  readonly clock: () => Date;
  readonly issuanceSchema?: string;
  /** Where fare sets come from; default: the published fare_sets table. */
  readonly fareSets?: (versions: readonly string[]) => Promise<ReadonlyMap<string, FareSet>>;
}

export interface CardCheck {
  readonly cardNumber: string;
  readonly records: number;
  /** Findings stored by this run (earlier ones are not repeated). */
  readonly found: readonly Finding[];
}

/**
 * Re-checks one card from everything stored for it: the purse counter and balance chain, and each
 * complete service day re-priced. A pure function of the stored records, so running it again,
 * or for jobs that arrive out of order, gives the same anomalies.
 */
export async function checkCard(deps: PostprocessDeps, cardNumber: string): Promise<CardCheck> {
  return withTransaction(deps.db, async (tx) => {
    // One run per card at a time; runs for other cards go on in parallel.
    await tx.query("SELECT pg_advisory_xact_lock(hashtext('gateway.card-check:' || $1))", [
      cardNumber,
    ]);
    const { chain, transit } = await cardRecords(tx, cardNumber);
    const findings: Finding[] = continuityFindings(chain);
    const versions = [...new Set(transit.map((r) => r.fareSetVersion))];
    const sets = await (deps.fareSets ?? ((v) => fareSetsByVersion(tx, v)))(versions);
    const known = new Set(chain.filter((r) => r.inChain).map((r) => r.purseCounter));
    const checkedDays = new Set<string>();
    if (transit.length > 0) {
      const card = {
        concession: await concessionOf(tx, deps.issuanceSchema ?? 'issuance', cardNumber),
        concessionUntil: null,
      };
      for (const group of groupByServiceDay(transit, sets)) {
        if (!dayIsComplete(group, known)) continue;
        checkedDays.add(`fare:${group.set.version}:${group.serviceDate}`);
        const finding = checkFareDay(group, card);
        if (finding !== undefined) findings.push(finding);
      }
    }
    const inScope = (kind: string, key: string): boolean =>
      kind !== 'fare_day_mismatch' || checkedDays.has(key);
    const found = await recordFindings(tx, cardNumber, findings, deps.clock(), inScope);
    return { cardNumber, records: chain.length, found };
  });
}

/** Handles one job from the outbox: every card it concerns is checked. */
export async function processPostprocessJob(
  deps: PostprocessDeps,
  name: string,
  data: unknown,
): Promise<{ cards: number; found: number }> {
  const payload = (typeof data === 'object' && data !== null ? data : {}) as OutboxPayload;
  const cards = await cardsOfJob(deps.db, payload);
  let found = 0;
  for (const cardNumber of cards) {
    const result = await checkCard(deps, cardNumber);
    found += result.found.length;
    for (const f of result.found) {
      deps.log.warn(
        { job: name, kind: f.kind, terminalId: f.terminalId, sequence: f.sequence },
        'card anomaly',
      );
    }
  }
  return { cards: cards.length, found };
}

export function startPostprocessWorker(
  queues: QueueFactory,
  deps: PostprocessDeps,
  options: { queueName?: string; concurrency?: number } = {},
): AppWorker {
  return queues.worker(
    options.queueName ?? POSTPROCESS_QUEUE,
    (job) => processPostprocessJob(deps, job.name, job.data),
    { concurrency: options.concurrency ?? 4 },
  );
}
