/** One item of the journal, in sequence order. */
export type JournalItem =
  | { readonly kind: 'record'; readonly sequence: number; readonly payload: Buffer }
  /** Sequences reserved before a crash and never written: declared so that nobody waits for them. */
  | { readonly kind: 'skip'; readonly from: number; readonly to: number };

export interface JournalStats {
  /** The sequence the next append gets. */
  readonly nextSequence: number;
  /** Every item up to this sequence is durable (fsynced). */
  readonly durableThrough: number;
  /** Every item up to this sequence has been acknowledged by the gateway. */
  readonly ackedThrough: number;
  /** Bytes the segment files hold, acknowledged or not, and the bound. */
  readonly bytes: number;
  readonly maxBytes: number;
  readonly segments: number;
}

export interface Journal {
  /**
   * Assigns the next sequence, lets `build` encode the payload for it (synchronously, so that
   * sequence order is append order), and resolves once the entry is on disk. Throws JOURNAL_FULL
   * before assigning anything when the entry would exceed the bound, JOURNAL_IO on a write error.
   */
  append(build: (sequence: number) => Buffer): Promise<number>;
  /** Up to `limit` durable, unacknowledged items after `after` (default: the ack mark). */
  readPending(limit: number, after?: number): Promise<JournalItem[]>;
  /** Marks everything up to `throughSequence` received by the gateway; frees whole segments. */
  acknowledge(throughSequence: number): Promise<void>;
  stats(): JournalStats;
  close(): Promise<void>;
}
