import { LAYOUT_V1, blocksFromReport, decodePurse, type PurseState } from '@citycard/core/card';
import type { Queryable } from '@citycard/core/db';
import { AppError } from '@citycard/core/errors';
import { findPlan } from '../agent/plan.repository.js';
import type { CardRow } from '../cards/card.repository.js';
import type { IssuanceDeps } from '../deps.js';
import { keyRing } from '../keys/key-ring.js';
import { lastAttemptAt } from './load-attempt.repository.js';

/** A read older than this no longer stands for the card in front of the clerk. */
export const READ_MAX_AGE_SECONDS = 600;

export interface PurseRead {
  readonly readPlanId: string;
  readonly purse: PurseState;
  /** The purse record block as read, upper-case hex: a load plan's guard expects exactly it. */
  readonly record: string;
}

export type ReadUse = 'load' | 'correction';

const NEEDS: Readonly<Record<ReadUse, string>> = {
  load: 'A load needs a recent accepted read of this card',
  correction: 'A balance correction needs a recent accepted read of this card',
};

function readRequired(use: ReadUse, reason: string, readPlanId: string): AppError {
  return new AppError('LOAD_READ_REQUIRED', {
    message: NEEDS[use],
    details: { reason, readPlanId },
  });
}

/**
 * The purse of `card` as an accepted read plan showed it. Refused when the read is of another
 * card, not accepted, too old, or older than the card's newest load plan (that plan may have
 * changed the purse since).
 */
export async function purseFromRead(
  tx: Queryable,
  deps: IssuanceDeps,
  card: CardRow,
  readPlanId: string,
  now: Date,
  use: ReadUse = 'load',
): Promise<PurseRead> {
  const plan = await findPlan(tx, readPlanId);
  if (plan === undefined || plan.purpose !== 'read' || plan.cardId !== card.id) {
    throw readRequired(use, 'not_a_read_of_this_card', readPlanId);
  }
  if (plan.status !== 'accepted' || plan.report === null || plan.reportedAt === null) {
    throw readRequired(use, 'read_not_accepted', readPlanId);
  }
  if (now.getTime() - plan.reportedAt.getTime() > READ_MAX_AGE_SECONDS * 1000) {
    throw readRequired(use, 'read_too_old', readPlanId);
  }
  const lastPlan = await lastAttemptAt(tx, card.id);
  if (lastPlan !== null && lastPlan.getTime() >= plan.reportedAt.getTime()) {
    throw readRequired(use, 'card_written_since', readPlanId);
  }
  const blocks = blocksFromReport(plan.report);
  const { purseValue, purseBackup, purseRecord } = LAYOUT_V1.blocks;
  const value = blocks.get(purseValue);
  const backup = blocks.get(purseBackup);
  const record = blocks.get(purseRecord);
  if (!value || !backup || !record) throw new AppError('LOAD_PURSE_UNREADABLE');
  const keys = await keyRing(deps).cardKeys(card.uid, plan.keyVersion);
  try {
    const purse = decodePurse(
      { value, backup, record },
      Buffer.from(card.uid, 'hex'),
      keys.purseMacKey,
    );
    return { readPlanId, purse, record: record.toString('hex').toUpperCase() };
  } catch (err) {
    throw new AppError('LOAD_PURSE_UNREADABLE', { cause: err });
  } finally {
    keys.wipe();
  }
}
