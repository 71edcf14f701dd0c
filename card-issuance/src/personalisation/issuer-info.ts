import { z } from 'zod';
import type { IssuerInfo } from '@citycard/core/card';
import type { Queryable } from '@citycard/core/db';
import { AppError } from '@citycard/core/errors';
import type { CardRow } from '../cards/card.repository.js';

const SHANGHAI_DAY = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

const isoDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

/** What a personalisation plan is rebuilt from: kept with the plan, never with keys. */
export const personalisationSpec = z.object({
  layoutVersion: z.literal(1),
  issuer: z.object({
    cardNumber: z.string().regex(/^\d{16}$/),
    issuedOn: isoDay,
    expiresOn: isoDay,
    status: z.enum(['active', 'blocked']),
    layoutVersion: z.number().int(),
    keyVersion: z.number().int().min(1).max(255),
    concession: z.string().max(12),
    concessionUntil: isoDay.nullable(),
  }),
  /** 16 opaque bytes, upper-case hex: the card's id, which leads to the holder in issuance only. */
  cardholderRef: z.string().regex(/^[0-9A-F]{32}$/),
  /** Sectors that already carry the card's own keys (a recovery). */
  keyedFrom: z.array(z.number().int().min(0).max(15)),
});
export type PersonalisationSpec = z.infer<typeof personalisationSpec>;

/** The issuer block contents for an issued card: number, validity, concession, versions. */
export async function issuerInfoFor(
  tx: Queryable,
  card: CardRow,
  keyVersion: number,
): Promise<IssuerInfo> {
  if (
    card.cardNumber === null ||
    card.productCode === null ||
    card.issuedAt === null ||
    card.expiresOn === null
  ) {
    throw new AppError('CARD_NOT_ISSUED', { details: { cardId: card.id } });
  }
  const { rows } = await tx.query<{ concession: string }>(
    'SELECT concession_ref AS concession FROM product_contract WHERE code = $1',
    [card.productCode],
  );
  return {
    cardNumber: card.cardNumber,
    issuedOn: SHANGHAI_DAY.format(card.issuedAt),
    expiresOn: card.expiresOn,
    status: 'active',
    layoutVersion: 1,
    keyVersion,
    concession: rows[0]?.concession ?? 'FULL',
    concessionUntil: null,
  };
}

/** No personal data on the card: the reference is the card's own id, meaningful only here. */
export function cardholderRefFor(card: CardRow): string {
  return card.id.replace(/-/g, '').toUpperCase();
}
