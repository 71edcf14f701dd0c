import type { CardImage, CardKeys, CardPlan, PlanPurpose, PlanReport } from '@citycard/core/card';
import type { Queryable } from '@citycard/core/db';
import { AppError } from '@citycard/core/errors';
import type { StaffPrincipal } from '../auth/roles.js';
import type { CardRow } from '../cards/card.repository.js';
import type { IssuanceDeps } from '../deps.js';
import type { ReportAnswer } from './agent.schemas.js';
import { insertPlan, type PlanRow } from './plan.repository.js';
import { requireAgentAt } from './reader-agent.repository.js';

export type { PlanRow, ReportAnswer };

/** Who reported, when, inside which request; handed to a plan kind's onReport. */
export interface ReportContext {
  readonly deps: IssuanceDeps;
  readonly requestId: string;
  readonly agentId: string;
  readonly counterId: string;
  readonly now: Date;
}

/**
 * One purpose of card plan. `build` turns the stored spec and the card's derived keys back into
 * the exact plan (it must be deterministic: a plan is rebuilt each time it is fetched or
 * reported, never stored with its keys). `onReport` runs once per plan, inside the transaction
 * that records the report, with the plan row locked; its answer is stored and replayed for a
 * repeated report.
 */
export interface PlanKind {
  build(tx: Queryable, plan: PlanRow, keys: CardKeys): Promise<CardPlan>;
  onReport(
    tx: Queryable,
    plan: PlanRow,
    report: PlanReport,
    keys: CardKeys,
    ctx: ReportContext,
  ): Promise<ReportAnswer>;
}

const kinds = new Map<PlanPurpose, PlanKind>();

/** Registers (or replaces) the kind that builds and settles plans of one purpose. */
export function registerPlanKind(purpose: PlanPurpose, kind: PlanKind): void {
  kinds.set(purpose, kind);
}

export function planKind(purpose: PlanPurpose): PlanKind {
  const kind = kinds.get(purpose);
  if (kind === undefined) {
    throw new AppError('INTERNAL', { message: `No plan kind registered for ${purpose}` });
  }
  return kind;
}

export interface CreatePlanInput {
  readonly cardId: string;
  readonly uid: string;
  readonly agentId: string;
  readonly purpose: PlanPurpose;
  /** JSON the kind's build() reads; never key material. */
  readonly spec: Record<string, unknown>;
  /** The member of staff asking; null when the agent asked itself (reads). */
  readonly staff: StaffPrincipal | null;
  readonly requestId: string;
  readonly now: Date;
  /** Default: the issuance setting planTtlSeconds (120 s). */
  readonly ttlSeconds?: number;
}

const DEFAULT_TTL_SECONDS = 120;

/**
 * Records a pending plan for one card, one agent and one UID. The agent must be registered,
 * enabled, and at the counter the member of staff signed in at. The card must already carry a
 * key version (personalisation sets it before its first plan).
 */
export async function createPlan(tx: Queryable, input: CreatePlanInput): Promise<PlanRow> {
  const agent = await requireAgentAt(tx, input.agentId, input.staff);
  const { rows } = await tx.query<{ uid: string; keyVersion: number | null }>(
    'SELECT uid, key_version AS "keyVersion" FROM cards WHERE id = $1',
    [input.cardId],
  );
  const card = rows[0];
  if (card === undefined)
    throw new AppError('CARD_NOT_FOUND', { details: { cardId: input.cardId } });
  if (card.uid !== input.uid) {
    throw new AppError('VALIDATION_FAILED', { message: 'The UID is not the card’s UID' });
  }
  if (card.keyVersion === null) {
    throw new AppError('CARD_NOT_PERSONALISED', { details: { cardId: input.cardId } });
  }
  const ttl = input.ttlSeconds ?? DEFAULT_TTL_SECONDS;
  return insertPlan(tx, {
    cardId: input.cardId,
    uid: input.uid,
    agentId: agent.id,
    counterId: agent.counterId,
    purpose: input.purpose,
    keyVersion: card.keyVersion,
    spec: input.spec,
    createdBy: input.staff?.id ?? null,
    requestId: input.requestId,
    createdAt: input.now,
    expiresAt: new Date(input.now.getTime() + ttl * 1000),
  });
}

/**
 * Something that wants to see every card read an agent reports (for example to resolve a load
 * whose outcome was unknown). Runs in the report's transaction before the snapshot is made; it
 * returns how many uncertain loads it resolved.
 */
export type CardReadObserver = (
  tx: Queryable,
  read: CardRead,
  ctx: ReportContext,
) => Promise<{ uncertainLoadsResolved: number }>;

/** A completed read plan: the card row (locked) and what its blocks decoded to. */
export interface CardRead {
  readonly plan: PlanRow;
  readonly card: CardRow;
  readonly image: CardImage;
  /** Raw blocks as read, by block number. */
  readonly blocks: ReadonlyMap<number, Buffer>;
  readonly keys: CardKeys;
}

const readObservers: CardReadObserver[] = [];

/** Adds an observer of card reads; adding the same function again does nothing. */
export function registerCardReadObserver(observer: CardReadObserver): void {
  if (!readObservers.includes(observer)) readObservers.push(observer);
}

export function cardReadObservers(): readonly CardReadObserver[] {
  return readObservers;
}
