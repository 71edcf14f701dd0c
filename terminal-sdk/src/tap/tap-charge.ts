import {
  encodeHistoryEntry,
  encodeTransitState,
  historySlotBlock,
  LAYOUT_V1,
  PURSE_MAX_FEN,
  purseUpdateWrites,
  type CardKeys,
  type HistoryKind,
  type IssuerInfo,
  type PurseKind,
  type PurseState,
  type TransitState,
} from '@citycard/core/card';
import { isAppError } from '@citycard/core/errors';
import { Amount } from '@citycard/core/money';
import {
  pricePurchase,
  priceTap,
  unixSeconds,
  type FareDetails,
  type FareSet,
} from '../fare/index.js';
import type { RecordDraft, RecordType } from '../protocol/index.js';
import type { CardReadout } from './card-session.js';
import type { PerformTapInput, RefusalReason } from './tap.types.js';

export interface ChargePlan {
  draft: RecordDraft;
  amount: Amount;
  balanceAfter: Amount;
  counter: number;
  /** Backup, record (the commit point), value; then transit blocks and the history entry. */
  writes: Array<{ block: number; data: Buffer }>;
}

interface Priced {
  type: RecordType;
  amount: Amount;
  fare?: FareDetails;
  nextState: TransitState;
}

/** ISO-8601 to the second in the fare set's local offset (the card keeps seconds too). */
export function occurredAt(set: FareSet, now: Date): string {
  const offset = set.serviceDay.utcOffsetMinutes;
  const local = new Date((unixSeconds(now) + offset * 60) * 1000).toISOString().slice(0, 19);
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  const hh = String(Math.floor(abs / 60)).padStart(2, '0');
  return `${local}${sign}${hh}:${String(abs % 60).padStart(2, '0')}`;
}

function price(input: PerformTapInput, issuer: IssuerInfo, state: TransitState): Priced {
  const { terminal, fareSet, now } = input;
  if (terminal.mode === 'purchase') {
    return pricePurchase(fareSet, {
      at: now,
      operatorId: terminal.operatorId,
      shopId: terminal.location.shopId ?? '',
      amount: terminal.purchaseAmount ?? Amount.zero,
      state,
    });
  }
  const tap = {
    at: now,
    operatorId: terminal.operatorId,
    routeId: terminal.location.routeId ?? '',
    stopId: terminal.location.stopId,
    direction: terminal.location.direction,
    mode: terminal.mode,
  };
  const card = { concession: issuer.concession, concessionUntil: issuer.concessionUntil };
  return priceTap(fareSet, { card, tap, state });
}

function kinds(type: RecordType): { purse: PurseKind; history: HistoryKind } {
  switch (type) {
    case 'purchase':
      return { purse: 'purchase', history: 'purchase' };
    case 'transit_correction':
      return { purse: 'correction', history: 'correction' };
    case 'transit_flat':
    case 'transit_entry':
    case 'transit_exit':
    case 'card_blocked':
      return { purse: 'transit', history: 'transit' };
  }
}

function refusalOf(e: unknown): RefusalReason {
  if (isAppError(e) && e.code === 'FARE_NOT_FOUND') return 'fare_not_found';
  if (isAppError(e) && e.code === 'FARE_TAP_INVALID') return 'tap_invalid';
  throw e;
}

/** Prices the tap and lays out every write and the record; nothing touches the card here. */
export function planCharge(
  input: PerformTapInput,
  readout: CardReadout,
  issuer: IssuerInfo,
  purse: PurseState,
  keys: CardKeys,
): ChargePlan | { refused: RefusalReason } {
  let priced: Priced;
  try {
    priced = price(input, issuer, readout.transit);
  } catch (e) {
    return { refused: refusalOf(e) };
  }
  const before = Amount.fromInt32Fen(purse.balanceFen);
  const after = before.sub(priced.amount);
  if (after.isNegative()) return { refused: 'insufficient_balance' };
  if (after.toFen() > BigInt(PURSE_MAX_FEN)) return { refused: 'purse_full' };
  const counter = purse.counter + 1;
  const at = unixSeconds(input.now);
  const kind = kinds(priced.type);
  const blocks = encodeTransitState(priced.nextState);
  const b = LAYOUT_V1.blocks;
  const history = encodeHistoryEntry({
    at,
    kind: kind.history,
    amountFen: priced.amount.neg().toInt32Fen(),
    balanceAfterFen: after.toInt32Fen(),
    terminalRef: input.terminal.terminalRef ?? 0,
    counterLow: counter & 0xff,
  });
  const writes = [
    ...purseUpdateWrites({
      uid: keys.uid,
      macKey: keys.purseMacKey,
      newBalanceFen: after.toInt32Fen(),
      newCounter: counter,
      lastKind: kind.purse,
      from: purse.source,
    }),
    { block: b.transitLastTap, data: blocks.lastTap },
    { block: b.transitCounters, data: blocks.counters },
    { block: b.transitJourney, data: blocks.journey },
    { block: historySlotBlock(counter), data: history },
  ];
  const draft: RecordDraft = {
    type: priced.type,
    cardNumber: issuer.cardNumber,
    uid: readout.uidHex,
    purseCounter: counter,
    amount: priced.amount.toString(),
    balanceBefore: before.toString(),
    balanceAfter: after.toString(),
    occurredAt: occurredAt(input.fareSet, input.now),
    operatorId: input.terminal.operatorId,
    location: input.terminal.location,
    ...(priced.fare === undefined ? {} : { fare: priced.fare }),
  };
  return { draft, amount: priced.amount, balanceAfter: after, counter, writes };
}
