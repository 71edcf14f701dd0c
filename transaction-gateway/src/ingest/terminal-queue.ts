/**
 * Runs one terminal's uploads one after another within this process. Writes are checked against
 * the terminal's version, so two of its uploads in flight at once cost one of them a second
 * round; queueing them here keeps that to uploads arriving at different processes. Uploads of
 * different terminals never wait for each other.
 */
export class TerminalQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(terminalId: string, work: () => Promise<T>): Promise<T> {
    const before = this.tails.get(terminalId) ?? Promise.resolve();
    const result = before.then(work, work);
    // The chain must go on after a failure; its end is dropped once nothing is queued behind it.
    const tail = result.catch(() => undefined);
    this.tails.set(terminalId, tail);
    void tail.then(() => {
      if (this.tails.get(terminalId) === tail) this.tails.delete(terminalId);
    });
    return result;
  }

  /** Terminals with an upload running or waiting (for tests and metrics). */
  get size(): number {
    return this.tails.size;
  }
}
