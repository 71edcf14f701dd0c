import { z } from 'zod';
import { cardNumberString, idString, isoDateTime, uidString, versionNumber } from './primitives.js';

/**
 * One hotlisted card. The card number is absent for a blank card cancelled straight from stock,
 * which terminals match by UID. `reason` is issuance's word for it (lost, blocked, …).
 */
export const hotlistEntrySchema = z.strictObject({
  cardNumber: cardNumberString.optional(),
  uid: uidString,
  reason: z.string().min(1).max(32).optional(),
});
export type HotlistEntry = z.infer<typeof hotlistEntrySchema>;

const MAX_HOTLIST_ENTRIES = 2_000_000;

/**
 * GET /v1/hotlist?since=N. A delta takes a terminal from `since` to `version`: apply `remove`,
 * then `add`. When `since` is older than the gateway keeps deltas for (or 0, or unknown), the
 * gateway answers `full`: the complete list at `version`, which replaces the terminal's.
 */
export const hotlistResponseSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    v: z.literal(1),
    kind: z.literal('delta'),
    since: versionNumber,
    version: versionNumber,
    add: z.array(hotlistEntrySchema).max(MAX_HOTLIST_ENTRIES),
    remove: z.array(hotlistEntrySchema).max(MAX_HOTLIST_ENTRIES),
  }),
  z.strictObject({
    v: z.literal(1),
    kind: z.literal('full'),
    version: versionNumber,
    entries: z.array(hotlistEntrySchema).max(MAX_HOTLIST_ENTRIES),
  }),
]);
export type HotlistResponse = z.infer<typeof hotlistResponseSchema>;
export type HotlistDelta = Extract<HotlistResponse, { kind: 'delta' }>;
export type HotlistFull = Extract<HotlistResponse, { kind: 'full' }>;

/**
 * A fare set as distributed: the body is the fare engine's FareSet JSON, validated by the fare
 * module's own schema on arrival; the envelope only needs to know its version and start.
 */
export const fareSetEnvelopeSchema = z.strictObject({
  version: z.string().min(1).max(64),
  effectiveFrom: isoDateTime,
  body: z.unknown(),
});
export type FareSetEnvelope = z.infer<typeof fareSetEnvelopeSchema>;

/** GET /v1/fares: the set in force and any scheduled ones, for the terminal's operator. */
export const fareSetsResponseSchema = z.strictObject({
  v: z.literal(1),
  fareSets: z.array(fareSetEnvelopeSchema).min(1).max(16),
});
export type FareSetsResponse = z.infer<typeof fareSetsResponseSchema>;

export const operatorSettingsSchema = z.strictObject({
  timeZone: z.string().min(1).max(64),
  /** Records per uploaded batch. */
  uploadBatchSize: z.int().min(1).max(1000),
  uploadIntervalSeconds: z.int().min(1).max(86_400),
  hotlistPollSeconds: z.int().min(1).max(86_400),
  /** A terminal that has not reached the gateway for this long stops selling. */
  maxOfflineHours: z
    .int()
    .min(1)
    .max(24 * 30),
  clockSkewToleranceSeconds: z.int().min(1).max(86_400),
});
export type OperatorSettings = z.infer<typeof operatorSettingsSchema>;

export const operatorConfigSchema = z.strictObject({
  version: z.string().min(1).max(64),
  effectiveFrom: isoDateTime,
  operatorId: idString,
  settings: operatorSettingsSchema,
});
export type OperatorConfig = z.infer<typeof operatorConfigSchema>;

/** GET /v1/config: the configuration in force and any scheduled ones. */
export const operatorConfigResponseSchema = z.strictObject({
  v: z.literal(1),
  configs: z.array(operatorConfigSchema).min(1).max(16),
});
export type OperatorConfigResponse = z.infer<typeof operatorConfigResponseSchema>;

/** GET /v1/time: the gateway's clock when it answered, to the millisecond. */
export const timeResponseSchema = z.strictObject({
  v: z.literal(1),
  serverTime: isoDateTime,
});
export type TimeResponse = z.infer<typeof timeResponseSchema>;
