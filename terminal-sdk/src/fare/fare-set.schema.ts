import { amountString, nonNegativeAmountString } from '@citycard/core/money';
import { z } from 'zod';

/**
 * A fare set shaped on GTFS-Fares v2 (networks, areas, stop_areas, timeframes, rider_categories,
 * fare_products, fare_leg_rules, fare_transfer_rules), with the few fields a stored-value card
 * needs on top: u16 codes for what the card's transit sectors hold, concessions as a percentage
 * by card product, a daily cap per rider category and the fare held at entry (see README.md).
 */
export const FARE_SET_FORMAT = 'citycard-fares/1';

const id = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/, {
  error: 'Must be 1–64 characters of A–Z, a–z, 0–9, ., _, : or -',
});
const name = z.string().min(1).max(120);
/** What the card stores (u16); 0 means "none" on the card, so codes start at 1. */
const cardCode = z.int().min(1).max(0xffff);
const clockTime = z.string().regex(/^(?:[01]\d|2[0-3]):[0-5]\d$/, { error: 'Must be HH:MM' });
const endClockTime = z
  .string()
  .regex(/^(?:(?:[01]\d|2[0-3]):[0-5]\d|24:00)$/, { error: 'Must be HH:MM or 24:00' });
/** A percentage with at most two decimals, 0–100. */
const percent = z
  .string()
  .regex(/^(?:100(?:\.0{1,2})?|[1-9]?\d(?:\.\d{1,2})?)$/, { error: 'Must be 0–100, two decimals' });

export const operatorSchema = z.object({
  operatorId: id,
  name,
  code: cardCode,
  kind: z.enum(['transit', 'retail']),
});

/** GTFS networks.txt: here one network belongs to one operator and prices one way. */
export const networkSchema = z.object({
  networkId: id,
  name,
  operatorId: id,
  /** flat: one tap per ride; distance: tap in and tap out, priced by from/to area. */
  fareMode: z.enum(['flat', 'distance']),
});

/** GTFS routes.txt network_id (route_networks.txt). */
export const routeSchema = z.object({ routeId: id, networkId: id, name, code: cardCode });
export const areaSchema = z.object({ areaId: id, name });
export const stopSchema = z.object({ stopId: id, name, code: cardCode });
export const stopAreaSchema = z.object({ areaId: id, stopId: id });
export const shopSchema = z.object({ shopId: id, operatorId: id, name });

/** GTFS timeframes.txt, with ISO weekdays (1 = Monday) in place of a service_id. */
export const timeframeSchema = z.object({
  timeframeGroupId: id,
  startTime: clockTime,
  endTime: endClockTime,
  days: z.array(z.int().min(1).max(7)).min(1).max(7).optional(),
});

export const concessionSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('none') }),
  z.object({ type: z.literal('percent'), percentOff: percent }),
  z.object({ type: z.literal('free') }),
]);

/** GTFS rider_categories.txt; `cardProducts` are the concession codes the issuer writes on cards. */
export const riderCategorySchema = z.object({
  riderCategoryId: id,
  name,
  isDefaultFareCategory: z.boolean(),
  cardProducts: z.array(z.string().min(1).max(12)),
  concession: concessionSchema,
});

/** GTFS fare_products.txt. A negative amount is a discount (used by fare_transfer_type 1). */
export const fareProductSchema = z.object({
  fareProductId: id,
  name,
  amount: amountString,
  currency: z.literal('CNY'),
});

/** Leg groups named by fare_leg_rules.leg_group_id, with the code the card keeps. */
export const legGroupSchema = z.object({ legGroupId: id, code: cardCode });

/** GTFS fare_leg_rules.txt: an empty field does not affect matching (rule_priority semantics). */
export const fareLegRuleSchema = z.object({
  legGroupId: id,
  networkId: id,
  fromAreaId: id.optional(),
  toAreaId: id.optional(),
  fromTimeframeGroupId: id.optional(),
  fareProductId: id,
  rulePriority: z.int().min(0).max(1000).default(0),
});

/**
 * GTFS fare_transfer_rules.txt. The window runs from the first leg of the transfer chain
 * (duration_limit_type 1: departure to departure). transfer_count is the number of transfers
 * the chain may have made before this one (-1: no limit), also between different leg groups.
 */
export const fareTransferRuleSchema = z.object({
  fromLegGroupId: id,
  toLegGroupId: id,
  transferCount: z
    .int()
    .min(-1)
    .max(255)
    .refine((n) => n !== 0, { error: 'Must be -1 or ≥ 1' }),
  durationLimit: z.int().min(1).max(86_400),
  durationLimitType: z.literal(1),
  /** 0: the next leg costs the transfer product (A + AB); 1: the leg plus the product (A + AB + B). */
  fareTransferType: z.union([z.literal(0), z.literal(1)]),
  fareProductId: id,
});

export const dailyCapSchema = z.object({ riderCategoryId: id, amount: nonNegativeAmountString });

/** Held at entry on a distance network; a missing tap-out stays charged at this product. */
export const maxFareSchema = z.object({
  networkId: id,
  fareProductId: id,
  maxJourneyMinutes: z
    .int()
    .min(1)
    .max(24 * 60),
});

export const fareSetSchema = z.object({
  format: z.literal(FARE_SET_FORMAT),
  version: z.string().regex(/^[A-Za-z0-9._-]{1,32}$/),
  effectiveFrom: z.iso.datetime({ offset: true }),
  currency: z.literal('CNY'),
  /** The day (for caps and daily counters) starts at startTime local time, a fixed UTC offset. */
  serviceDay: z.object({ utcOffsetMinutes: z.int().min(-720).max(840), startTime: clockTime }),
  operators: z.array(operatorSchema).min(1),
  networks: z.array(networkSchema),
  routes: z.array(routeSchema),
  areas: z.array(areaSchema),
  stops: z.array(stopSchema),
  stopAreas: z.array(stopAreaSchema),
  shops: z.array(shopSchema),
  timeframes: z.array(timeframeSchema),
  riderCategories: z.array(riderCategorySchema).min(1),
  fareProducts: z.array(fareProductSchema),
  legGroups: z.array(legGroupSchema),
  fareLegRules: z.array(fareLegRuleSchema),
  fareTransferRules: z.array(fareTransferRuleSchema),
  dailyCaps: z.array(dailyCapSchema),
  maxFares: z.array(maxFareSchema),
});

export type FareSet = z.infer<typeof fareSetSchema>;
/** The fare set as written by hand or read from JSON, before defaults are filled in. */
export type FareSetInput = z.input<typeof fareSetSchema>;
export type Operator = z.infer<typeof operatorSchema>;
export type Network = z.infer<typeof networkSchema>;
export type Route = z.infer<typeof routeSchema>;
export type Timeframe = z.infer<typeof timeframeSchema>;
export type Concession = z.infer<typeof concessionSchema>;
export type RiderCategory = z.infer<typeof riderCategorySchema>;
export type FareProduct = z.infer<typeof fareProductSchema>;
export type FareLegRule = z.infer<typeof fareLegRuleSchema>;
export type FareTransferRule = z.infer<typeof fareTransferRuleSchema>;
export type MaxFare = z.infer<typeof maxFareSchema>;
