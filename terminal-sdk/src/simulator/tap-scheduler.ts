/**
 * Runs taps concurrently while keeping the order that matters: each terminal takes its taps one
 * after another, each card too, in the order they were scheduled. Taps on different terminals
 * and cards overlap, so that journal fsyncs of different terminals overlap as well. The result
 * does not depend on timing: a tap sees exactly the card and terminal state its predecessors left.
 */
export class TapScheduler {
  readonly #limit: number;
  readonly #lastOf = new Map<string, Promise<void>>();
  #inFlight: Promise<void>[] = [];
  #failure: { error: unknown } | undefined;

  constructor(limit: number) {
    this.#limit = Math.max(1, limit);
  }

  /** Queues `task` after the earlier tasks with any of the same keys; waits while too many run. */
  async schedule(keys: readonly string[], task: () => Promise<void>): Promise<void> {
    this.#throwIfFailed();
    const before = keys.flatMap((k) => this.#lastOf.get(k) ?? []);
    const run = Promise.all(before)
      .then(() => (this.#failure ? undefined : task()))
      .catch((error: unknown) => {
        this.#failure ??= { error };
      });
    for (const k of keys) this.#lastOf.set(k, run);
    this.#inFlight.push(run);
    if (this.#inFlight.length >= this.#limit) await this.#inFlight.shift();
    this.#throwIfFailed();
  }

  /** Waits for everything scheduled so far. */
  async drain(): Promise<void> {
    await Promise.all(this.#inFlight);
    this.#inFlight = [];
    this.#lastOf.clear();
    this.#throwIfFailed();
  }

  #throwIfFailed(): void {
    if (this.#failure) throw this.#failure.error;
  }
}
