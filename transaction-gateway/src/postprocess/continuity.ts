import { parseAmount } from '@citycard/core/money';

/** One of a card's records, as the continuity check reads it. */
export interface ChainRecord {
  readonly terminalId: string;
  readonly sequence: string;
  readonly purseCounter: number;
  readonly balanceBefore: string;
  readonly balanceAfter: string;
  /** Accepted records form the chain; a COUNTER_REPLAY quarantine is only evidence of reuse. */
  readonly inChain: boolean;
}

export type ContinuityKind = 'counter_gap' | 'counter_reuse' | 'balance_break';

export interface Finding {
  readonly kind: ContinuityKind | 'fare_day_mismatch';
  /** Identifies the finding across re-runs of the same card. */
  readonly key: string;
  readonly terminalId?: string;
  readonly sequence?: string;
  readonly purseCounter?: number;
  readonly details: Record<string, unknown>;
}

const ref = (r: ChainRecord): string => `${r.terminalId}/${r.sequence}`;

function reuseFindings(records: readonly ChainRecord[]): Finding[] {
  const byCounter = new Map<number, ChainRecord[]>();
  for (const r of records)
    byCounter.set(r.purseCounter, [...(byCounter.get(r.purseCounter) ?? []), r]);
  const found: Finding[] = [];
  for (const [counter, same] of byCounter) {
    if (same.length < 2) continue;
    const last = same[same.length - 1] as ChainRecord;
    found.push({
      kind: 'counter_reuse',
      key: `reuse:${counter}`,
      terminalId: last.terminalId,
      sequence: last.sequence,
      purseCounter: counter,
      details: {
        records: same.map(ref),
        balancesBefore: same.map((r) => r.balanceBefore),
        note: 'one purse counter value on several records: a cloned or replayed card',
      },
    });
  }
  return found;
}

/**
 * Walks a card's accepted records in purse-counter order. Every purse write (a debit here, a load
 * at issuance) raises the counter by one, so consecutive counters must chain balances exactly:
 * balanceBefore = the previous balanceAfter. A broken link is a cloned card or a forged write; a
 * gap is a record not (yet) uploaded or a load, which the balance rise across it hints at.
 */
export function continuityFindings(records: readonly ChainRecord[]): Finding[] {
  const chain = records
    .filter((r) => r.inChain)
    .sort((a, b) => a.purseCounter - b.purseCounter || ref(a).localeCompare(ref(b)));
  const found: Finding[] = reuseFindings(records);
  for (let i = 1; i < chain.length; i++) {
    const prev = chain[i - 1] as ChainRecord;
    const cur = chain[i] as ChainRecord;
    if (cur.purseCounter === prev.purseCounter) continue;
    const before = parseAmount(cur.balanceBefore, { allowNegative: true });
    const prevAfter = parseAmount(prev.balanceAfter, { allowNegative: true });
    const details = {
      previous: ref(prev),
      record: ref(cur),
      previousCounter: prev.purseCounter,
      counter: cur.purseCounter,
      previousBalanceAfter: prev.balanceAfter,
      balanceBefore: cur.balanceBefore,
    };
    if (cur.purseCounter > prev.purseCounter + 1) {
      found.push({
        kind: 'counter_gap',
        key: `gap:${prev.purseCounter}-${cur.purseCounter}`,
        terminalId: cur.terminalId,
        sequence: cur.sequence,
        purseCounter: cur.purseCounter,
        details: {
          ...details,
          missing: cur.purseCounter - prev.purseCounter - 1,
          balanceRose: before.gt(prevAfter),
        },
      });
    } else if (!before.eq(prevAfter)) {
      found.push({
        kind: 'balance_break',
        key: `break:${cur.purseCounter}:${ref(cur)}`,
        terminalId: cur.terminalId,
        sequence: cur.sequence,
        purseCounter: cur.purseCounter,
        details: { ...details, difference: before.sub(prevAfter).toString() },
      });
    }
  }
  return found;
}
