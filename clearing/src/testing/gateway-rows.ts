import type { Queryable } from '@citycard/core/db';

export interface TestTransaction {
  readonly terminalId: string;
  readonly sequence: number;
  readonly operatorId: string;
  /** Default 'purchase'. */
  readonly type?: string;
  /** Two-place string; negative only for 'transit_correction'. */
  readonly amount: string;
  readonly occurredAt: Date;
  /** Default: occurredAt. */
  readonly receivedAt?: Date;
  /** Default 'accepted'; 'released' needs resolvedAt. */
  readonly status?: 'accepted' | 'quarantined' | 'released' | 'rejected';
  readonly resolvedAt?: Date;
  readonly cardNumber?: string;
  readonly purseCounter?: number;
  readonly riderCategoryId?: string;
  /** Concession discount given, two places (needs riderCategoryId). */
  readonly discount?: string;
}

/** Distinct counter ranges per terminal for rows that do not name their purse counter. */
function terminalCounterBase(terminalId: string): number {
  let h = 0x811c9dc5;
  for (const ch of terminalId) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return (h % 100_000) * 1_000_000;
}

/** Operators, each with one terminal named `${operatorId}-T1`. */
export async function addOperators(db: Queryable, operatorIds: readonly string[]): Promise<void> {
  await db.query(
    `INSERT INTO gateway.operators (id, name, kind, card_code)
     SELECT id, 'Operator ' || id, 'transit',
            (SELECT COALESCE(max(card_code), 0) FROM gateway.operators) + ord::int
       FROM unnest($1::text[]) WITH ORDINALITY AS o(id, ord)
     ON CONFLICT (id) DO NOTHING`,
    [operatorIds],
  );
  await db.query(
    `INSERT INTO gateway.terminals (id, operator_id)
     SELECT id || '-T1', id FROM unnest($1::text[]) AS o(id) ON CONFLICT (id) DO NOTHING`,
    [operatorIds],
  );
}

/**
 * Stores records straight into gateway.transactions as the gateway would after verifying them,
 * with the business day of their acceptance (cut-off 04:00 Asia/Shanghai).
 */
export async function insertTransactions(
  db: Queryable,
  rows: readonly TestTransaction[],
): Promise<void> {
  if (rows.length === 0) return;
  const col = <T>(f: (r: TestTransaction) => T): T[] => rows.map(f);
  await db.query(
    `INSERT INTO gateway.transactions (terminal_id, sequence, batch_seq, type, card_number, uid,
       purse_counter, amount, balance_before, balance_after, occurred_at, occurred_at_text,
       operator_id, location, fare, mac, record_hash, received_at, business_day, status, reason,
       resolved_at, resolved_business_day)
     SELECT r.terminal_id, r.sequence, NULL, r.type, r.card_number, '04A1B2C3', r.purse_counter,
            r.amount, 1000.00, 1000.00 - r.amount, r.occurred_at, r.occurred_at::text,
            r.operator_id, '{}'::jsonb,
            CASE WHEN r.rider IS NULL THEN NULL ELSE jsonb_build_object(
              'fareSetVersion', 'test', 'fareProductId', 'flat', 'riderCategoryId', r.rider,
              'baseAmount', (r.amount + COALESCE(r.discount, 0))::numeric(18,2)::text,
              'discount', COALESCE(r.discount, 0)::numeric(18,2)::text,
              'transfer', false, 'capApplied', false) END,
            repeat('0', 32), md5(r.terminal_id || r.sequence), r.received_at,
            ((r.received_at AT TIME ZONE 'Asia/Shanghai') - interval '4 hours')::date,
            r.status, CASE WHEN r.status = 'accepted' THEN NULL ELSE 'test' END,
            r.resolved_at,
            ((r.resolved_at AT TIME ZONE 'Asia/Shanghai') - interval '4 hours')::date
       FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::numeric[],
                   $6::timestamptz[], $7::timestamptz[], $8::text[], $9::timestamptz[],
                   $10::text[], $11::bigint[], $12::text[], $13::numeric[])
         AS r(terminal_id, sequence, operator_id, type, amount, occurred_at, received_at, status,
              resolved_at, card_number, purse_counter, rider, discount)`,
    [
      col((r) => r.terminalId),
      col((r) => r.sequence),
      col((r) => r.operatorId),
      col((r) => r.type ?? 'purchase'),
      col((r) => r.amount),
      col((r) => r.occurredAt),
      col((r) => r.receivedAt ?? r.occurredAt),
      col((r) => r.status ?? 'accepted'),
      col((r) => r.resolvedAt ?? null),
      col((r) => r.cardNumber ?? '1000010000000018'),
      // A card writes each counter once across terminals (the gateway's unique index says so).
      col((r) => r.purseCounter ?? terminalCounterBase(r.terminalId) + r.sequence),
      col((r) => r.riderCategoryId ?? null),
      col((r) => r.discount ?? null),
    ],
  );
}
