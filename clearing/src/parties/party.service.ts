import type pg from 'pg';
import { withTransaction, type Queryable } from '@citycard/core/db';
import { AppError } from '@citycard/core/errors';
import { appendAudit } from '../settlement/audit-log.js';
import { getParty, saveParty } from './party.repository.js';
import { ISSUER_PARTY_ID, partyInput, type Party, type PartyInput } from './party.types.js';

/** A party's settlement data as PUT carries it: everything but the id, which the URL names. */
export const partyBody = partyInput.omit({ id: true });
export type PartyBody = Omit<PartyInput, 'id'>;

const FIELDS = [
  'name',
  'bankName',
  'bankAccountName',
  'bankAccountNumber',
  'contactName',
  'contactEmail',
  'contactPhone',
] as const;

function kindRefused(message: string): AppError {
  return new AppError('VALIDATION_FAILED', {
    message,
    details: { issues: [{ path: 'body.kind', message }] },
  });
}

async function currentParty(tx: Queryable, id: string): Promise<Party | undefined> {
  try {
    return await getParty(tx, id);
  } catch (err) {
    if (err instanceof AppError && err.code === 'PARTY_NOT_FOUND') return undefined;
    throw err;
  }
}

/** Names of the fields that differ; the values stay out of the audit trail (bank accounts). */
function changedFields(current: Party | undefined, body: PartyBody): string[] {
  return FIELDS.filter((f) => (current?.[f] ?? null) !== (body[f] ?? null));
}

/**
 * Replaces a party's settlement data from the API: a new version when anything changed (the first
 * creates the party), audited by field name. A party keeps its kind, and the issuer is the one
 * party with the issuer's id.
 */
export function putParty(
  pool: pg.Pool,
  id: string,
  input: PartyBody,
  who: { readonly actor: string; readonly now: Date },
): Promise<Party> {
  const body = partyBody.parse(input);
  if ((body.kind === 'issuer') !== (id === ISSUER_PARTY_ID)) {
    throw kindRefused(`Only the party ${ISSUER_PARTY_ID} is of kind issuer`);
  }
  return withTransaction(pool, async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`clearing.party:${id}`]);
    const current = await currentParty(tx, id);
    if (current !== undefined && current.kind !== body.kind) {
      throw kindRefused(`The party is of kind ${current.kind}; a party keeps its kind`);
    }
    const changed = changedFields(current, body);
    if (current !== undefined && changed.length === 0) return current;
    const saved = await saveParty(tx, { ...body, id }, { by: who.actor, now: who.now });
    await appendAudit(tx, {
      at: who.now,
      actor: who.actor,
      action: current === undefined ? 'party.create' : 'party.update',
      runId: null,
      day: null,
      details: { partyId: id, kind: saved.kind, version: saved.version, changed },
    });
    return saved;
  });
}
