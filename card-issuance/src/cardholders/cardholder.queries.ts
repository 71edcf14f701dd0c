import type { Queryable } from '@citycard/core/db';
import { AppError } from '@citycard/core/errors';
import {
  findCardholder,
  listHistory,
  searchByCardNumber,
  searchByDocumentIndex,
  searchByNamePrefix,
  type CardholderRow,
} from './cardholder.repository.js';
import type { z } from 'zod';
import {
  previousValues,
  toSummary,
  type HistoryEntry,
  type SearchInput,
  type SearchResult,
} from './cardholder.schemas.js';
import { maskPhone, type DocumentType } from './document.js';
import { localDate, requireDocument } from './identity.js';
import { idNumberIndex, openPrevious, type PiiKeys } from './pii.js';

export async function requireCardholder(tx: Queryable, id: string): Promise<CardholderRow> {
  const row = await findCardholder(tx, id);
  if (row === undefined) {
    throw new AppError('CARDHOLDER_NOT_FOUND', { details: { cardholderId: id } });
  }
  return row;
}

/**
 * Exactly one of idNumber (exact, through the blind index), name (case-insensitive prefix) or
 * cardNumber (the card's holder). An identity number that cannot be valid is refused with its
 * reason rather than searched: it is a typing error the clerk can fix.
 */
export async function searchCardholders(
  tx: Queryable,
  keys: PiiKeys,
  now: Date,
  input: Omit<SearchInput, 'documentType'> & { documentType?: DocumentType | undefined },
): Promise<SearchResult> {
  let rows: CardholderRow[];
  if (input.idNumber !== undefined) {
    const type = input.documentType ?? 'resident_id';
    const doc = requireDocument(
      {
        type,
        number: input.idNumber,
        country: input.documentCountry ?? null,
        // The label is not part of what is indexed; any will do for the check.
        label: type === 'other' ? 'search' : null,
      },
      localDate(now),
    );
    rows = await searchByDocumentIndex(tx, doc.type, idNumberIndex(keys, doc));
  } else if (input.cardNumber !== undefined) {
    rows = await searchByCardNumber(tx, input.cardNumber);
  } else if (input.name !== undefined) {
    rows = await searchByNamePrefix(tx, input.name, input.limit + 1);
  } else {
    throw new AppError('VALIDATION_FAILED', {
      message: 'Give exactly one of idNumber, name or cardNumber',
    });
  }
  return {
    items: rows.slice(0, input.limit).map(toSummary),
    truncated: rows.length > input.limit,
  };
}

/** Every version, oldest first, with what each replaced shown as a list would show it. */
export async function cardholderHistory(
  tx: Queryable,
  keys: PiiKeys,
  id: string,
): Promise<HistoryEntry[]> {
  await requireCardholder(tx, id);
  const rows = await listHistory(tx, id);
  return rows.map((row) => ({
    version: row.version,
    changedAt: row.changedAt.toISOString(),
    changedBy: row.changedBy,
    changedFields: row.changedFields,
    reason: row.reason,
    previous:
      row.previousSealed === null
        ? null
        : displayPrevious(openPrevious(keys, id, row.version, row.previousSealed)),
  }));
}

function displayPrevious(values: Record<string, unknown>): z.infer<typeof previousValues> {
  const shown: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(values)) {
    if (key === 'idNumberSealed') continue;
    if (key === 'idNumberMasked') shown.maskedIdNumber = value;
    else if (key === 'phone') shown.phone = typeof value === 'string' ? maskPhone(value) : null;
    else shown[key] = value;
  }
  return previousValues.parse(shown);
}
