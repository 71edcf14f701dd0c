import { AppError } from '@citycard/core/errors';
import type { TerminalSpec } from './city.js';
import type { SeededRandom } from './random.js';
import type { SimEvent } from './scenario.js';
import type { SimulatedCard } from './sim-cards.js';
import type { ClockTime } from './simulate.types.js';

/** HH:MM of the service day as an instant (the sample city's +08:00). */
export function timeOfDay(day: string, time: ClockTime): number {
  const t = Date.parse(`${day}T${time}:00+08:00`);
  if (!/^(?:[01]\d|2[0-3]):[0-5]\d$/.test(time) || Number.isNaN(t)) {
    throw new AppError('VALIDATION_FAILED', {
      message: 'A time of day must be HH:MM',
      details: { time },
    });
  }
  return t;
}

/**
 * The card a planted problem is about: the one given, else the card in order (normal profile)
 * with the most events from `from` on, so that the problem shows. Cards in `taken` are skipped.
 */
export function pickCard(
  cards: readonly SimulatedCard[],
  events: readonly SimEvent[],
  from: number,
  given: number | undefined,
  taken: ReadonlySet<number>,
): number {
  if (given !== undefined) {
    if (!Number.isInteger(given) || given < 0 || given >= cards.length || taken.has(given)) {
      throw new AppError('VALIDATION_FAILED', {
        message: 'The planted card is not one of the simulated cards, or already used',
        details: { card: given },
      });
    }
    return given;
  }
  const later = new Map<number, number>();
  for (const e of events)
    if (e.at.getTime() >= from) later.set(e.card, (later.get(e.card) ?? 0) + 1);
  let best = -1;
  let most = 0;
  for (const c of cards) {
    const n = later.get(c.index) ?? 0;
    if (c.profile === 'normal' && !taken.has(c.index) && n > most) [best, most] = [c.index, n];
  }
  if (best < 0) {
    throw new AppError('VALIDATION_FAILED', { message: 'No card taps after the planted time' });
  }
  return best;
}

/** The terminal with the wrong MAC key: the one named, else a bus validator picked by the seed. */
export function pickWrongKeyTerminal(
  specs: readonly TerminalSpec[],
  option: string | true | undefined,
  rnd: SeededRandom,
): string | undefined {
  if (option === undefined) return undefined;
  if (option !== true) {
    if (!specs.some((s) => s.terminalId === option)) {
      throw new AppError('VALIDATION_FAILED', {
        message: 'The wrong-key terminal is not one of the simulated terminals',
        details: { terminalId: option },
      });
    }
    return option;
  }
  const buses = specs.filter((s) => s.kind === 'bus');
  return rnd.pick(buses.length > 0 ? buses : specs).terminalId;
}

/** `percent` of the terminals, picked by the seed, never the wrong-key one. */
export function pickOffline(
  specs: readonly TerminalSpec[],
  percent: number,
  exclude: string | undefined,
  rnd: SeededRandom,
): Set<string> {
  if (!Number.isFinite(percent) || percent < 0 || percent > 100) {
    throw new AppError('VALIDATION_FAILED', { message: 'The offline share is 0 to 100 percent' });
  }
  const pool = specs.map((s) => s.terminalId).filter((id) => id !== exclude);
  const want = Math.min(pool.length, Math.round((specs.length * percent) / 100));
  const chosen = new Set<string>();
  while (chosen.size < want) {
    const i = rnd.int(0, pool.length - 1);
    const [id] = pool.splice(i, 1);
    if (id !== undefined) chosen.add(id);
  }
  return chosen;
}
