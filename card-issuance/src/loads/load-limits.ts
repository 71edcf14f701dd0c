import type { Queryable } from '@citycard/core/db';
import { AppError } from '@citycard/core/errors';
import { parseAmount, type Amount } from '@citycard/core/money';
import { recordAudit } from '../audit/audit.js';
import type { StaffPrincipal } from '../auth/roles.js';

export interface LoadLimits {
  readonly perLoadMax: Amount;
  /** Per card and Shanghai calendar day, counting every load not refunded. */
  readonly dailyMaxPerCard: Amount;
}

export async function getLoadLimits(tx: Queryable): Promise<LoadLimits> {
  const { rows } = await tx.query<{ perLoadMax: string; dailyMaxPerCard: string }>(
    `SELECT per_load_max::text AS "perLoadMax", daily_max_per_card::text AS "dailyMaxPerCard"
     FROM load_limits`,
  );
  const row = rows[0];
  if (row === undefined) throw new Error('load_limits is missing its row');
  return {
    perLoadMax: parseAmount(row.perLoadMax),
    dailyMaxPerCard: parseAmount(row.dailyMaxPerCard),
  };
}

const PURSE_MAX = parseAmount('21474836.47');

export async function setLoadLimits(
  tx: Queryable,
  limits: LoadLimits,
  staffId: string,
  now: Date,
): Promise<void> {
  for (const [field, value] of Object.entries(limits) as [string, Amount][]) {
    if (!value.isPositive() || value.gt(PURSE_MAX)) {
      throw new AppError('AMOUNT_OUT_OF_RANGE', {
        message: 'A load limit is above zero and within what a purse can hold',
        details: { field, max: PURSE_MAX.toString() },
      });
    }
  }
  await tx.query(
    `UPDATE load_limits SET per_load_max = $1::numeric, daily_max_per_card = $2::numeric,
       updated_at = $3, updated_by = $4`,
    [limits.perLoadMax.toString(), limits.dailyMaxPerCard.toString(), now, staffId],
  );
}

export async function recordLimitsAudit(
  tx: Queryable,
  staff: StaffPrincipal,
  requestId: string,
  before: LoadLimits,
  after: LoadLimits,
): Promise<void> {
  const figures = (l: LoadLimits) => ({
    perLoadMax: l.perLoadMax.toString(),
    dailyMaxPerCard: l.dailyMaxPerCard.toString(),
  });
  await recordAudit(tx, {
    actor: staff,
    action: 'load_limits.change',
    targetType: 'load_limits',
    targetId: 'load_limits',
    requestId,
    before: figures(before),
    after: figures(after),
  });
}

export interface LoadFigures {
  readonly amount: Amount;
  /** What the card was loaded with today before this load. */
  readonly loadedToday: Amount;
  /** The purse as read from the card, and the back office's shadow balance. */
  readonly cardBalance: Amount;
  readonly shadowBalance: Amount;
  /** The card type's maximum balance. */
  readonly maxBalance: Amount;
}

/**
 * Refuses a load that breaks a limit, naming the limit and the figures. The maximum balance holds
 * for the purse and for the shadow balance alike, whichever is higher: the card must not carry more
 * than its type allows, and the shadow balance must take the load when it is confirmed.
 */
export function checkLoadLimits(limits: LoadLimits, f: LoadFigures): void {
  if (f.amount.gt(limits.perLoadMax)) {
    throw new AppError('LOAD_AMOUNT_ABOVE_LIMIT', {
      details: { amount: f.amount.toString(), perLoadMax: limits.perLoadMax.toString() },
    });
  }
  if (f.loadedToday.add(f.amount).gt(limits.dailyMaxPerCard)) {
    throw new AppError('LOAD_DAILY_LIMIT_EXCEEDED', {
      details: {
        amount: f.amount.toString(),
        loadedToday: f.loadedToday.toString(),
        dailyMaxPerCard: limits.dailyMaxPerCard.toString(),
      },
    });
  }
  const higher = f.cardBalance.gt(f.shadowBalance) ? f.cardBalance : f.shadowBalance;
  if (higher.add(f.amount).gt(f.maxBalance)) {
    throw new AppError('LOAD_BALANCE_ABOVE_MAX', {
      details: {
        amount: f.amount.toString(),
        cardBalance: f.cardBalance.toString(),
        shadowBalance: f.shadowBalance.toString(),
        maxBalance: f.maxBalance.toString(),
      },
    });
  }
}
