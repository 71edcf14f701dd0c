import { randomUUID } from 'node:crypto';
import type { Queryable } from '@citycard/core/db';

/**
 * Issuance's shadow_entry_contract and loads_contract replaced, in a test's own database, by
 * tables of the same columns that the test fills (load_confirmations_contract and
 * top_ups_confirmed_contract then read the loads'): a card's purse history without issuing cards,
 * loading them over a reader, or running the shadow poster.
 */
export async function replaceShadowContracts(db: Queryable): Promise<void> {
  await db.query(`
    DROP VIEW IF EXISTS issuance.shadow_entry_contract;
    CREATE TABLE issuance.shadow_entry_contract (
      card_id uuid NOT NULL, card_number text NOT NULL, kind text NOT NULL,
      amount numeric(18,2) NOT NULL, at timestamptz NOT NULL, reference text NOT NULL,
      terminal_id text, sequence bigint, xact xid8 NOT NULL DEFAULT pg_current_xact_id());
    DROP VIEW issuance.loads_contract;
    CREATE TABLE issuance.loads_contract (
      load_id uuid PRIMARY KEY, card_id uuid NOT NULL, card_number text NOT NULL,
      amount numeric(18,2) NOT NULL, status text NOT NULL, confirmed_at timestamptz,
      purse_counter_after bigint, balance_after numeric(18,2),
      xact xid8 NOT NULL DEFAULT pg_current_xact_id());
    DROP VIEW issuance.load_confirmations_contract;
    CREATE VIEW issuance.load_confirmations_contract AS
      SELECT load_id, confirmed_at, xact FROM issuance.loads_contract
       WHERE confirmed_at IS NOT NULL;
    DROP VIEW issuance.top_ups_confirmed_contract;
    CREATE VIEW issuance.top_ups_confirmed_contract AS
      SELECT load_id, amount, confirmed_at FROM issuance.loads_contract
       WHERE status = 'confirmed' AND confirmed_at IS NOT NULL;
  `);
}

export interface TestShadowEntry {
  readonly cardNumber: string;
  /** load, debit, fare_refund, transfer_out, transfer_in, refund, correction. */
  readonly kind: string;
  /** Signed as the purse sees it: + in, − out. */
  readonly amount: string;
  readonly at: Date;
  readonly reference?: string;
  /** A debit's or fare refund's gateway record. */
  readonly terminalId?: string;
  readonly sequence?: number;
}

export async function addShadowEntries(
  db: Queryable,
  entries: readonly TestShadowEntry[],
): Promise<void> {
  const col = <T>(f: (e: TestShadowEntry) => T): T[] => entries.map(f);
  await db.query(
    `INSERT INTO issuance.shadow_entry_contract
       (card_id, card_number, kind, amount, at, reference, terminal_id, sequence)
     SELECT md5(n)::uuid, n, k, a, t, r, ti, s
       FROM unnest($1::text[], $2::text[], $3::numeric[], $4::timestamptz[], $5::text[],
                   $6::text[], $7::bigint[]) AS e (n, k, a, t, r, ti, s)`,
    [
      col((e) => e.cardNumber),
      col((e) => e.kind),
      col((e) => e.amount),
      col((e) => e.at),
      col((e) => e.reference ?? `${e.kind}:${randomUUID()}`),
      col((e) => e.terminalId ?? null),
      col((e) => e.sequence ?? null),
    ],
  );
}

/** A load confirmed on a card at `confirmedAt`; its id, for the shadow entry's reference. */
export async function addConfirmedLoad(
  db: Queryable,
  load: { readonly cardNumber: string; readonly amount: string; readonly confirmedAt: Date },
): Promise<string> {
  const id = randomUUID();
  await db.query(
    `INSERT INTO issuance.loads_contract (load_id, card_id, card_number, amount, status,
       confirmed_at)
     VALUES ($1, md5($2)::uuid, $2, $3, 'confirmed', $4)`,
    [id, load.cardNumber, load.amount, load.confirmedAt],
  );
  return id;
}
