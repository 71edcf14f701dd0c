import { parseAmount } from '@citycard/core/money';
import { isAppError } from '@citycard/core/errors';
import { EMPTY_RIDER_STATE, SAMPLE_CITY_FARE_SET, priceTap } from '@citycard/terminal-sdk/fare';
import { FileJournal, type Journal, type JournalItem } from '@citycard/terminal-sdk/journal';
import {
  PROTOCOL_PATHS,
  receiptSchema,
  type RecordDraft,
  type TransactionRecord,
} from '@citycard/terminal-sdk/protocol';
import { createRecorder, type TransactionRecorder } from '@citycard/terminal-sdk/recorder';
import {
  GatewayClient,
  createUploader,
  startUploadLoop,
  type FetchLike,
  type UploadLoop,
} from '@citycard/terminal-sdk/uploader';
import type { SeededRandom } from '@citycard/terminal-sdk/simulator';
import type { TerminalCredentials, TestCard } from '@citycard/transaction-gateway/testing';

const CONCESSIONS: Record<string, string> = {
  standard: 'FULL',
  student: 'STUDENT',
  senior: 'SENIOR',
};

export interface SimulatedTerminalOptions {
  readonly credentials: TerminalCredentials;
  /** Cards only this terminal taps, so purse counters never collide across terminals. */
  readonly cards: readonly TestCard[];
  /** The journal's and the uploader state's directory. */
  readonly dir: string;
  readonly gatewayUrl: string;
  readonly random: SeededRandom;
  readonly batchSize: number;
}

/** A J1 bus ride priced by the fare engine, as a validator writes it after a tap. */
function rideDraft(card: TestCard, purseCounter: number, operatorId: string): RecordDraft {
  const at = new Date(Date.now() - 1000);
  const priced = priceTap(SAMPLE_CITY_FARE_SET, {
    card: { concession: CONCESSIONS[card.productCode] ?? 'FULL', concessionUntil: null },
    tap: { at, operatorId, routeId: 'J1', mode: 'flat' },
    state: EMPTY_RIDER_STATE,
  });
  const before = parseAmount('80.00');
  return {
    type: priced.type,
    cardNumber: card.cardNumber,
    uid: card.uid,
    purseCounter,
    amount: priced.amount.toString(),
    balanceBefore: before.toString(),
    balanceAfter: before.sub(priced.amount).toString(),
    occurredAt: at.toISOString(),
    operatorId,
    location: { routeId: 'J1', vehicleId: 'bus-7' },
    fare: priced.fare,
  };
}

/** The journal as the terminal's uploader uses it, noting how far it was acknowledged. */
class WatchedJournal implements Journal {
  ackedThrough = 0;
  constructor(readonly inner: FileJournal) {}
  append(build: (sequence: number) => Buffer): Promise<number> {
    return this.inner.append(build);
  }
  readPending(limit: number, after?: number): Promise<JournalItem[]> {
    return this.inner.readPending(limit, after);
  }
  async acknowledge(throughSequence: number): Promise<void> {
    await this.inner.acknowledge(throughSequence);
    this.ackedThrough = Math.max(this.ackedThrough, this.inner.stats().ackedThrough);
  }
  stats() {
    return this.inner.stats();
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * A validator as the terminal SDK builds one: a file journal, the recorder under the terminal's
 * MAC key, and the upload loop retrying with short backoff. It remembers what it recorded, every
 * receipt the gateway answered and how far its journal was acknowledged, to be compared with what
 * the gateway stored.
 */
export class SimulatedTerminal {
  readonly id: string;
  readonly dir: string;
  readonly recorded = new Map<number, TransactionRecord>();
  /** Sequence → outcome, from every receipt that reached the terminal (replayed ones included). */
  readonly outcomes = new Map<number, string>();
  /** Upload failures by catalogue code (what the loop retried). */
  readonly errors = new Map<string, number>();
  receipts = 0;
  replayedReceipts = 0;
  /** Batch requests sent and not yet answered. */
  batchesInFlight = 0;
  readonly #journal: WatchedJournal;
  readonly #recorder: TransactionRecorder;
  readonly #loop: UploadLoop;
  readonly #options: SimulatedTerminalOptions;
  readonly #counters = new Map<string, number>();
  #selling = true;

  private constructor(options: SimulatedTerminalOptions, journal: FileJournal) {
    this.#options = options;
    this.id = options.credentials.id;
    this.dir = options.dir;
    this.#journal = new WatchedJournal(journal);
    const { id: terminalId, macKey, macKeyId } = options.credentials;
    this.#recorder = createRecorder({ journal, credentials: { terminalId, macKey } });
    const random = options.random.fork('backoff');
    const backoff = { baseMs: 40, maxMs: 400, random: () => random.nextUint32() / 2 ** 32 };
    const client = new GatewayClient({
      baseUrl: options.gatewayUrl,
      fetch: this.#watchingFetch(),
      timeoutMs: 10_000,
    });
    const uploader = createUploader({
      journal: this.#journal,
      client: client.withAuth({ terminalId, macKey }),
      credentials: { terminalId, macKeyId, macKey },
      stateDir: options.dir,
      batchSize: options.batchSize,
      maxAttempts: 3,
      backoff,
    });
    this.#loop = startUploadLoop(uploader, {
      intervalMs: 100,
      backoff,
      onError: (error) => this.#noteError(error),
    });
  }

  static async open(options: SimulatedTerminalOptions): Promise<SimulatedTerminal> {
    const journal = await FileJournal.open({ dir: options.dir });
    return new SimulatedTerminal(options, journal);
  }

  /** Every sequence up to this one is acknowledged in the terminal's journal. */
  get acknowledgedThrough(): number {
    return this.#journal.ackedThrough;
  }

  /** Records `count` rides, `pauseMs` apart (seeded), nudging the uploader after each. */
  async sell(count: number, pauseMs: readonly [number, number]): Promise<void> {
    const random = this.#options.random.fork('sales');
    for (let i = 0; i < count; i++) {
      const card = random.pick(this.#options.cards);
      const counter = (this.#counters.get(card.cardNumber) ?? 0) + 1;
      this.#counters.set(card.cardNumber, counter);
      const draft = rideDraft(card, counter, this.#options.credentials.operatorId);
      const record = await this.#recorder.record(draft);
      this.recorded.set(record.sequence, record);
      this.#loop.kick();
      await sleep(random.int(pauseMs[0], pauseMs[1]));
    }
    this.#selling = false;
    this.#loop.kick();
  }

  /** Done selling and every journal entry acknowledged. */
  drained(): boolean {
    const stats = this.#journal.stats();
    return !this.#selling && stats.ackedThrough >= stats.nextSequence - 1;
  }

  /** The platform's fetch, noting each batch receipt on its way to the uploader. */
  #watchingFetch(): FetchLike {
    return async (url, init) => {
      const batch = url.endsWith(PROTOCOL_PATHS.batches);
      if (batch) this.batchesInFlight += 1;
      let response: Response;
      let text: string;
      try {
        response = await fetch(url, init);
        text = await response.text();
      } finally {
        if (batch) this.batchesInFlight -= 1;
      }
      if (response.status === 200 && batch) {
        const receipt = receiptSchema.safeParse(JSON.parse(text));
        if (receipt.success) {
          this.receipts += 1;
          if (receipt.data.replayed) this.replayedReceipts += 1;
          for (const o of receipt.data.outcomes) this.outcomes.set(o.sequence, o.outcome);
        }
      }
      return {
        status: response.status,
        headers: response.headers,
        text: () => Promise.resolve(text),
      };
    };
  }

  #noteError(error: unknown): void {
    const code = isAppError(error) ? error.code : 'UNEXPECTED';
    this.errors.set(code, (this.errors.get(code) ?? 0) + 1);
  }

  async close(): Promise<void> {
    await this.#loop.stop();
    await this.#journal.close();
  }
}
