import type { Queryable } from '@citycard/core/db';
import type { PersonalisationStatus } from '../cards/card.repository.js';

/** Fixes the layout and key version a card is personalised with, the first time only. */
export async function pinKeyVersion(
  tx: Queryable,
  cardId: string,
  keyVersion: number,
  layoutVersion: number,
): Promise<void> {
  await tx.query(
    `UPDATE cards SET key_version = $2, layout_version = $3
     WHERE id = $1 AND key_version IS NULL`,
    [cardId, keyVersion, layoutVersion],
  );
}

export async function setPersonalisation(
  tx: Queryable,
  cardId: string,
  status: PersonalisationStatus,
  keyedSectors: readonly number[],
): Promise<void> {
  await tx.query('UPDATE cards SET personalisation = $2, keyed_sectors = $3 WHERE id = $1', [
    cardId,
    status,
    keyedSectors,
  ]);
}
