import { LAYOUT_V1 } from '@citycard/core/card';
import type { Queryable } from '@citycard/core/db';
import { AppError } from '@citycard/core/errors';
import { recordAudit } from '../audit/audit.js';
import { createPlan } from '../agent/plan-registry.js';
import type { ActionContext } from '../cards/card-context.js';
import { requireCard, type CardRow } from '../cards/card.repository.js';
import type { IssuanceDeps } from '../deps.js';
import { keyRing } from '../keys/key-ring.js';
import { cardholderRefFor, issuerInfoFor, type PersonalisationSpec } from './issuer-info.js';
import { pinKeyVersion } from './personalisation.repository.js';

export interface PlannedPersonalisation {
  readonly planId: string;
  readonly uid: string;
  readonly purpose: 'personalise' | 'recover';
  readonly expiresAt: Date;
}

function checkPersonalisable(card: CardRow): void {
  if (card.personalisation === 'done') {
    throw new AppError('CARD_ALREADY_PERSONALISED', { details: { cardId: card.id } });
  }
  if (card.state !== 'personalised') {
    throw new AppError('CARD_NOT_ISSUED', { details: { cardId: card.id, state: card.state } });
  }
}

/**
 * A plan that writes an issued card's chip at the clerk's counter: the first one from transport
 * keys, or, after a run that stopped half way, a recovery that starts from the sectors the last
 * report proved keyed. The card keeps the key version it was first planned with.
 */
export async function planPersonalisation(
  tx: Queryable,
  deps: IssuanceDeps,
  ctx: ActionContext,
  cardId: string,
  agentId: string,
): Promise<PlannedPersonalisation> {
  const card = await requireCard(tx, cardId, { forUpdate: true });
  checkPersonalisable(card);
  const keyVersion = card.keyVersion ?? (await keyRing(deps).latestVersion(tx));
  await pinKeyVersion(tx, card.id, keyVersion, LAYOUT_V1.version);
  const spec: PersonalisationSpec = {
    layoutVersion: 1,
    issuer: await issuerInfoFor(tx, card, keyVersion),
    cardholderRef: cardholderRefFor(card),
    keyedFrom: card.keyedSectors,
  };
  const purpose = card.personalisation === 'in_progress' ? 'recover' : 'personalise';
  const plan = await createPlan(tx, {
    cardId: card.id,
    uid: card.uid,
    agentId,
    purpose,
    spec,
    staff: ctx.staff,
    requestId: ctx.requestId,
    now: ctx.now,
    ttlSeconds: deps.settings.planTtlSeconds,
  });
  await recordAudit(tx, {
    actor: ctx.staff,
    action: 'card.personalisation_planned',
    targetType: 'card',
    targetId: card.id,
    requestId: ctx.requestId,
    after: { planId: plan.id, purpose, agentId, keyVersion, keyedFrom: card.keyedSectors },
  });
  return { planId: plan.id, uid: card.uid, purpose, expiresAt: plan.expiresAt };
}
