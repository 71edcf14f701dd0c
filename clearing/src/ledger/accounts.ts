import type { Queryable } from '@citycard/core/db';
import type { AccountSpec } from './ledger.types.js';

/** The issuer's own accounts, created by the migration. */
export const ACCOUNTS = {
  cardFloat: 'card_float',
  depositLiability: 'deposit_liability',
  loadsPending: 'loads_pending',
  commissionRevenue: 'commission_revenue',
  concessionSubsidy: 'concession_subsidy',
  settlementAdjustments: 'settlement_adjustments',
  settlementBank: 'settlement_bank',
  suspense: 'suspense',
} as const;

export function operatorPayable(operatorId: string): AccountSpec {
  return {
    code: `operator_payable:${operatorId}`,
    kind: 'liability',
    name: `Payable to operator ${operatorId}`,
    partyId: operatorId,
  };
}

export function counterCash(branchId: string): AccountSpec {
  return {
    code: `counter_cash:${branchId}`,
    kind: 'asset',
    name: `Counter cash of branch ${branchId}`,
    branchId,
  };
}

/** Creates the accounts that do not exist yet; an existing code is left as it is. */
export async function ensureAccounts(
  db: Queryable,
  specs: readonly AccountSpec[],
  now: Date,
): Promise<void> {
  if (specs.length === 0) return;
  await db.query(
    `INSERT INTO clearing.accounts (code, kind, name, party_id, branch_id, created_at)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::uuid[],
                          array_fill($6::timestamptz, ARRAY[cardinality($1::text[])]))
     ON CONFLICT (code) DO NOTHING`,
    [
      specs.map((s) => s.code),
      specs.map((s) => s.kind),
      specs.map((s) => s.name),
      specs.map((s) => s.partyId ?? null),
      specs.map((s) => s.branchId ?? null),
      now,
    ],
  );
}
