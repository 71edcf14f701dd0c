/**
 * A tiny typed listener registry. Each listener runs in its own try/catch: a listener that throws
 * must not stop the others (nor a reader's event loop), so the failure goes to `onListenerError`.
 */
export class Listeners<L extends { [K in keyof L]: (...args: never[]) => void }> {
  private readonly map = new Map<keyof L, Set<L[keyof L]>>();

  constructor(private readonly onListenerError: (error: unknown) => void = () => {}) {}

  on<E extends keyof L>(event: E, listener: L[E]): () => void {
    let set = this.map.get(event);
    if (!set) {
      set = new Set();
      this.map.set(event, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  }

  emit<E extends keyof L>(event: E, ...args: Parameters<L[E]>): void {
    const set = this.map.get(event);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        (listener as (...a: Parameters<L[E]>) => void)(...args);
      } catch (error) {
        try {
          this.onListenerError(error);
        } catch {
          // a failing error handler has nowhere left to report to
        }
      }
    }
  }

  /**
   * Emits on a later macrotask. Native addons may call into JavaScript while holding a lock, and
   * promise continuations run before they return: a listener that closes the reader there would
   * deadlock on that lock.
   */
  emitLater<E extends keyof L>(event: E, ...args: Parameters<L[E]>): void {
    setImmediate(() => this.emit(event, ...args));
  }

  count(event: keyof L): number {
    return this.map.get(event)?.size ?? 0;
  }

  clear(): void {
    this.map.clear();
  }
}
