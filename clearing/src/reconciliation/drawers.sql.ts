import type { Queryable } from '@citycard/core/db';
import type { ReconciliationSources } from './reconciliation.types.js';

/** The day's counter cash drawers (issuance.drawer_contract): long, short, or still open. */
export async function insertDrawerExceptions(
  db: Queryable,
  sources: ReconciliationSources,
  recId: string,
  day: string,
  timeZone: string,
): Promise<number> {
  const local = (col: string): string => `to_char(${col} AT TIME ZONE $3, 'YYYY-MM-DD HH24:MI')`;
  const drawers = `${sources.issuance}.drawer_contract`;
  await db.query(
    `INSERT INTO reconciliation_exceptions
       (reconciliation_id, business_day, kind, explanation, drawer_id, branch_id, amount, details)
     SELECT $1, $2::date, 'drawer_' || d.outcome,
            CASE d.outcome
              WHEN 'open' THEN format('Drawer opened at %s is not closed: its cash is not counted',
                                      ${local('d.opened_at')})
              ELSE format('Drawer closed at %s counted %s against %s expected: %s %s',
                          ${local('d.closed_at')}, d.counted_cash, d.expected_cash,
                          abs(d.difference), d.outcome)
            END,
            d.drawer_id, d.branch_id, d.difference,
            jsonb_build_object('counterId', d.counter_id, 'clerkId', d.clerk_id,
                               'clerkUsername', d.clerk_username, 'openedAt', d.opened_at,
                               'closedAt', d.closed_at, 'openingFloat', d.opening_float::text,
                               'expectedCash', d.expected_cash::text,
                               'countedCash', d.counted_cash::text)
       FROM ${drawers} d
      WHERE d.business_day = $2::date AND d.outcome IN ('long', 'short', 'open')`,
    [recId, day, timeZone],
  );
  const { rows } = await db.query<{ n: string }>(
    `SELECT count(*) AS n FROM ${drawers} WHERE business_day = $1::date`,
    [day],
  );
  return Number(rows[0]?.n ?? 0);
}
