import type { CardIdentity, CardInField, CardReader, ReaderHub } from '@citycard/core/card';

function timeout(what: string, ms: number): Error {
  return new Error(`timed out after ${ms} ms waiting for ${what}`);
}

/** Resolves with the first reader whose name matches (already plugged or plugged later). */
export function waitForReader(
  hub: ReaderHub,
  match: string | ((name: string) => boolean),
  timeoutMs = 5000,
): Promise<CardReader> {
  const test = typeof match === 'string' ? (n: string) => n === match : match;
  const found = hub.readers().find((r) => test(r.name));
  if (found) return Promise.resolve(found);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(timeout(`reader ${String(match)}`, timeoutMs));
    }, timeoutMs);
    const off = hub.on('reader', (reader) => {
      if (!test(reader.name)) return;
      clearTimeout(timer);
      off();
      resolve(reader);
    });
  });
}

export function waitForReaderRemoved(
  hub: ReaderHub,
  name: string,
  timeoutMs = 5000,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(timeout(`removal of reader ${name}`, timeoutMs));
    }, timeoutMs);
    const off = hub.on('readerRemoved', (removed) => {
      if (removed !== name) return;
      clearTimeout(timer);
      off();
      resolve();
    });
  });
}

/** The next card event (call before inserting, or pass `current: true` to take a card present). */
export function waitForCard(
  reader: CardReader,
  options: { timeoutMs?: number; current?: boolean } = {},
): Promise<CardInField> {
  const timeoutMs = options.timeoutMs ?? 5000;
  const present = options.current ? reader.current() : null;
  if (present) return Promise.resolve(present);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(timeout(`a card on ${reader.name}`, timeoutMs));
    }, timeoutMs);
    const off = reader.on('card', (card) => {
      clearTimeout(timer);
      off();
      resolve(card);
    });
  });
}

export function waitForCardRemoved(reader: CardReader, timeoutMs = 5000): Promise<CardIdentity> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(timeout(`card removal on ${reader.name}`, timeoutMs));
    }, timeoutMs);
    const off = reader.on('cardRemoved', (identity) => {
      clearTimeout(timer);
      off();
      resolve(identity);
    });
  });
}
