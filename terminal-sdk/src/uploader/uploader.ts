import { AppError, isAppError } from '@citycard/core/errors';
import type { Journal } from '../journal/index.js';
import {
  MAX_BATCH_RECORDS,
  PROTOCOL_PATHS,
  buildBatch,
  receiptSchema,
  transactionRecordSchema,
  type Batch,
  type Receipt,
  type SkippedRange,
  type TransactionRecord,
} from '../protocol/index.js';
import { backoffDelay, realSleep, type BackoffOptions } from './backoff.js';
import type { GatewayClient } from './gateway-client.js';
import { readUploaderState, writeUploaderState, type UploaderState } from './uploader-state.js';

export interface UploaderOptions {
  journal: Journal;
  /** Signs requests (see GatewayClient.withAuth); the batch MAC needs the key itself. */
  client: GatewayClient;
  credentials: { terminalId: string; macKeyId: string; macKey: Buffer };
  /** Where the uploader keeps its state file (usually the journal's directory). */
  stateDir: string;
  batchSize?: number;
  /** Attempts per batch before uploadOnce gives up (the batch stays in flight for next time). */
  maxAttempts?: number;
  backoff?: BackoffOptions;
  sleep?: (ms: number) => Promise<void>;
  now?: () => Date;
}

export interface UploadResult {
  readonly batchSequence: number;
  readonly records: number;
  readonly receipt: Receipt;
  readonly acknowledgedThrough: number;
  readonly attempts: number;
}

export interface Uploader {
  /** Sends one batch (the one in flight, else a new one); undefined when nothing is pending. */
  uploadOnce(): Promise<UploadResult | undefined>;
  /** Sends batches until the journal has nothing unacknowledged. */
  drain(): Promise<UploadResult[]>;
}

function decodeRecord(payload: Buffer): TransactionRecord {
  const parsed = transactionRecordSchema.safeParse(JSON.parse(payload.toString('utf8')));
  if (!parsed.success)
    throw new AppError('JOURNAL_CORRUPT', { message: 'A journal record is damaged' });
  return parsed.data;
}

/**
 * The highest sequence the receipt lets the journal drop: every record up to it has an outcome
 * (accepted, duplicate, quarantined or conflict all mean "stored"); skipped ranges need none.
 */
export function acknowledgedThrough(batch: Batch, receipt: Receipt): number {
  const answered = new Set(receipt.outcomes.map((o) => o.sequence));
  const missing = batch.records.find((r) => !answered.has(r.sequence));
  return missing ? missing.sequence - 1 : batch.lastSequence;
}

/** Batches from the journal, one at a time (calls are serialised, so batches never interleave). */
class JournalUploader implements Uploader {
  readonly #opts: UploaderOptions;
  readonly #batchSize: number;
  #state: UploaderState | undefined;
  #chain: Promise<unknown> = Promise.resolve();

  constructor(options: UploaderOptions) {
    this.#opts = options;
    this.#batchSize = Math.min(options.batchSize ?? 200, MAX_BATCH_RECORDS);
  }

  uploadOnce(): Promise<UploadResult | undefined> {
    const run = this.#chain.then(() => this.#uploadOnce());
    this.#chain = run.catch(() => undefined);
    return run;
  }

  async drain(): Promise<UploadResult[]> {
    const results: UploadResult[] = [];
    for (let r = await this.uploadOnce(); r; r = await this.uploadOnce()) results.push(r);
    return results;
  }

  async #uploadOnce(): Promise<UploadResult | undefined> {
    this.#state ??= await readUploaderState(this.#opts.stateDir);
    const batch = await this.#nextBatch(this.#state);
    if (!batch) return undefined;
    const { receipt, attempts } = await this.#send(batch);
    const through = acknowledgedThrough(batch, receipt);
    if (through < batch.firstSequence) {
      // Kept in flight: a receipt that stores nothing would otherwise make drain() spin.
      throw new AppError('GATEWAY_RESPONSE_INVALID', { message: 'The receipt answers no record' });
    }
    await this.#opts.journal.acknowledge(through);
    await this.#saveState({ nextBatchSequence: batch.batchSequence + 1, headHash: batch.headHash });
    const { batchSequence, count: records } = batch;
    return { batchSequence, records, receipt, acknowledgedThrough: through, attempts };
  }

  async #saveState(state: UploaderState): Promise<void> {
    await writeUploaderState(this.#opts.stateDir, state);
    this.#state = state;
  }

  async #nextBatch(current: UploaderState): Promise<Batch | undefined> {
    if (current.inFlight) return current.inFlight;
    const items = await this.#opts.journal.readPending(this.#batchSize);
    if (items.length === 0) return undefined;
    const records: TransactionRecord[] = [];
    const skipped: SkippedRange[] = [];
    for (const item of items) {
      if (item.kind === 'record') records.push(decodeRecord(item.payload));
      else skipped.push({ from: item.from, to: item.to });
    }
    const batch = buildBatch({
      ...this.#opts.credentials,
      batchSequence: current.nextBatchSequence,
      prevHash: current.headHash,
      records,
      skipped,
      createdAt: (this.#opts.now ?? (() => new Date()))().toISOString(),
    });
    // Saved before the first send: a restart resends these very bytes under the same number.
    await this.#saveState({ ...current, inFlight: batch });
    return batch;
  }

  async #send(batch: Batch): Promise<{ receipt: Receipt; attempts: number }> {
    const maxAttempts = this.#opts.maxAttempts ?? 8;
    for (let attempt = 1; ; attempt++) {
      try {
        const { data } = await this.#opts.client.request(
          'POST',
          PROTOCOL_PATHS.batches,
          receiptSchema,
          {
            body: batch,
          },
        );
        if (data?.batchSequence !== batch.batchSequence || data.terminalId !== batch.terminalId) {
          throw new AppError('GATEWAY_RESPONSE_INVALID', {
            message: 'The receipt is for another batch',
          });
        }
        return { receipt: data, attempts: attempt };
      } catch (error) {
        if (!isAppError(error) || !error.retryable || attempt >= maxAttempts) throw error;
        await (this.#opts.sleep ?? realSleep)(backoffDelay(attempt - 1, this.#opts.backoff));
      }
    }
  }
}

export function createUploader(options: UploaderOptions): Uploader {
  return new JournalUploader(options);
}
