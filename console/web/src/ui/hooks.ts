import { useCallback, useEffect, useRef, useState } from 'react';
import type { DependencyList } from 'react';

export interface AsyncState<T> {
  readonly data: T | undefined;
  readonly error: unknown;
  readonly loading: boolean;
  readonly reload: () => void;
}

/** Loads on mount and whenever `deps` change; a late answer to an older load is dropped. */
export function useAsync<T>(load: () => Promise<T>, deps: DependencyList): AsyncState<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const latest = useRef(0);
  useEffect(() => {
    const id = ++latest.current;
    setLoading(true);
    setError(undefined);
    load().then(
      (value) => {
        if (id !== latest.current) return;
        setData(value);
        setLoading(false);
      },
      (err: unknown) => {
        if (id !== latest.current) return;
        setError(err);
        setLoading(false);
      },
    );
    // The caller lists what the load depends on, as with useEffect.
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  return { data, error, loading, reload };
}

export interface Action {
  readonly busy: boolean;
  readonly error: unknown;
  readonly run: <T>(work: () => Promise<T>) => Promise<T | undefined>;
  readonly clear: () => void;
}

/** A button's work: one at a time, its failure kept to show beside it. */
export function useAction(): Action {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const running = useRef(false);
  const run = useCallback(async <T>(work: () => Promise<T>) => {
    if (running.current) return undefined;
    running.current = true;
    setBusy(true);
    setError(undefined);
    try {
      return await work();
    } catch (err) {
      setError(err);
      return undefined;
    } finally {
      running.current = false;
      setBusy(false);
    }
  }, []);
  const clear = useCallback(() => setError(undefined), []);
  return { busy, error, run, clear };
}

/** A function key for a counter action (F2 read card …), shown on its button. */
export function useShortcut(key: string, handler: () => void, enabled = true): void {
  const ref = useRef(handler);
  ref.current = handler;
  useEffect(() => {
    if (!enabled) return;
    const onKey = (event: KeyboardEvent): void => {
      if (event.key !== key || event.altKey || event.ctrlKey || event.metaKey) return;
      event.preventDefault();
      ref.current();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [key, enabled]);
}
