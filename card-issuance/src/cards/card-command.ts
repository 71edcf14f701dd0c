import type { Queryable } from '@citycard/core/db';
import { recordAudit } from '../audit/audit.js';
import type { ActionContext } from './card-context.js';
import { insertStateChange, requireCard, setCardState, type CardRow } from './card.repository.js';
import { appendHotlist, isHotlisted } from './hotlist.repository.js';
import { hotlistChangeFor, transition, type CardCommand, type CardState } from './lifecycle.js';

export interface CommandOptions {
  readonly reason?: string | null | undefined;
  /** Writes the row for commands that change more than the state (issue, replace). */
  readonly write?: (to: CardState) => Promise<CardRow>;
  /** Extra references for the audit record; never personal data. */
  readonly audit?: Record<string, unknown>;
}

/**
 * Applies one lifecycle command to a card whose row the caller has locked: the row, the
 * append-only state change, the audit record and, last, the hotlist entry the command calls for.
 * Callers write cash movements and balance entries before this, so that every transaction takes
 * the audit and hotlist locks in the same order.
 */
export async function applyCommand(
  tx: Queryable,
  card: CardRow,
  command: CardCommand,
  ctx: ActionContext,
  options: CommandOptions = {},
): Promise<CardRow> {
  const to = transition(card.state, command);
  const next = options.write
    ? await options.write(to)
    : await setCardState(tx, card.id, to, ctx.now);
  await insertStateChange(tx, card.id, {
    fromState: card.state,
    toState: to,
    command,
    reason: options.reason ?? null,
    staffId: ctx.staff.id,
    requestId: ctx.requestId,
    at: ctx.now,
  });
  await recordAudit(tx, {
    actor: ctx.staff,
    action: `card.${command}`,
    targetType: 'card',
    targetId: card.id,
    requestId: ctx.requestId,
    before: { state: card.state, version: card.version },
    after: { state: next.state, version: next.version, ...options.audit },
  });
  await hotlistFor(tx, next, command, ctx.now);
  return next;
}

/** The commands that change nothing but the state (and the hotlist). */
export type PlainCommand = 'activate' | 'freeze' | 'unfreeze' | 'report_lost' | 'block';

export async function runPlainCommand(
  tx: Queryable,
  ctx: ActionContext,
  cardId: string,
  command: PlainCommand,
  reason: string | null,
): Promise<CardRow> {
  const card = await requireCard(tx, cardId, { forUpdate: true });
  return applyCommand(tx, card, command, ctx, { reason });
}

async function hotlistFor(tx: Queryable, card: CardRow, command: CardCommand, at: Date) {
  const change = hotlistChangeFor(command);
  if (change === undefined) return;
  // Only a card that is listed can come off the list.
  if (change.action === 'remove' && !(await isHotlisted(tx, card.id))) return;
  await appendHotlist(tx, {
    cardId: card.id,
    cardNumber: card.cardNumber,
    uid: card.uid,
    action: change.action,
    reason: change.reason,
    at,
  });
}
