import type { PurseState } from '@citycard/core/card';
import type { Queryable } from '@citycard/core/db';
import { parseAmount } from '@citycard/core/money';
import type { CardRead, CardReadObserver, ReportContext } from '../agent/plan-registry.js';
import { historyOf } from './load-plan.js';
import { agentMover, confirmLoad, moveLoad, type Mover } from './load-settle.js';
import { judgeLoad, type HistorySeen, type LoadExpectation } from './load-verdict.js';
import { latestAttempt, type AttemptRow } from './load-attempt.repository.js';
import { loadsOfCard, type LoadRow } from './load.repository.js';

const fenOf = (amount: string): number => parseAmount(amount).toInt32Fen();

function expectationOf(load: LoadRow, attempt: AttemptRow): LoadExpectation {
  return {
    counterBefore: attempt.counterBefore,
    balanceBeforeFen: fenOf(attempt.balanceBefore),
    amountFen: fenOf(load.amount),
  };
}

function purseOf(read: CardRead): PurseState | undefined {
  const purse = read.image.purse;
  if (purse === undefined || 'error' in purse) return undefined;
  return purse;
}

/**
 * Settles one open load from a read of its card. A pending load whose plan can still be fetched is
 * left to its own report; one whose plan expired unreported is judged like an uncertain one.
 */
async function resolveOne(
  tx: Queryable,
  load: LoadRow,
  purse: PurseState,
  history: readonly (HistorySeen | null)[],
  mover: Mover,
): Promise<boolean> {
  const attempt = await latestAttempt(tx, load.id);
  if (load.state === 'pending' && attempt.expiresAt.getTime() > mover.now.getTime()) return false;
  const verdict = judgeLoad(expectationOf(load, attempt), purse, history);
  const planId = attempt.planId;
  switch (verdict) {
    case 'applied':
      await confirmLoad(tx, load, 'next_read', mover, planId);
      return true;
    case 'not_applied':
      await moveLoad(tx, load, 'failed', 'next_read', mover, {
        planId,
        note: 'not on the card: retry or refund',
      });
      return true;
    case 'undecidable':
      await moveLoad(tx, load, 'review', 'next_read', mover, {
        planId,
        note: `card moved on to counter ${purse.counter}: its history no longer tells`,
      });
      return true;
  }
}

/**
 * Runs on every accepted read of a card, at any counter, with the card row locked by the report.
 * A purse that does not verify settles nothing: the load stays uncertain for a better read.
 */
export const resolveLoadsOnRead: CardReadObserver = async (
  tx: Queryable,
  read: CardRead,
  ctx: ReportContext,
) => {
  const open = await loadsOfCard(tx, read.card.id, ['pending', 'uncertain'], { forUpdate: true });
  const purse = purseOf(read);
  if (open.length === 0 || purse === undefined) return { uncertainLoadsResolved: 0 };
  const history = historyOf(read.blocks);
  const mover = agentMover(ctx);
  let resolved = 0;
  for (const load of open) {
    if (await resolveOne(tx, load, purse, history, mover)) resolved += 1;
  }
  return { uncertainLoadsResolved: resolved };
};
