import { isConnectionError } from '@citycard/core/db';
import { AppError } from '@citycard/core/errors';
import { parseAmount } from '@citycard/core/money';
import { DEFAULT_ISSUANCE_SCHEMA, type FareSetLookup, type GatewayDeps } from '../deps.js';
import { OUTBOX_TOPICS } from '../postprocess/index.js';
import {
  assertStillCurrent,
  sealedKeyOf,
  terminalCacheOf,
  type TerminalPrincipal,
} from '../terminals/index.js';
import {
  HotlistCache,
  counterCandidates,
  publishedFareSets,
  reasonsFrom,
  replaysAmong,
  type VerifyContext,
} from '../verification/index.js';
import { businessDay } from './business-day.js';
import { advance } from './contiguity.js';
import { writeUpload, type InsertContext, type RecordRow } from './ingest.repository.js';
import { preflight, type Preflight } from './preflight.repository.js';
import { recordHashOf } from './record-hash.js';
import { TerminalQueue } from './terminal-queue.js';
import { planUpload, replayOf, type IngestResult, type Upload } from './upload-plan.js';

export type { IngestResult, Upload } from './upload-plan.js';

const DAY_MS = 86_400_000;

interface Sources {
  fareSets: FareSetLookup;
  hotlist: HotlistCache;
}

// Per deps (one per process in production): fare sets and the hotlist are read once and kept.
const sourcesByDeps = new WeakMap<GatewayDeps, Sources>();

export function sourcesOf(deps: GatewayDeps): Sources {
  let sources = sourcesByDeps.get(deps);
  if (sources === undefined) {
    const schema = deps.issuanceSchema ?? DEFAULT_ISSUANCE_SCHEMA;
    sources = {
      fareSets: deps.fareSets ?? publishedFareSets(deps.db),
      hotlist: new HotlistCache(deps.db, schema),
    };
    sourcesByDeps.set(deps, sources);
  }
  return sources;
}

export function verifyContext(
  deps: GatewayDeps,
  receivedAt: Date,
  createdAt: Date | undefined,
): VerifyContext {
  const { settings } = deps;
  const reference = createdAt !== undefined && createdAt < receivedAt ? createdAt : receivedAt;
  return {
    db: deps.db,
    issuanceSchema: deps.issuanceSchema ?? DEFAULT_ISSUANCE_SCHEMA,
    ...sourcesOf(deps),
    latestPlausible: new Date(reference.getTime() + settings.recordFutureToleranceSeconds * 1000),
    earliestPlausible: new Date(receivedAt.getTime() - settings.recordMaxAgeDays * DAY_MS),
    maxRecordAmount: parseAmount(settings.maxRecordAmount),
    timeZone: settings.businessDayTimeZone,
  };
}

/** Reads what the upload is checked against (one round trip) and refuses a stale terminal. */
async function check(
  deps: GatewayDeps,
  terminal: TerminalPrincipal,
  upload: Upload,
  hashes: readonly string[],
): Promise<Preflight & { counters: ReturnType<typeof counterCandidates> }> {
  const counters = counterCandidates(upload.records, hashes);
  const facts = await preflight(deps.db, {
    issuanceSchema: deps.issuanceSchema ?? DEFAULT_ISSUANCE_SCHEMA,
    hotlist: sourcesOf(deps).hotlist,
    terminalId: terminal.id,
    batchSequence: upload.batch?.batchSequence ?? null,
    sequences: upload.records.map((r) => r.sequence),
    cardNumbers: [...new Set(upload.records.map((r) => r.cardNumber))],
    counters,
  });
  const sealedKey = sealedKeyOf(terminal);
  if (sealedKey !== undefined) {
    assertStillCurrent(terminalCacheOf(deps), { id: terminal.id, sealedKey }, facts.terminal);
  }
  return { ...facts, counters };
}

async function classify(
  deps: GatewayDeps,
  upload: Upload,
  hashes: readonly string[],
  facts: Awaited<ReturnType<typeof check>>,
  receivedAt: Date,
): Promise<RecordRow[]> {
  const createdAt = upload.batch === undefined ? undefined : new Date(upload.batch.createdAt);
  const ctx = verifyContext(deps, receivedAt, createdAt);
  const versions = new Set<string>();
  for (const r of upload.records) if (r.fare !== undefined) versions.add(r.fare.fareSetVersion);
  const uids = [...new Set(upload.records.map((r) => r.uid))];
  const cardNumbers = [...new Set(upload.records.map((r) => r.cardNumber))];
  const reasons = reasonsFrom(
    upload.records,
    {
      cards: facts.cards,
      hotlist: ctx.hotlist.history(uids, cardNumbers),
      replays: replaysAmong(facts.counters, facts.taken),
      fareSets: versions.size === 0 ? new Map() : await ctx.fareSets([...versions]),
    },
    ctx,
  );
  return upload.records.map((record, i) => {
    const reason = reasons[i];
    return {
      record,
      hash: hashes[i] ?? '',
      status: reason === undefined ? 'accepted' : 'quarantined',
      reason: reason ?? null,
    };
  });
}

/** How many times an upload is checked again when other uploads of its terminal keep landing first. */
const MAX_ATTEMPTS = 8;

const queues = new WeakMap<GatewayDeps, TerminalQueue>();

export function queueOf(deps: GatewayDeps): TerminalQueue {
  let queue = queues.get(deps);
  if (queue === undefined) {
    queue = new TerminalQueue();
    queues.set(deps, queue);
  }
  return queue;
}

const isCounterTaken = (err: unknown): boolean =>
  (err as { code?: string; constraint?: string }).code === '23505' &&
  (err as { constraint?: string }).constraint === 'transactions_counter_once';

export const dbError = (err: unknown): unknown =>
  isConnectionError(err) ? new AppError('DB_UNAVAILABLE', { cause: err }) : err;

/**
 * One try: read, verify, decide every outcome, then write it all in one statement that holds
 * only if no other upload of the terminal was written since the read. Undefined: one was.
 */
async function attempt(
  deps: GatewayDeps,
  terminal: TerminalPrincipal,
  upload: Upload,
  hashes: readonly string[],
): Promise<IngestResult | undefined> {
  const { batch } = upload;
  const facts = await check(deps, terminal, upload, hashes);
  if (batch && facts.prior) return replayOf(facts.prior, batch);
  const receivedAt = deps.clock();
  const rows = await classify(deps, upload, hashes, facts, receivedAt);
  const { businessDayTimeZone, businessDayCutoff } = deps.settings;
  const ctx: InsertContext = {
    terminalId: terminal.id,
    operatorId: terminal.operatorId,
    batchSequence: batch?.batchSequence ?? null,
    receivedAt,
    businessDay: businessDay(receivedAt, businessDayTimeZone, businessDayCutoff),
  };
  const position = await advance(deps.db, ctx, facts.state, {
    first: upload.first,
    last: upload.last,
  });
  const { write, result } = planUpload({
    terminalId: terminal.id,
    upload,
    rows,
    state: facts.state,
    existing: facts.existing,
    position,
    outboxTopic: batch === undefined ? OUTBOX_TOPICS.recordStored : OUTBOX_TOPICS.batchStored,
    receivedAt,
  });
  return (await writeUpload(deps.db, ctx, write)) ? result : undefined;
}

/**
 * Stores an upload and answers only once it is committed: every record ends up accepted,
 * quarantined (with its reason), a duplicate of what is stored, or a conflict kept apart. No lock
 * is held across round trips: the read and the write are one statement each, and the write
 * names the terminal version it was decided on (two round trips, three when the upload fills an
 * earlier gap). One terminal's uploads take turns within the process; another upload of the
 * same terminal landing in between (from another process) sends this one round again.
 */
export async function ingest(
  deps: GatewayDeps,
  terminal: TerminalPrincipal,
  upload: Upload,
): Promise<IngestResult> {
  // Hashed once: the counter check, the write and the duplicate comparison all use it.
  const hashes = upload.macInputs.map(recordHashOf);
  return queueOf(deps).run(terminal.id, () => ingestInTurn(deps, terminal, upload, hashes));
}

/** ingest, for a caller already holding the terminal's turn in its queue. */
export async function ingestInTurn(
  deps: GatewayDeps,
  terminal: TerminalPrincipal,
  upload: Upload,
  hashes: readonly string[],
): Promise<IngestResult> {
  for (let round = 1; round <= MAX_ATTEMPTS; round++) {
    let result: IngestResult | undefined;
    try {
      result = await attempt(deps, terminal, upload, hashes);
    } catch (err) {
      // Another terminal's record took one of this upload's (card, counter) pairs since the
      // read: go round again, and the check will quarantine ours as a replay.
      if (isCounterTaken(err)) continue;
      throw dbError(err);
    }
    if (result !== undefined) return result;
  }
  throw new AppError('INGEST_CONTENDED', { details: { terminalId: terminal.id } });
}
