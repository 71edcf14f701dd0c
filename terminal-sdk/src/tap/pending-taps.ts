import type { RecordDraft, TransactionRecord } from '../protocol/index.js';
import type { TransactionRecorder } from '../recorder/index.js';

/**
 * A tap the card has not settled yet. Plain JSON, so a terminal may keep its store on disk.
 * - kind 'purse': the purse commit (record block) writes `counter`/`balanceAfterFen`. committed
 *   is null when the card left during that write (unknown), true once it is known on the card.
 * - kind 'block': the issuer block write that blocks a hotlisted card.
 * `followUp` are the card writes after the commit point not known to be done (hex blocks).
 */
export interface PendingTap {
  uid: string;
  kind: 'purse' | 'block';
  draft: RecordDraft;
  counter: number;
  balanceAfterFen: number;
  committed: boolean | null;
  recorded: boolean;
  followUp: Array<{ block: number; data: string }>;
}

export interface PendingTapStore {
  get(uid: string): PendingTap | undefined;
  put(tap: PendingTap): void;
  delete(uid: string): void;
  list(): PendingTap[];
}

/** Pending taps in memory: survives the card leaving, not the terminal restarting. */
export class MemoryPendingTapStore implements PendingTapStore {
  readonly #taps = new Map<string, PendingTap>();

  get(uid: string): PendingTap | undefined {
    const tap = this.#taps.get(uid);
    return tap === undefined ? undefined : structuredClone(tap);
  }

  put(tap: PendingTap): void {
    this.#taps.set(tap.uid, structuredClone(tap));
  }

  delete(uid: string): void {
    this.#taps.delete(uid);
  }

  list(): PendingTap[] {
    return [...this.#taps.values()].map((t) => structuredClone(t));
  }
}

/**
 * Records every pending tap whose commit is known to be on its card but whose record is not
 * durable yet (the recorder failed, or the terminal stopped before it): run it at start-up.
 * Taps whose commit is unknown wait for their card.
 */
export async function recordCommittedPending(
  store: PendingTapStore,
  recorder: TransactionRecorder,
): Promise<TransactionRecord[]> {
  const written: TransactionRecord[] = [];
  for (const tap of store.list()) {
    if (tap.committed !== true || tap.recorded) continue;
    written.push(await recorder.record(tap.draft));
    if (tap.followUp.length === 0) store.delete(tap.uid);
    else store.put({ ...tap, recorded: true });
  }
  return written;
}
