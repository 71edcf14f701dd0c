import { createHash } from 'node:crypto';
import type { CardPlan, PlanReport } from '@citycard/core/card';
import { withTransaction } from '@citycard/core/db';
import { AppError } from '@citycard/core/errors';
import type { IssuanceDeps } from '../deps.js';
import { keyRing } from '../keys/key-ring.js';
import type { AgentPrincipal } from './agent-auth.js';
import type { ReportAnswer } from './agent.schemas.js';
import { planKind, type ReportContext } from './plan-registry.js';
import { markFetched, recordReport, requirePlan, type PlanRow } from './plan.repository.js';

/** A plan another agent asked for is, to this agent, a plan that does not exist. */
function ownPlan(plan: PlanRow, agent: AgentPrincipal): void {
  if (plan.agentId !== agent.id)
    throw new AppError('PLAN_NOT_FOUND', { details: { planId: plan.id } });
  // The agent was moved to another counter after the plan was made for the first one.
  if (plan.counterId !== agent.counterId) {
    throw new AppError('AGENT_OTHER_COUNTER', { details: { agentId: agent.id } });
  }
}

/**
 * Hands a pending plan to the agent it was made for, for the card it was made for, until it
 * expires; it may be fetched again until it is reported. The plan is rebuilt from its spec and
 * the card's derived keys on every fetch.
 */
export async function fetchPlan(
  deps: IssuanceDeps,
  agent: AgentPrincipal,
  planId: string,
  uid: string,
): Promise<CardPlan> {
  const now = deps.clock();
  return withTransaction(deps.db, async (tx) => {
    const plan = await requirePlan(tx, planId, { forUpdate: true });
    ownPlan(plan, agent);
    if (plan.status !== 'pending') {
      throw new AppError('PLAN_ALREADY_REPORTED', {
        message: 'The card plan was reported already',
      });
    }
    if (plan.uid !== uid) throw new AppError('PLAN_WRONG_CARD', { details: { planId } });
    if (now.getTime() >= plan.expiresAt.getTime()) {
      throw new AppError('PLAN_EXPIRED', { details: { planId, expiresAt: plan.expiresAt } });
    }
    await markFetched(tx, plan.id, now);
    const keys = await keyRing(deps).cardKeys(plan.uid, plan.keyVersion);
    try {
      return await planKind(plan.purpose).build(tx, plan, keys);
    } finally {
      keys.wipe();
    }
  });
}

function reportHash(report: PlanReport): string {
  return createHash('sha256').update(JSON.stringify(report)).digest('hex');
}

/**
 * Settles a plan with the agent's report, once. The same report again gets the same answer; a
 * different report for a settled plan is refused. A report may arrive after the plan expired
 * (the card was written meanwhile), but never for a plan nobody fetched.
 */
export async function reportPlan(
  deps: IssuanceDeps,
  agent: AgentPrincipal,
  planId: string,
  report: PlanReport,
  requestId: string,
): Promise<ReportAnswer> {
  if (report.planId !== planId) {
    throw new AppError('VALIDATION_FAILED', { message: 'The report names another plan' });
  }
  const now = deps.clock();
  const hash = reportHash(report);
  return withTransaction(deps.db, async (tx) => {
    const plan = await requirePlan(tx, planId, { forUpdate: true });
    ownPlan(plan, agent);
    if (plan.status !== 'pending') {
      if (plan.reportHash === hash && plan.answer !== null) return plan.answer;
      throw new AppError('PLAN_ALREADY_REPORTED', { details: { planId } });
    }
    if (plan.firstFetchedAt === null) {
      throw new AppError('CONFLICT', { message: 'The card plan was never fetched' });
    }
    if (report.uid !== plan.uid && report.outcome !== 'wrong_card') {
      throw new AppError('PLAN_WRONG_CARD', { details: { planId } });
    }
    const ctx: ReportContext = {
      deps,
      requestId,
      agentId: agent.id,
      counterId: agent.counterId,
      now,
    };
    const keys = await keyRing(deps).cardKeys(plan.uid, plan.keyVersion);
    let answer: ReportAnswer;
    try {
      answer = await planKind(plan.purpose).onReport(tx, plan, report, keys, ctx);
    } finally {
      keys.wipe();
    }
    await recordReport(tx, plan.id, report, hash, answer, now);
    return answer;
  });
}
