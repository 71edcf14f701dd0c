/** One submitted item and how to answer it. */
export interface Waiting<I, R> {
  readonly item: I;
  readonly resolve: (result: R) => void;
  readonly reject: (error: unknown) => void;
}

export interface GroupCommitOptions {
  /** The most items one flush takes. */
  readonly maxGroup?: number;
  /** Flushes running at once: a new one starts only when fewer are running. */
  readonly maxFlushes?: number;
}

/**
 * Gathers submitted items into groups, each handed to one flush: while `maxFlushes` flushes are
 * running, items wait and go together into the next (up to `maxGroup`), so under load each flush
 * takes whatever arrived during the ones before it; with a flush free, items are taken on the
 * next turn of the event loop, so a lone item waits for nothing. A flush answers every item it
 * was given; one that throws fails only its own items.
 */
export class GroupCommit<I, R> {
  private pending: Waiting<I, R>[] = [];
  private flushes = 0;
  private scheduled = false;
  private readonly maxGroup: number;
  private readonly maxFlushes: number;

  constructor(
    private readonly flush: (group: Waiting<I, R>[]) => Promise<void>,
    options: GroupCommitOptions = {},
  ) {
    this.maxGroup = options.maxGroup ?? 256;
    this.maxFlushes = options.maxFlushes ?? 2;
  }

  submit(item: I): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      this.schedule();
    });
  }

  /** Items waiting for a flush (for tests and metrics). */
  get waiting(): number {
    return this.pending.length;
  }

  private schedule(): void {
    if (this.scheduled || this.flushes >= this.maxFlushes || this.pending.length === 0) return;
    this.scheduled = true;
    // After the requests already read in this turn have reached here, not before.
    setImmediate(() => {
      this.scheduled = false;
      this.start();
    });
  }

  private start(): void {
    if (this.flushes >= this.maxFlushes || this.pending.length === 0) return;
    const group = this.pending.splice(0, this.maxGroup);
    this.flushes += 1;
    void this.run(group).finally(() => {
      this.flushes -= 1;
      this.schedule();
    });
    this.schedule();
  }

  private async run(group: Waiting<I, R>[]): Promise<void> {
    try {
      await this.flush(group);
    } catch (error) {
      for (const w of group) w.reject(error);
    }
  }
}
