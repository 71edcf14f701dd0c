import type { Queryable } from '@citycard/core/db';
import { isAppError } from '@citycard/core/errors';
import { parseAmount } from '@citycard/core/money';
import { recordAudit, type AuditActor } from '../audit/audit.js';
import { postShadowEntry } from '../cards/shadow-balance.js';
import {
  insertLoadEvent,
  setLoadState,
  type LoadCause,
  type LoadRow,
  type LoadState,
} from './load.repository.js';

/** Who or what moves a load: a member of staff, or an agent's report or read. */
export interface Mover {
  readonly actor: AuditActor;
  readonly requestId: string;
  readonly now: Date;
}

/** A reader agent's report or read: the audit names the agent, as a system actor. */
export function agentMover(ctx: { agentId: string; requestId: string; now: Date }): Mover {
  return {
    actor: { system: `agent:${ctx.agentId}`.slice(0, 64) },
    requestId: ctx.requestId,
    now: ctx.now,
  };
}

export function staffIdOf(actor: AuditActor): string | null {
  return 'system' in actor ? null : actor.id;
}

export interface MoveOptions {
  readonly planId?: string | null;
  readonly note?: string | null;
}

/** One state change of a load: the row, its append-only event, and the audit chain. */
export async function moveLoad(
  tx: Queryable,
  load: LoadRow,
  to: LoadState,
  cause: LoadCause,
  mover: Mover,
  options: MoveOptions = {},
): Promise<LoadRow> {
  const next = await setLoadState(tx, load.id, to, mover.now);
  const planId = options.planId ?? null;
  await insertLoadEvent(tx, load.id, {
    fromState: load.state,
    toState: to,
    cause,
    planId,
    staffId: staffIdOf(mover.actor),
    note: options.note ?? null,
    requestId: mover.requestId,
    at: mover.now,
  });
  await recordAudit(tx, {
    actor: mover.actor,
    action: `load.${to}`,
    targetType: 'load',
    targetId: load.id,
    requestId: mover.requestId,
    before: { state: load.state, version: load.version },
    after: { state: to, version: next.version, cause, planId, cardId: load.cardId },
  });
  return next;
}

/** Refusals of the shadow balance that a load already on the card must not be lost to. */
const SHADOW_REFUSALS = new Set(['SHADOW_ENTRY_REFUSED', 'SHADOW_BALANCE_ABOVE_MAX']);

/**
 * The load is on the card: the shadow balance takes it, once (the load row is locked, only an open
 * load gets here, and loads_shadow_once refuses a second entry for the same load). If the shadow
 * balance refuses it (the card was blocked meanwhile, or a transfer filled it up), the load goes
 * to a supervisor instead of being dropped. A balance transfer's credit was in the shadow balance
 * from its release: only the chip catches up.
 */
export async function confirmLoad(
  tx: Queryable,
  load: LoadRow,
  cause: LoadCause,
  mover: Mover,
  planId: string | null,
  note: string | null = null,
): Promise<LoadRow> {
  if (load.transferId !== null) {
    return moveLoad(tx, load, 'confirmed', cause, mover, { planId, note });
  }
  try {
    await postShadowEntry(tx, {
      cardId: load.cardId,
      kind: 'load',
      amount: parseAmount(load.amount),
      reference: `load:${load.id}`,
      at: mover.now,
    });
  } catch (err) {
    if (!isAppError(err) || !SHADOW_REFUSALS.has(err.code)) throw err;
    const refused = `on the card, refused by the shadow balance: ${err.code}`;
    return moveLoad(tx, load, 'review', cause, mover, { planId, note: refused });
  }
  return moveLoad(tx, load, 'confirmed', cause, mover, { planId, note });
}

/** Locks the card row first, as every writer of a card's shadow balance does. */
export async function lockCardRow(tx: Queryable, cardId: string): Promise<void> {
  await tx.query('SELECT 1 FROM cards WHERE id = $1 FOR UPDATE', [cardId]);
}
