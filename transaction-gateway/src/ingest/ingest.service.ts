import { AppError } from '@citycard/core/errors';
import { parseAmount } from '@citycard/core/money';
import {
  batchHeaderOf,
  type Batch,
  type Receipt,
  type RecordOutcome,
  type SkippedRange,
  type TransactionRecord,
} from '@citycard/terminal-sdk/protocol';
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
import { ingestTransaction } from './ingest-transaction.js';
import {
  batchInsertSql,
  writeUpload,
  type BatchRow,
  type Completion,
  type InsertContext,
  type RecordRow,
  type Stored,
} from './ingest.repository.js';
import { preflight, type Preflight } from './preflight.repository.js';
import { recordHash } from './record-hash.js';

/** What one upload (a batch, or a single record) brings. */
export interface Upload {
  batch?: Batch;
  records: readonly TransactionRecord[];
  skipped: readonly SkippedRange[];
  first: number;
  last: number;
}

export interface IngestResult {
  outcomes: RecordOutcome[];
  highestContiguousSequence: number;
  receivedAt: Date;
  /** Set for a batch: the receipt as stored (and answered). */
  receipt?: Receipt;
  replayed: boolean;
}

const DAY_MS = 86_400_000;

interface Sources {
  fareSets: FareSetLookup;
  hotlist: HotlistCache;
}

// Per deps (one per process in production): fare sets and the hotlist are read once and kept.
const sourcesByDeps = new WeakMap<GatewayDeps, Sources>();

function sourcesOf(deps: GatewayDeps): Sources {
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

function verifyContext(
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

function outcomeOf(row: RecordRow, inserted: boolean, stored: string | undefined): RecordOutcome {
  const sequence = row.record.sequence;
  if (inserted) {
    return row.reason === null
      ? { sequence, outcome: 'accepted' }
      : { sequence, outcome: 'quarantined', reason: row.reason };
  }
  return stored === row.hash
    ? { sequence, outcome: 'duplicate' }
    : { sequence, outcome: 'conflict' };
}

type Prior = { mac: string; receipt: Receipt };

/** The identical batch again answers its first receipt; other content under its number is refused. */
function replayOf(prior: Prior, batch: Batch): IngestResult {
  if (prior.mac !== batch.mac) {
    throw new AppError('BATCH_SEQUENCE_CONFLICT', {
      details: { batchSequence: batch.batchSequence },
    });
  }
  const receipt: Receipt = { ...prior.receipt, replayed: true };
  return {
    outcomes: receipt.outcomes,
    highestContiguousSequence: receipt.highestContiguousSequence,
    receivedAt: new Date(receipt.receivedAt),
    receipt,
    replayed: true,
  };
}

function count(outcomes: readonly RecordOutcome[], kind: RecordOutcome['outcome']): number {
  return outcomes.filter((o) => o.outcome === kind).length;
}

function receiptOf(batch: Batch, outcomes: RecordOutcome[], highest: number, at: Date): Receipt {
  return {
    v: 1,
    terminalId: batch.terminalId,
    batchSequence: batch.batchSequence,
    accepted: count(outcomes, 'accepted'),
    duplicate: count(outcomes, 'duplicate'),
    quarantined: count(outcomes, 'quarantined'),
    conflict: count(outcomes, 'conflict'),
    outcomes,
    highestContiguousSequence: highest,
    replayed: false,
    receivedAt: at.toISOString(),
  };
}

/**
 * Stores an upload in one transaction and answers only once it has committed: every record ends
 * up accepted, quarantined (with its reason), a duplicate of what is stored, or a conflict kept
 * apart. Verification reads run before the transaction, so the terminal's lock is held briefly.
 */
/** Outcomes of the records once written; a conflict outside `maybeStored` means the state row lies. */
function outcomesOf(rows: readonly RecordRow[], stored: Stored, c: Completion): RecordOutcome[] {
  const outcomes = rows.map((r) =>
    outcomeOf(r, stored.inserted.has(r.record.sequence), stored.existing.get(r.record.sequence)),
  );
  const checked = new Set(c.maybeStored.map((r) => r.record.sequence));
  for (const o of outcomes) {
    if (o.outcome === 'conflict' && !checked.has(o.sequence)) {
      throw new Error("a stored sequence above the terminal's highest seen");
    }
  }
  return outcomes;
}

function batchRowOf(batch: Batch, receipt: Receipt): BatchRow {
  return {
    mac: batch.mac,
    header: batchHeaderOf(batch),
    count: batch.count,
    amountTotal: batch.amountTotal,
    receipt,
  };
}

/**
 * Stores an upload in one transaction and answers only once it has committed: every record ends
 * up accepted, quarantined (with its reason), a duplicate of what is stored, or a conflict kept
 * apart. Verification reads run before the transaction, so the terminal's lock is held briefly:
 * inside it, one statement writes everything but the batch row, which goes with COMMIT.
 */
export async function ingest(
  deps: GatewayDeps,
  terminal: TerminalPrincipal,
  upload: Upload,
): Promise<IngestResult> {
  const { batch } = upload;
  // Hashed once: the counter check, the write and the duplicate comparison all use it.
  const hashes = upload.records.map(recordHash);
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
  return ingestTransaction(deps.db, ctx.terminalId, async (tx, state) => {
    const before = {
      highestContiguous: Number(state.highest_contiguous),
      highestSeen: Number(state.highest_seen),
    };
    const position = await advance(tx, ctx, before, { first: upload.first, last: upload.last });
    const completion: Completion = {
      ...position,
      skipped: upload.skipped,
      maybeStored: rows.filter((r) => r.record.sequence <= before.highestSeen),
      outboxTopic: batch === undefined ? OUTBOX_TOPICS.recordStored : OUTBOX_TOPICS.batchStored,
    };
    const stored = await writeUpload(tx, ctx, rows, completion);
    if (batch && stored.prior) return { result: replayOf(stored.prior, batch) };
    const outcomes = outcomesOf(rows, stored, completion);
    const highest = position.highestContiguous;
    const receipt = batch && receiptOf(batch, outcomes, highest, receivedAt);
    const result = { outcomes, highestContiguousSequence: highest, receivedAt, receipt };
    return {
      result: { ...result, replayed: false },
      beforeCommit:
        batch && receipt
          ? batchInsertSql((v) => tx.escapeLiteral(v), ctx, batchRowOf(batch, receipt))
          : undefined,
    };
  });
}
