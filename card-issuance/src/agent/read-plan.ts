import { z } from 'zod';
import {
  blocksFromReport,
  buildReadPlan,
  decodeCardImage,
  type CardKeys,
  type CardPlan,
  type PlanReport,
} from '@citycard/core/card';
import type { Queryable } from '@citycard/core/db';
import { AppError } from '@citycard/core/errors';
import { recordAudit } from '../audit/audit.js';
import { lockCardByUid, requireCard } from '../cards/card.repository.js';
import type { IssuanceDeps } from '../deps.js';
import type { AgentPrincipal } from './agent-auth.js';
import type { ReportAnswer } from './agent.schemas.js';
import { cardSnapshot } from './card-snapshot.js';
import {
  cardReadObservers,
  createPlan,
  registerPlanKind,
  type PlanKind,
  type ReportContext,
} from './plan-registry.js';
import type { PlanRow } from './plan.repository.js';

const READ_SECTORS = ['issuer', 'purse', 'transit', 'history'] as const;
const readSpec = z.object({ sectors: z.array(z.enum(READ_SECTORS)).min(1) });

async function settleRead(
  tx: Queryable,
  plan: PlanRow,
  report: PlanReport,
  keys: CardKeys,
  ctx: ReportContext,
): Promise<ReportAnswer> {
  if (report.outcome !== 'completed') {
    return { planId: plan.id, status: 'rejected', message: `The read stopped: ${report.outcome}` };
  }
  const card = await requireCard(tx, plan.cardId, { forUpdate: true });
  const blocks = blocksFromReport(report);
  const image = decodeCardImage(blocks, keys.uid, keys.purseMacKey);
  let resolved = 0;
  for (const observe of cardReadObservers()) {
    const r = await observe(tx, { plan, card, image, blocks, keys }, ctx);
    resolved += r.uncertainLoadsResolved;
  }
  const snapshot = await cardSnapshot(tx, await requireCard(tx, card.id), image, resolved);
  await recordAudit(tx, {
    actor: { system: `reader-agent:${ctx.agentId}` },
    action: 'card.read',
    targetType: 'card',
    targetId: card.id,
    requestId: ctx.requestId,
    after: { planId: plan.id, purseCounter: snapshot.purseCounter, mismatch: snapshot.mismatch },
  });
  return { planId: plan.id, status: 'accepted', card: snapshot };
}

export const readPlanKind: PlanKind = {
  build(_tx, plan, keys): Promise<CardPlan> {
    const spec = readSpec.parse(plan.spec);
    return Promise.resolve(
      buildReadPlan({ planId: plan.id, uid: keys.uid, keys, sectors: spec.sectors }),
    );
  },
  onReport: settleRead,
};

export function registerReadPlanKind(): void {
  registerPlanKind('read', readPlanKind);
}

/**
 * A read plan an agent asks for itself, for the card in its reader: key A reads of the issuer,
 * purse, transit and history sectors. Only a card issuance knows and has personalised.
 */
export async function createReadPlan(
  tx: Queryable,
  deps: IssuanceDeps,
  agent: AgentPrincipal,
  uid: string,
  requestId: string,
): Promise<PlanRow> {
  const card = await lockCardByUid(tx, uid);
  if (card.personalisation !== 'done') {
    throw new AppError('CARD_NOT_PERSONALISED', { details: { cardId: card.id } });
  }
  return createPlan(tx, {
    cardId: card.id,
    uid,
    agentId: agent.id,
    purpose: 'read',
    spec: { sectors: [...READ_SECTORS] },
    staff: null,
    requestId,
    now: deps.clock(),
    ttlSeconds: deps.settings.planTtlSeconds,
  });
}
