/**
 * Whether a load whose outcome was not seen reached the card, judged from a later read of that card.
 * Pure: the card's committed purse (counter and balance, vouched for by the purse MAC) and its
 * history ring are all it looks at.
 *
 * The purse record is the commit point: update number n of a purse leaves counter n on the card,
 * and its history entry in slot n mod 6 carries the low byte of n. A load built on counter c takes
 * number c+1, so the card holds it exactly when update c+1 is that load.
 */

export interface PurseSeen {
  readonly balanceFen: number;
  readonly counter: number;
}

export interface HistorySeen {
  readonly kind: string;
  /** Signed: + load, − debit. */
  readonly amountFen: number;
  readonly balanceAfterFen: number;
  readonly counterLow: number;
}

export interface LoadExpectation {
  /** The purse counter the plan was built on (guarded by its first read). */
  readonly counterBefore: number;
  readonly balanceBeforeFen: number;
  readonly amountFen: number;
}

export type Verdict = 'applied' | 'not_applied' | 'undecidable';

/** Entries of one ring survive for this many updates before being written over. */
export const HISTORY_DEPTH = 6;

/** The entry update number `n` left, if the ring still holds it. */
function entryOf(
  history: readonly (HistorySeen | null)[],
  n: number,
  current: number,
): HistorySeen | undefined {
  if (n > current || current - n >= HISTORY_DEPTH) return undefined;
  return history.find((e): e is HistorySeen => e !== null && e.counterLow === (n & 0xff));
}

function isThisLoad(e: HistorySeen, x: LoadExpectation): boolean {
  return (
    e.kind === 'load' &&
    e.amountFen === x.amountFen &&
    e.balanceAfterFen === x.balanceBeforeFen + x.amountFen
  );
}

/**
 * 'applied' and 'not_applied' are certain; 'undecidable' means the card moved on so far that its
 * history no longer says, or it shows something a genuine card cannot (a counter gone backwards, a
 * history entry that contradicts the purse): a person has to look.
 *
 * While a load is open the card takes no other credit, so any other update numbered c+1 started
 * from the old balance and could only lower it: a balance of before+amount at c+1 is this load.
 */
export function judgeLoad(
  x: LoadExpectation,
  purse: PurseSeen,
  history: readonly (HistorySeen | null)[],
): Verdict {
  const n = x.counterBefore + 1;
  const after = x.balanceBeforeFen + x.amountFen;
  if (purse.counter < x.counterBefore) return 'undecidable';
  if (purse.counter === x.counterBefore) return 'not_applied';
  const own = entryOf(history, n, purse.counter);
  if (purse.counter === n) {
    const balanceSays = purse.balanceFen === after;
    if (own === undefined) return balanceSays ? 'applied' : 'not_applied';
    return isThisLoad(own, x) === balanceSays
      ? balanceSays
        ? 'applied'
        : 'not_applied'
      : 'undecidable';
  }
  if (own !== undefined) return isThisLoad(own, x) ? 'applied' : 'not_applied';
  // The entry of update n was torn or written over: the next update's entry tells what n left.
  const next = entryOf(history, n + 1, purse.counter);
  if (next !== undefined) {
    return next.balanceAfterFen - next.amountFen === after ? 'applied' : 'not_applied';
  }
  return 'undecidable';
}
