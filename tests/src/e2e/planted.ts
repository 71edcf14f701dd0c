import type { TransactionRecord } from '@citycard/terminal-sdk/protocol';
import { fen, yuan } from './fen.js';

export interface Stored {
  readonly status: string;
  readonly reason: string | null;
  /** When the gateway received it, on its clock (HH:MM:SS.micro), for a failure message. */
  readonly received?: string;
}

export interface LostCard {
  readonly cardNumber: string;
  readonly hotlistedAt: Date;
}

/** A record's key at the gateway: its terminal and sequence. */
export const recordKey = (r: { terminalId: string; sequence: number | string }): string =>
  `${r.terminalId}/${String(r.sequence)}`;

const counterKey = (r: TransactionRecord): string => `${r.cardNumber}:${r.purseCounter}`;

/**
 * The records the plants should have quarantined, as "terminal/sequence REASON":
 * - the lost card's records made at or after its hotlisting (a blocked-card record excepted);
 * - of records spending the same purse counter of a card (a clone's), every one but the single
 *   one the gateway accepted. Which twin came first is the gateway's to say; that exactly one
 *   did is checked here (a problem line otherwise, which no gateway answer matches).
 */
export function plantedQuarantine(
  uploaded: readonly TransactionRecord[],
  stored: ReadonlyMap<string, Stored>,
  lost: LostCard | undefined,
): string[] {
  const out: string[] = [];
  const twins = new Map<string, TransactionRecord[]>();
  for (const r of uploaded) {
    const hotlisted =
      lost !== undefined &&
      r.cardNumber === lost.cardNumber &&
      r.type !== 'card_blocked' &&
      Date.parse(r.occurredAt) >= lost.hotlistedAt.getTime();
    if (hotlisted) out.push(`${recordKey(r)} HOTLISTED_CARD`);
    else if (r.type !== 'card_blocked') {
      twins.set(counterKey(r), [...(twins.get(counterKey(r)) ?? []), r]);
    }
  }
  for (const [counter, group] of twins) {
    if (group.length < 2) continue;
    const accepted = group.filter((r) => stored.get(recordKey(r))?.status === 'accepted');
    if (accepted.length !== 1) {
      const seen = group.map(
        (r) => `${recordKey(r)} at ${stored.get(recordKey(r))?.received ?? '?'}`,
      );
      out.push(`counter ${counter}: ${accepted.length} records accepted (${seen.join(', ')})`);
    }
    for (const r of group) if (r !== accepted[0]) out.push(`${recordKey(r)} COUNTER_REPLAY`);
  }
  return out.sort();
}

/** What the gateway quarantined, in the same form. */
export function quarantinedOf(stored: ReadonlyMap<string, Stored>): string[] {
  return [...stored]
    .filter(([, s]) => s.status === 'quarantined')
    .map(([key, s]) => `${key} ${s.reason ?? '?'}`)
    .sort();
}

/**
 * Breaks in each card's purse chain over the records a reconciliation sees, as "kind card
 * counter amount": consecutive counters whose balances do not follow (balance_break, + what
 * appeared), counters skipped (missing_record, what the missing records took), a counter spent
 * twice (suspected_clone, once per card). No loads happen during the day, and every record of the
 * cards is in the list, so nothing else can fill a gap.
 */
export function chainBreaks(accepted: readonly TransactionRecord[]): string[] {
  const byCard = new Map<string, TransactionRecord[]>();
  for (const r of accepted) {
    if (r.type === 'card_blocked') continue;
    byCard.set(r.cardNumber, [...(byCard.get(r.cardNumber) ?? []), r]);
  }
  const out: string[] = [];
  for (const [card, list] of byCard) {
    const chain = [...list].sort((a, b) => a.purseCounter - b.purseCounter);
    const balanceBreaks: string[] = [];
    let repeats = 0;
    for (let i = 1; i < chain.length; i++) {
      const p = chain[i - 1] as TransactionRecord;
      const c = chain[i] as TransactionRecord;
      const gap = fen(p.balanceAfter) - fen(c.balanceBefore);
      if (c.purseCounter === p.purseCounter) repeats += 1;
      else if (c.purseCounter > p.purseCounter + 1) {
        out.push(`missing_record ${card} ${c.purseCounter} ${yuan(gap)}`);
      } else if (gap !== 0n) {
        balanceBreaks.push(`balance_break ${card} ${c.purseCounter} ${yuan(-gap)}`);
      }
    }
    // A card with a repeated counter is reported once as a clone; its balance breaks are the clone's.
    if (repeats > 0) out.push(`suspected_clone ${card}`);
    else out.push(...balanceBreaks);
  }
  return out.sort();
}

/** A reconciliation exception as the API lists it. */
export interface ListedException {
  readonly kind: string;
  readonly cardNumber: string | null;
  readonly purseCounter: string | null;
  readonly amount: string | null;
  readonly drawerId: string | null;
}

/** An exception in the form chainBreaks gives (drawers: "kind drawer amount"). */
export function exceptionLine(e: ListedException): string {
  if (e.drawerId !== null) return `${e.kind} ${e.drawerId} ${e.amount ?? ''}`;
  if (e.kind === 'suspected_clone') return `${e.kind} ${e.cardNumber ?? ''}`;
  return `${e.kind} ${e.cardNumber ?? ''} ${e.purseCounter ?? ''} ${e.amount ?? ''}`;
}
