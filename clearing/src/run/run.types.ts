import type { Amount } from '@citycard/core/money';
import type { PartyKind } from '../parties/party.types.js';

export type { PartyKind };

/**
 * Where a run stands. A run is computed in one database transaction, so no half-made run is ever
 * visible. computed → approved → instructed → settled is settlement's state machine; a computed
 * run may be aborted, and a rerun of the same day supersedes a computed (or aborted) run: its
 * entries are reversed and its transactions freed for the new run, all in the rerun's transaction.
 */
export const RUN_STATUSES = [
  'computed',
  'approved',
  'instructed',
  'settled',
  'aborted',
  'superseded',
] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** A day that has a run in one of these is closed: no rerun replaces it. */
export const LOCKED_RUN_STATUSES: readonly RunStatus[] = ['approved', 'instructed', 'settled'];

/** One operator's line of a run: what its terminals took and what the issuer owes it. */
export interface RunLine {
  readonly operatorId: string;
  readonly count: number;
  /** Σ amounts of its accepted transactions (corrections are negative). */
  readonly gross: Amount;
  readonly commission: Amount;
  /** Concession subsidy the issuer pays on top (0 when none is configured). */
  readonly subsidy: Amount;
  /** Adjustments from earlier runs picked up by this one (signed: + owed to the operator). */
  readonly adjustments: Amount;
  /** gross + subsidy + adjustments − commission: what the issuer owes the operator. */
  readonly net: Amount;
  /** Transactions of earlier business days cleared in this run (late arrivals). */
  readonly lateCount: number;
  readonly lateGross: Amount;
  /** The fee schedule version applied (null: none in force, no commission). */
  readonly feeScheduleId: string | null;
  readonly feeScheduleVersion: number | null;
  readonly byType: readonly RunTypeLine[];
}

export interface RunTypeLine {
  readonly type: string;
  readonly count: number;
  readonly gross: Amount;
  readonly commission: Amount;
}

/** A concession subsidy: per operator and rider category, the rate times the discounts given. */
export interface SubsidyLine {
  readonly operatorId: string;
  readonly riderCategoryId: string;
  readonly count: number;
  readonly discount: Amount;
  readonly rate: string;
  readonly subsidy: Amount;
}

/**
 * A party's multilateral net position: positive, the party is owed this much; negative, it owes.
 * The positions of a run sum to zero.
 */
export interface NetPosition {
  readonly partyId: string;
  readonly kind: PartyKind;
  readonly position: Amount;
}

/**
 * The card float check over a consistent cut: the ledger's card float liability after the run
 * against Σ the issuance shadow entries the ledger has seen (see FloatCheckDetail).
 */
export interface FloatCheck {
  readonly ledgerFloat: Amount;
  readonly shadowTotal: Amount;
  /** ledgerFloat − shadowTotal. */
  readonly difference: Amount;
  /** Nothing of the difference is unexplained (detail.unexplained is zero). */
  readonly ok: boolean;
  /** null on runs made before the cut was recorded, or without issuance's shadow entries. */
  readonly detail: FloatCheckDetail | null;
}

export interface FloatTally {
  readonly count: number;
  readonly amount: Amount;
}

/** How the float check's cut is made and its difference explained. Shadow amounts are signed. */
export interface FloatCheckDetail {
  readonly source: 'entries';
  /** Refunds and transfers before this instant are in the cut: the latest cut-off on the books. */
  readonly cut: Date;
  /**
   * The cut, summing to shadowTotal: terminal entries (debits, fare refunds) of cleared records,
   * loads clearing took, refunds and transfers before the cut.
   */
  readonly inCut: { readonly terminal: Amount; readonly loads: Amount; readonly other: Amount };
  /** Σ cleared transactions: the card debits the ledger holds. */
  readonly clearedGross: Amount;
  /** Cleared, not in the shadow yet (or never: unknown cards): the difference is minus this. */
  readonly clearedNotShadowPosted: Amount;
  /** difference + clearedNotShadowPosted: what nothing explains. */
  readonly unexplained: Amount;
  /** Outside the cut, not counted: the ledger has not seen them (yet). */
  readonly outsideCut: {
    /** Terminal entries shadow-posted whose record no run has cleared yet. */
    readonly terminalNotCleared: FloatTally;
    readonly loadsNotCleared: FloatTally;
    /** Refunds and transfers after the cut. */
    readonly afterCut: FloatTally;
    /** Supervisor corrections of shadow balances: the ledger books none. */
    readonly corrections: FloatTally;
  };
}

/** Counter cash and issuance figures the run posted (loads, deposits, refunds). */
export interface IssuanceTotals {
  readonly loadsConfirmed: Amount;
  readonly loadsCount: number;
  readonly topUpCash: Amount;
  readonly depositsTaken: Amount;
  readonly depositsRefunded: Amount;
  readonly balancesRefunded: Amount;
  readonly otherCash: Amount;
  readonly cashMovementsCount: number;
}

export interface RuleVersions {
  /** Fee schedules applied, "operatorId" → "v<version>" (versions are per operator). */
  readonly feeSchedules: Readonly<Record<string, string>>;
  /** "operatorId/riderCategoryId" → "<rule operator or *>/<category>@v<version>". */
  readonly subsidyRules: Readonly<Record<string, string>>;
  /** Version of the clearing computation itself; bumped when the rules in code change. */
  readonly engine: string;
}

export interface Run {
  readonly id: string;
  /** Business day, YYYY-MM-DD. */
  readonly day: string;
  readonly status: RunStatus;
  /** Transactions accepted before this instant (the day's cut-off) are in the run. */
  readonly cutoff: Date;
  readonly startedBy: string;
  readonly startedAt: Date;
  readonly inputHash: string;
  readonly outputHash: string;
  readonly ruleVersions: RuleVersions;
  readonly transactionCount: number;
  readonly totalGross: Amount;
  readonly totalCommission: Amount;
  readonly totalSubsidy: Amount;
  readonly totalNet: Amount;
  readonly floatCheck: FloatCheck;
  /** The run this one replaced (a rerun of the same day), if any. */
  readonly supersedes: string | null;
}

export interface RunDetail extends Run {
  readonly lines: readonly RunLine[];
  readonly subsidies: readonly SubsidyLine[];
  readonly positions: readonly NetPosition[];
  readonly issuance: IssuanceTotals;
}

export interface RunClearingInput {
  /** Business day, YYYY-MM-DD. */
  readonly day: string;
  /** Staff id (or 'scheduler') that started the run. */
  readonly staff: string;
  readonly now: Date;
  /** Cut-off time of day after the business day, default '04:00'. */
  readonly cutoffTime?: string;
  /** IANA zone of the cut-off, default 'Asia/Shanghai'. */
  readonly timeZone?: string;
}

export interface ListRunsFilter {
  readonly day?: string;
  readonly status?: RunStatus;
  readonly limit?: number;
}
