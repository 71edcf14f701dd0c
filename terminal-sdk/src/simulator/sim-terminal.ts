import { join } from 'node:path';
import { isAppError } from '@citycard/core/errors';
import { openJournal, type FileJournal } from '../journal/index.js';
import type { Receipt } from '../protocol/index.js';
import { createRecorder, type TransactionRecorder } from '../recorder/index.js';
import { HotlistStore, SyncClient } from '../sync/index.js';
import { MemoryPendingTapStore } from '../tap/index.js';
import { GatewayClient, createUploader, type Uploader } from '../uploader/index.js';
import type { TerminalSpec } from './city.js';
import type { SimKeys } from './sim-gateway.js';

export type UploadPhase = 'day' | 'late';

export interface TerminalTally {
  records: number;
  batches: Record<UploadPhase, number>;
  uploadedRecords: number;
  receipts: { accepted: number; duplicate: number; quarantined: number; conflict: number };
  /** Upload attempts the gateway refused or that failed, by error code. */
  refusals: Record<string, number>;
  syncFailures: number;
}

export interface SimTerminal {
  readonly spec: TerminalSpec;
  readonly client: GatewayClient;
  /** The id the gateway knows the terminal by (from enrolment; the spec's id otherwise). */
  readonly terminalId: string;
  readonly offline: boolean;
  readonly wrongKey: boolean;
  readonly journal: FileJournal;
  readonly recorder: TransactionRecorder;
  readonly uploader: Uploader;
  readonly hotlist: HotlistStore;
  readonly sync: SyncClient;
  readonly pending: MemoryPendingTapStore;
  readonly tally: TerminalTally;
}

export interface OpenTerminalInput {
  readonly spec: TerminalSpec;
  readonly dir: string;
  readonly url: string;
  readonly keys: SimKeys;
  readonly offline: boolean;
  /** Replaces the key the gateway holds: every batch of this terminal should be refused. */
  readonly wrongMacKey?: Buffer;
  readonly batchSize: number;
  readonly clock?: () => Date;
}

/** A terminal's own journal, recorder, uploader, hotlist and pending-tap store. */
export async function openSimTerminal(input: OpenTerminalInput): Promise<SimTerminal> {
  const { spec, keys } = input;
  const macKey = input.wrongMacKey ?? keys.macKey;
  const credentials = { terminalId: keys.terminalId, macKeyId: keys.macKeyId, macKey };
  const stateDir = join(input.dir, 'journal');
  const journal = await openJournal({ dir: stateDir });
  const now = input.clock ?? (() => new Date());
  const client = new GatewayClient({
    baseUrl: input.url,
    auth: credentials,
    timeoutMs: 15_000,
    now,
    ...(keys.tls === undefined ? {} : { tls: keys.tls }),
  });
  const hotlist = new HotlistStore();
  return {
    spec,
    client,
    terminalId: keys.terminalId,
    offline: input.offline,
    wrongKey: input.wrongMacKey !== undefined,
    journal,
    recorder: createRecorder({ journal, credentials }),
    uploader: createUploader({
      journal,
      client,
      credentials,
      stateDir,
      batchSize: input.batchSize,
      maxAttempts: 3,
      backoff: { baseMs: 50, maxMs: 400 },
      now,
    }),
    hotlist,
    sync: new SyncClient({ client, hotlist, now: () => now().getTime() }),
    pending: new MemoryPendingTapStore(),
    tally: {
      records: 0,
      batches: { day: 0, late: 0 },
      uploadedRecords: 0,
      receipts: { accepted: 0, duplicate: 0, quarantined: 0, conflict: 0 },
      refusals: {},
      syncFailures: 0,
    },
  };
}

function countReceipt(tally: TerminalTally, receipt: Receipt): void {
  tally.receipts.accepted += receipt.accepted;
  tally.receipts.duplicate += receipt.duplicate;
  tally.receipts.quarantined += receipt.quarantined;
  tally.receipts.conflict += receipt.conflict;
}

/**
 * Sends every unacknowledged record, batch by batch. A refusal is counted and ends this attempt:
 * the records stay in the journal (and the batch in flight) for the next one.
 */
export async function uploadTerminal(t: SimTerminal, phase: UploadPhase): Promise<void> {
  for (;;) {
    let result;
    try {
      result = await t.uploader.uploadOnce();
    } catch (error) {
      if (!isAppError(error)) throw error;
      t.tally.refusals[error.code] = (t.tally.refusals[error.code] ?? 0) + 1;
      return;
    }
    if (result === undefined) return;
    t.tally.batches[phase] += 1;
    t.tally.uploadedRecords += result.records;
    // A replayed receipt answers a batch whose first answer was lost: it was never counted.
    countReceipt(t.tally, result.receipt);
  }
}

/** Pulls the hotlist delta; a terminal that cannot reach the gateway keeps the list it has. */
export async function syncTerminal(t: SimTerminal): Promise<void> {
  try {
    await t.sync.syncHotlist();
  } catch (error) {
    if (!isAppError(error)) throw error;
    t.tally.syncFailures += 1;
  }
}

/** Records durable in the journal and not yet acknowledged by a receipt. */
export function journalLeftover(t: SimTerminal): number {
  const stats = t.journal.stats();
  return stats.durableThrough - stats.ackedThrough;
}
