import { AppError } from '@citycard/core/errors';
import { Amount, maxAmount, minAmount } from '@citycard/core/money';
import { applyConcession, riderCategoryFor, type CardFareProfile } from './concession.js';
import { fareIndex, type FareIndex } from './fare-index.js';
import type { FareSet, Network, RiderCategory, Route } from './fare-set.schema.js';
import { matchLeg, type MatchedLeg } from './leg-rules.js';
import type { RiderState } from './rider-state.js';
import { serviceDate, serviceDayOf, unixSeconds } from './time.js';
import { findTransfer, nextChain } from './transfer.js';

export type TapMode = 'flat' | 'entry' | 'exit';
export type TransitRecordType =
  'transit_flat' | 'transit_entry' | 'transit_exit' | 'transit_correction';

export interface TapInput {
  at: Date;
  operatorId: string;
  routeId: string;
  stopId?: string | undefined;
  direction?: 0 | 1 | undefined;
  mode: TapMode;
}

/** The `fare` fields of a transaction record, as they go on the wire. */
export interface FareDetails {
  fareSetVersion: string;
  fareProductId: string;
  riderCategoryId: string;
  baseAmount: string;
  discount: string;
  transfer: boolean;
  capApplied: boolean;
  legGroupId?: string;
}

export interface PricedTap {
  type: TransitRecordType;
  /** Charged now (≥ 0), except a transit_correction, which refunds part of a held fare (≤ 0). */
  amount: Amount;
  fare: FareDetails;
  nextState: RiderState;
}

export interface PriceTapInput {
  card: CardFareProfile;
  tap: TapInput;
  state: RiderState;
}

interface Ctx {
  ix: FareIndex;
  tap: TapInput;
  state: RiderState;
  at: number;
  day: number;
  category: RiderCategory;
  network: Network;
  route: Route;
  operatorCode: number;
  stopCode: number;
}

function tapInvalid(message: string, details: Record<string, unknown>): AppError {
  return new AppError('FARE_TAP_INVALID', { message, details });
}

function resolve(ix: FareIndex, input: PriceTapInput): Ctx {
  const { tap } = input;
  const route = ix.routes.get(tap.routeId);
  const network = route === undefined ? undefined : ix.networks.get(route.networkId);
  if (route === undefined || network === undefined) {
    throw tapInvalid('Unknown route', { routeId: tap.routeId });
  }
  const operator = ix.operators.get(tap.operatorId);
  if (operator === undefined || network.operatorId !== operator.operatorId) {
    throw tapInvalid('The route is not run by this operator', { routeId: tap.routeId });
  }
  const distance = network.fareMode === 'distance';
  if (distance !== (tap.mode !== 'flat')) {
    throw tapInvalid('The tap mode does not fit the network', { mode: tap.mode });
  }
  const stop = tap.stopId === undefined ? undefined : ix.stops.get(tap.stopId);
  if (distance && (stop === undefined || stop.areas.size === 0)) {
    throw tapInvalid('A distance tap needs a stop with an area', { stopId: tap.stopId ?? null });
  }
  const at = unixSeconds(tap.at);
  const day = serviceDayOf(ix.set, at);
  if (day < 0 || day > 0xffff) throw tapInvalid('The tap time is out of range', {});
  const category = riderCategoryFor(ix, input.card, serviceDate(day));
  const base = { ix, tap, state: input.state, at, day, category, network, route };
  return { ...base, operatorCode: operator.code, stopCode: stop?.code ?? 0 };
}

function daily(ctx: Ctx): RiderState['daily'] {
  const d = ctx.state.daily;
  return d.day === ctx.day ? d : { day: ctx.day, spentFen: 0, rides: 0 };
}

/** The charge reduced so the day's spend stays within the rider category's daily cap. */
function capped(ctx: Ctx, spentBefore: Amount, charge: Amount) {
  const cap = ctx.ix.caps.get(ctx.category.riderCategoryId);
  if (cap === undefined) return { charge, capApplied: false };
  const room = maxAmount(Amount.zero, cap.sub(spentBefore));
  return charge.gt(room) ? { charge: room, capApplied: true } : { charge, capApplied: false };
}

/** A leg's price for this rider: concession, then the transfer rule when it makes it cheaper. */
function legPrice(ctx: Ctx, leg: MatchedLeg, departure: number) {
  const concession = ctx.category.concession;
  const full = applyConcession(concession, leg.base);
  const rule = findTransfer(ctx.ix, ctx.state.transfer, leg.rule.legGroupId, departure);
  const product = rule === undefined ? undefined : ctx.ix.products.get(rule.fareProductId);
  if (rule === undefined || product === undefined) return { charge: full, transfer: false };
  const raw = rule.fareTransferType === 0 ? product : leg.base.add(product);
  const viaTransfer = applyConcession(concession, maxAmount(Amount.zero, raw));
  return viaTransfer.lt(full)
    ? { charge: viaTransfer, transfer: true }
    : { charge: full, transfer: false };
}

function lastTap(ctx: Ctx, kind: 'entry' | 'exit' | 'flat', fare: Amount): RiderState['lastTap'] {
  return {
    at: ctx.at,
    operatorId: ctx.operatorCode,
    routeId: ctx.route.code,
    stopId: ctx.stopCode,
    direction: ctx.tap.direction ?? 0,
    kind,
    fareFen: fare.toInt32Fen(),
  };
}

function details(ctx: Ctx, productId: string, base: Amount, paid: Amount): FareDetails {
  return {
    fareSetVersion: ctx.ix.set.version,
    fareProductId: productId,
    riderCategoryId: ctx.category.riderCategoryId,
    baseAmount: base.toString(),
    discount: base.sub(paid).toString(),
    transfer: false,
    capApplied: false,
  };
}

function spend(d: RiderState['daily'], amount: Amount, ride: boolean): RiderState['daily'] {
  const spentFen = Math.max(0, d.spentFen + amount.toInt32Fen());
  return { day: d.day, spentFen, rides: ride ? Math.min(255, d.rides + 1) : d.rides };
}

function priceFlat(ctx: Ctx): PricedTap {
  const leg = matchLeg(ctx.ix, { networkId: ctx.network.networkId, departure: ctx.at });
  const price = legPrice(ctx, leg, ctx.at);
  const d = daily(ctx);
  const { charge, capApplied } = capped(ctx, Amount.fromFen(BigInt(d.spentFen)), price.charge);
  const fare = details(ctx, leg.rule.fareProductId, leg.base, charge);
  return {
    type: 'transit_flat',
    amount: charge,
    fare: { ...fare, transfer: price.transfer, capApplied, legGroupId: leg.rule.legGroupId },
    nextState: {
      lastTap: lastTap(ctx, 'flat', charge),
      transfer: nextChain(ctx.state.transfer, price.transfer, ctx.at, leg.legGroupCode),
      daily: spend(d, charge, true),
      journey: ctx.state.journey,
    },
  };
}

/** Entry, or an exit with no journey to close: the network's maximum fare, held or charged. */
function priceMax(ctx: Ctx, type: 'transit_entry' | 'transit_exit'): PricedTap {
  const max = ctx.ix.maxFares.get(ctx.network.networkId);
  const base = max === undefined ? undefined : ctx.ix.products.get(max.fareProductId);
  if (max === undefined || base === undefined) {
    throw new AppError('FARE_NOT_FOUND', { details: { networkId: ctx.network.networkId } });
  }
  const d = daily(ctx);
  const full = applyConcession(ctx.category.concession, base);
  const { charge, capApplied } = capped(ctx, Amount.fromFen(BigInt(d.spentFen)), full);
  const entry = type === 'transit_entry';
  const journey = {
    entryAt: ctx.at,
    operatorId: ctx.operatorCode,
    routeId: ctx.route.code,
    stopId: ctx.stopCode,
    chargedFen: charge.toInt32Fen(),
  };
  return {
    type,
    amount: charge,
    fare: { ...details(ctx, max.fareProductId, base, charge), capApplied },
    nextState: {
      lastTap: lastTap(ctx, entry ? 'entry' : 'exit', charge),
      transfer: ctx.state.transfer,
      daily: spend(d, charge, true),
      journey: entry ? journey : null,
    },
  };
}

/** The open journey this exit closes, or null when there is none (or it cannot be trusted). */
function openJourney(ctx: Ctx) {
  const j = ctx.state.journey;
  if (j === null) return null;
  const entryStopId = ctx.ix.stopIdsByCode.get(j.stopId);
  const max = ctx.ix.maxFares.get(ctx.network.networkId);
  const sameNetwork = ctx.ix.routesByCode.get(j.routeId)?.networkId === ctx.network.networkId;
  const elapsed = ctx.at - j.entryAt;
  const inTime = max !== undefined && elapsed >= 0 && elapsed <= max.maxJourneyMinutes * 60;
  const sameDay =
    serviceDayOf(ctx.ix.set, j.entryAt) === ctx.day && ctx.state.daily.day === ctx.day;
  if (entryStopId === undefined || !sameNetwork || !inTime || !sameDay) return null;
  return { ...j, entryStopId };
}

function priceExit(ctx: Ctx): PricedTap {
  const j = openJourney(ctx);
  if (j === null) return priceMax(ctx, 'transit_exit');
  const leg = matchLeg(ctx.ix, {
    networkId: ctx.network.networkId,
    fromStopId: j.entryStopId,
    toStopId: ctx.tap.stopId,
    departure: j.entryAt,
  });
  // The transfer counts from the entry, when the leg departed.
  const price = legPrice(ctx, leg, j.entryAt);
  const held = Amount.fromFen(BigInt(j.chargedFen));
  const d = daily(ctx);
  const spentBefore = maxAmount(Amount.zero, Amount.fromFen(BigInt(d.spentFen)).sub(held));
  const cappedPrice = capped(ctx, spentBefore, price.charge);
  // The held maximum is a ceiling: an exit never charges more than the entry held.
  const journeyCharge = minAmount(cappedPrice.charge, held);
  const correction = journeyCharge.sub(held);
  const fare = details(ctx, leg.rule.fareProductId, leg.base, journeyCharge);
  return {
    type: 'transit_correction',
    amount: correction,
    fare: {
      ...fare,
      transfer: price.transfer,
      capApplied: cappedPrice.capApplied,
      legGroupId: leg.rule.legGroupId,
    },
    nextState: {
      lastTap: lastTap(ctx, 'exit', correction),
      transfer: nextChain(ctx.state.transfer, price.transfer, j.entryAt, leg.legGroupCode),
      daily: spend(d, correction, false),
      journey: null,
    },
  };
}

/**
 * Prices one transit tap from the card's state. Pure: the same fare set, card, tap and state
 * always give the same answer. Throws FARE_TAP_INVALID (the tap does not fit the fare set),
 * FARE_NOT_FOUND (no rule prices the leg) or FARE_SET_INVALID.
 */
export function priceTap(set: FareSet, input: PriceTapInput): PricedTap {
  const ctx = resolve(fareIndex(set), input);
  switch (input.tap.mode) {
    case 'flat':
      return priceFlat(ctx);
    case 'entry':
      return priceMax(ctx, 'transit_entry');
    case 'exit':
      return priceExit(ctx);
  }
}
