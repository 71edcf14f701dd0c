import { z } from 'zod';
import { idString } from '@citycard/terminal-sdk/protocol';
import { TERMINAL_STATUSES } from '../terminals/index.js';
import type { OperatorRow, TerminalAdminRow } from './registry.repository.js';

export const operatorBody = z.strictObject({
  id: idString,
  name: z.string().trim().min(1).max(120),
  kind: z.enum(['transit', 'retail']),
  /** The u16 the card keeps for the operator: the same as in the fare set. */
  cardCode: z.int().min(1).max(65_535),
});

export const operatorSchema = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.enum(['transit', 'retail']),
  cardCode: z.int(),
  enabled: z.boolean(),
  createdAt: z.string(),
});

export const operatorOut = (r: OperatorRow): z.infer<typeof operatorSchema> => ({
  id: r.id,
  name: r.name,
  kind: r.kind,
  cardCode: r.card_code,
  enabled: r.enabled,
  createdAt: r.created_at.toISOString(),
});

export const operatorParams = z.strictObject({ operatorId: idString });
export const terminalParams = z.strictObject({ terminalId: idString });

export const terminalBody = z.strictObject({
  id: idString,
  operatorId: idString,
  description: z.string().trim().min(1).max(200).optional(),
});

export const terminalQuery = z.strictObject({
  operatorId: idString.optional(),
  status: z.enum(TERMINAL_STATUSES).optional(),
});

export const terminalSchema = z.object({
  id: z.string(),
  operatorId: z.string(),
  status: z.enum(TERMINAL_STATUSES),
  description: z.string().nullable(),
  macKeyId: z.string().nullable(),
  certSerial: z.string().nullable(),
  createdAt: z.string(),
  enrolledAt: z.string().nullable(),
  disabledAt: z.string().nullable(),
  retiredAt: z.string().nullable(),
});

const iso = (d: Date | null): string | null => (d === null ? null : d.toISOString());

export const terminalOut = (r: TerminalAdminRow): z.infer<typeof terminalSchema> => ({
  id: r.id,
  operatorId: r.operator_id,
  status: r.status,
  description: r.description,
  macKeyId: r.mac_key_id,
  certSerial: r.cert_serial,
  createdAt: r.created_at.toISOString(),
  enrolledAt: iso(r.enrolled_at),
  disabledAt: iso(r.disabled_at),
  retiredAt: iso(r.retired_at),
});

export const tokenBody = z.strictObject({
  /** How long the token may be used; a day by default, a month at most. */
  ttlHours: z
    .int()
    .min(1)
    .max(24 * 31)
    .default(24),
});

export const tokenSchema = z.object({
  /** Shown this once: the gateway keeps only its sha256. */
  token: z.string(),
  terminalId: z.string(),
  operatorId: z.string(),
  expiresAt: z.string(),
});
