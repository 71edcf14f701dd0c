import {
  blocksFromReport,
  buildPersonalisationPlan,
  decodeCardImage,
  keyedSectors,
  LAYOUT_V1,
  type CardKeys,
  type CardPlan,
  type PlanReport,
} from '@citycard/core/card';
import type { Queryable } from '@citycard/core/db';
import { recordAudit } from '../audit/audit.js';
import { cardSnapshot } from '../agent/card-snapshot.js';
import type { ReportAnswer } from '../agent/agent.schemas.js';
import { planActionContext } from '../agent/plan-actor.js';
import { registerPlanKind, type PlanKind, type ReportContext } from '../agent/plan-registry.js';
import type { PlanRow } from '../agent/plan.repository.js';
import { applyCommand } from '../cards/card-command.js';
import { requireCard, type CardRow } from '../cards/card.repository.js';
import { personalisationSpec } from './issuer-info.js';
import { setPersonalisation } from './personalisation.repository.js';
import { anyWriteAttempted, provenKeyedSectors, readbackMatches } from './readback.js';

function build(plan: PlanRow, keys: CardKeys): CardPlan {
  const spec = personalisationSpec.parse(plan.spec);
  const built = buildPersonalisationPlan({
    planId: plan.id,
    uid: keys.uid,
    issuer: spec.issuer,
    cardholderRef: Buffer.from(spec.cardholderRef, 'hex'),
    keys,
    layout: LAYOUT_V1,
    keyedFrom: new Set(spec.keyedFrom),
  });
  // A recovery is the same plan with other first keys; the purpose says which it was asked as.
  return { ...built, purpose: plan.purpose };
}

async function audit(
  tx: Queryable,
  ctx: ReportContext,
  card: CardRow,
  action: string,
  after: Record<string, unknown>,
): Promise<void> {
  await recordAudit(tx, {
    actor: { system: `reader-agent:${ctx.agentId}` },
    action,
    targetType: 'card',
    targetId: card.id,
    requestId: ctx.requestId,
    after,
  });
}

async function accept(
  tx: Queryable,
  plan: PlanRow,
  report: PlanReport,
  keys: CardKeys,
  card: CardRow,
  ctx: ReportContext,
): Promise<ReportAnswer> {
  await setPersonalisation(tx, card.id, 'done', keyedSectors(LAYOUT_V1));
  await audit(tx, ctx, card, 'card.personalised', {
    planId: plan.id,
    keyVersion: plan.keyVersion,
    layoutVersion: LAYOUT_V1.version,
  });
  const action = await planActionContext(tx, plan, ctx);
  // Only a card still waiting for its chip is activated; the deposit went into the drawer at issue.
  const now =
    action !== null && card.state === 'personalised'
      ? await applyCommand(tx, card, 'activate', action, { audit: { planId: plan.id } })
      : card;
  const image = decodeCardImage(blocksFromReport(report), keys.uid, keys.purseMacKey);
  const snapshot = await cardSnapshot(tx, now, image, 0);
  return { planId: plan.id, status: 'accepted', card: snapshot };
}

async function settle(
  tx: Queryable,
  plan: PlanRow,
  report: PlanReport,
  keys: CardKeys,
  ctx: ReportContext,
): Promise<ReportAnswer> {
  const card = await requireCard(tx, plan.cardId, { forUpdate: true });
  if (card.personalisation === 'done') {
    return { planId: plan.id, status: 'rejected', message: 'The card is personalised already' };
  }
  if (report.outcome === 'wrong_card') {
    return { planId: plan.id, status: 'rejected', message: 'Another card was in the reader' };
  }
  const expected = build(plan, keys);
  if (readbackMatches(expected, report)) return accept(tx, plan, report, keys, card, ctx);
  const keyed = provenKeyedSectors(expected, report, keys, card.keyedSectors);
  const touched = anyWriteAttempted(expected, report) || keyed.length > 0;
  const status = touched || card.personalisation === 'in_progress' ? 'in_progress' : 'not_started';
  await setPersonalisation(tx, card.id, status, keyed);
  await audit(tx, ctx, card, 'card.personalisation_failed', {
    planId: plan.id,
    outcome: report.outcome,
    completedSteps: report.completedSteps,
    keyedSectors: keyed,
  });
  return {
    planId: plan.id,
    status: 'rejected',
    message:
      status === 'in_progress'
        ? `Personalisation stopped (${report.outcome}); ask for a recovery plan`
        : `Personalisation stopped (${report.outcome}) before writing; ask for a new plan`,
  };
}

export const personalisationKind: PlanKind = {
  build: (_tx, plan, keys) => Promise.resolve(build(plan, keys)),
  onReport: settle,
};

export function registerPersonalisationKinds(): void {
  registerPlanKind('personalise', personalisationKind);
  registerPlanKind('recover', personalisationKind);
}
