import type { Queryable } from '@citycard/core/db';
import type { DayWindow } from './batch-controls.sql.js';
import type { ReconciliationSources } from './reconciliation.types.js';

/**
 * What a night does with the card chain carry (card_chain_tails): `read` last night's slot when
 * the carry is through the day before; `write` tonight's slot once the day is closed (its cut-off
 * passed, so no record can still join it) and the carry is not already through it or later.
 */
export interface CarryPlan {
  readonly read: boolean;
  readonly write: boolean;
  /** Slot of the day before (read) and of the day (write): the parity of the day. */
  readonly readSlot: number;
  readonly writeSlot: number;
}

export async function planCarry(db: Queryable, w: DayWindow): Promise<CarryPlan> {
  const { rows } = await db.query<{ read: boolean; write: boolean; slot: number }>(
    `SELECT c.through_day IS NOT DISTINCT FROM $1::date - 1 AS read,
            statement_timestamp() >= (($1::date + 1 + $2::time) AT TIME ZONE $3)
              AND (c.through_day IS NULL OR c.through_day < $1::date) AS write,
            (($1::date - date '2000-01-01') % 2)::int AS slot
       FROM (SELECT (SELECT through_day FROM card_chain_carry) AS through_day) c`,
    [w.day, w.cutoffTime, w.timeZone],
  );
  const row = rows[0];
  const slot = row?.slot ?? 0;
  return {
    read: row?.read === true,
    write: row?.write === true,
    readSlot: 1 - slot,
    writeSlot: slot,
  };
}

/** Empties the slot the night writes; the chain pass fills it. */
export async function clearSlot(db: Queryable, slot: number): Promise<void> {
  await db.query(`TRUNCATE card_chain_tails_${slot === 1 ? 1 : 0}`);
}

export async function markCarry(db: Queryable, day: string): Promise<void> {
  await db.query(
    `INSERT INTO card_chain_carry (through_day) VALUES ($1::date)
     ON CONFLICT (one) DO UPDATE SET through_day = excluded.through_day`,
    [day],
  );
}

/**
 * Builds the carry through `throughDay` from the gateway's whole history (one sorted pass): for
 * the first night, or after a crash or a night that was skipped.
 */
export async function buildChainCarry(
  db: Queryable,
  sources: ReconciliationSources,
  throughDay: string,
): Promise<void> {
  const { rows } = await db.query<{ slot: number }>(
    `SELECT (($1::date - date '2000-01-01') % 2)::int AS slot`,
    [throughDay],
  );
  const slot = rows[0]?.slot ?? 0;
  await clearSlot(db, slot);
  await db.query(
    `INSERT INTO card_chain_tails (slot, card_number, purse_counter, balance_after, terminal_id,
                                   sequence)
     SELECT DISTINCT ON (t.card_number) $2::smallint, t.card_number, t.purse_counter,
            t.balance_after, t.terminal_id, t.sequence
       FROM ${sources.gateway}.accepted_transactions_contract t
      WHERE t.business_day <= $1::date AND t.type <> 'card_blocked'
      ORDER BY t.card_number, t.purse_counter DESC, t.received_at DESC, t.terminal_id DESC,
               t.sequence DESC`,
    [throughDay, slot],
  );
  await markCarry(db, throughDay);
}
