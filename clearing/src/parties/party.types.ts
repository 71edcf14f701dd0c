import { z } from 'zod';

/** The issuer's own party id: its position is the other side of every operator's. */
export const ISSUER_PARTY_ID = 'issuer';

export type PartyKind = 'issuer' | 'operator';

export const partyInput = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/),
  kind: z.enum(['issuer', 'operator']),
  name: z.string().min(1).max(120),
  bankName: z.string().max(120).nullable().optional(),
  bankAccountName: z.string().max(120).nullable().optional(),
  bankAccountNumber: z
    .string()
    .regex(/^[0-9A-Za-z-]{4,40}$/)
    .nullable()
    .optional(),
  contactName: z.string().max(120).nullable().optional(),
  contactEmail: z.string().max(200).nullable().optional(),
  contactPhone: z.string().max(40).nullable().optional(),
});
export type PartyInput = z.input<typeof partyInput>;

export interface Party {
  readonly id: string;
  readonly kind: PartyKind;
  readonly version: number;
  readonly name: string;
  readonly bankName: string | null;
  readonly bankAccountName: string | null;
  readonly bankAccountNumber: string | null;
  readonly contactName: string | null;
  readonly contactEmail: string | null;
  readonly contactPhone: string | null;
  readonly changedBy: string;
  readonly changedAt: Date;
}
