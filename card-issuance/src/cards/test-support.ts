import { randomBytes } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import type { Queryable } from '@citycard/core/db';
import type { Role } from '../auth/roles.js';
import { birthDateOf, residentId, uniqueName } from '../cardholders/test-support.js';
import { makeBranch, type Headers } from '../drawers/test-support.js';
import type { IssuanceTestApp } from '../testing/harness.js';
import type { CardDetail, CardResult } from './card.schemas.js';

export type { Headers };

export const randomUid = (bytes: 4 | 7 = 7): string =>
  randomBytes(bytes).toString('hex').toUpperCase();

export type Inject = (
  method: 'GET' | 'POST' | 'PATCH',
  url: string,
  headers: Headers,
  payload?: unknown,
) => Promise<LightMyRequestResponse>;

export function injector(t: IssuanceTestApp): Inject {
  return (method, url, headers, payload) =>
    t.app.inject({
      method,
      url,
      headers,
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
}

export async function importStock(t: IssuanceTestApp, headers: Headers, count: number) {
  const uids = Array.from({ length: count }, () => randomUid());
  const res = await injector(t)('POST', '/stock/batches', headers, uids);
  if (res.statusCode !== 201) throw new Error(`stock: ${res.statusCode} ${res.body}`);
  return uids;
}

export async function registerHolder(t: IssuanceTestApp, headers: Headers): Promise<string> {
  const number = residentId();
  const res = await injector(t)('POST', '/cardholders', headers, {
    name: uniqueName('张'),
    document: { type: 'resident_id', number },
    dateOfBirth: birthDateOf(number),
  });
  if (res.statusCode !== 201) throw new Error(`cardholder: ${res.statusCode} ${res.body}`);
  return res.json<{ id: string }>().id;
}

export interface Counter {
  readonly staffId: string;
  readonly headers: Headers;
  readonly drawerId: string;
}

/** A member of staff signed in at a fresh counter with an open drawer holding `float`. */
export async function atCounter(
  t: IssuanceTestApp,
  admin: Headers,
  role: Role = 'clerk',
  float = '1000.00',
): Promise<Counter> {
  const place = await makeBranch(t, admin, 1);
  const counterId = place.counterIds[0] ?? '';
  const who = await t.signIn(role, { branchId: place.branchId, counterId });
  const res = await injector(t)('POST', '/drawers/open', who.headers, {
    counterId,
    openingFloat: float,
  });
  if (res.statusCode !== 201) throw new Error(`drawer: ${res.statusCode} ${res.body}`);
  return { staffId: who.staffId, headers: who.headers, drawerId: res.json<{ id: string }>().id };
}

export async function issueCard(
  t: IssuanceTestApp,
  headers: Headers,
  cardholderId: string,
  uid: string,
  productCode = 'standard',
): Promise<CardResult> {
  const res = await injector(t)('POST', '/cards/issue', headers, {
    uid,
    cardholderId,
    productCode,
  });
  if (res.statusCode !== 201) throw new Error(`issue: ${res.statusCode} ${res.body}`);
  return res.json<CardResult>();
}

export async function getCard(t: IssuanceTestApp, headers: Headers, id: string) {
  const res = await injector(t)('GET', `/cards/${id}`, headers);
  if (res.statusCode !== 200) throw new Error(`card: ${res.statusCode} ${res.body}`);
  return res.json<CardDetail>();
}

export async function cashFor(db: Queryable, cardId: string) {
  const { rows } = await db.query<{ drawerId: string; kind: string; amount: string }>(
    `SELECT drawer_id AS "drawerId", kind, amount::text AS amount FROM issuance.cash_movements
     WHERE reference_type = 'card' AND reference_id = $1 ORDER BY drawer_id, seq`,
    [cardId],
  );
  return rows;
}

export async function hotlistFor(db: Queryable, cardId: string) {
  const { rows } = await db.query<{
    version: string;
    cardNumber: string | null;
    action: string;
    reason: string;
  }>(
    `SELECT h.version::text AS version, h.card_number AS "cardNumber", h.action, h.reason
     FROM issuance.hotlist h WHERE h.card_id = $1 ORDER BY h.version`,
    [cardId],
  );
  return rows;
}

export async function auditActions(db: Queryable, targetId: string): Promise<string[]> {
  const { rows } = await db.query<{ action: string }>(
    'SELECT action FROM issuance.audit_log WHERE target_id = $1 ORDER BY seq',
    [targetId],
  );
  return rows.map((r) => r.action);
}

/** Everything about a card that a refused request must leave as it was. */
export async function snapshot(db: Queryable, cardId: string): Promise<string> {
  const { rows } = await db.query<{ s: string }>(
    `SELECT json_build_object(
       'card', (SELECT row_to_json(c) FROM issuance.cards c WHERE c.id = $1),
       'changes', (SELECT count(*) FROM issuance.card_state_changes WHERE card_id = $1),
       'entries', (SELECT count(*) FROM issuance.shadow_balance_entries WHERE card_id = $1),
       'hotlist', (SELECT count(*) FROM issuance.hotlist WHERE card_id = $1),
       'cash', (SELECT count(*) FROM issuance.cash_movements
                WHERE reference_type = 'card' AND reference_id = $1::text),
       'audit', (SELECT count(*) FROM issuance.audit_log WHERE target_id = $1::text),
       'transfers', (SELECT count(*) FROM issuance.balance_transfers
                     WHERE from_card_id = $1 OR to_card_id = $1)
     )::text AS s`,
    [cardId],
  );
  return rows[0]?.s ?? '';
}
