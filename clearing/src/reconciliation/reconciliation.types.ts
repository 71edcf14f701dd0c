import type { Amount } from '@citycard/core/money';

/**
 * What a break in the day's evidence is, each with its own explanation:
 * - batch_total_mismatch: a terminal batch's header count or amount total differs from the records
 *   stored for its sequence range;
 * - late_upload: records of an earlier business day a terminal uploaded in this one, or records a
 *   card's chain needed that arrived in a later business day;
 * - missing_record: purse counters of a card with no accepted record and no confirmed load;
 * - suspected_clone: one purse counter spent twice (two cards with the same purse state);
 * - balance_break: consecutive counters whose balance before is not the previous balance after;
 * - drawer_long / drawer_short / drawer_open: counter cash drawers of the day.
 */
export const EXCEPTION_KINDS = [
  'batch_total_mismatch',
  'late_upload',
  'missing_record',
  'suspected_clone',
  'balance_break',
  'drawer_long',
  'drawer_short',
  'drawer_open',
] as const;
export type ExceptionKind = (typeof EXCEPTION_KINDS)[number];

export interface ReconciliationException {
  readonly id: string;
  readonly reconciliationId: string;
  /** YYYY-MM-DD. */
  readonly day: string;
  readonly kind: ExceptionKind;
  readonly explanation: string;
  readonly cardNumber: string | null;
  readonly terminalId: string | null;
  readonly sequence: string | null;
  readonly batchSeq: string | null;
  readonly operatorId: string | null;
  readonly drawerId: string | null;
  readonly branchId: string | null;
  readonly purseCounter: string | null;
  /**
   * The money the break is about, signed: balance_break + appeared on the card, − vanished;
   * missing_record what the missing records took off the card; suspected_clone Σ of the repeats;
   * late_upload Σ of the late records; batch_total_mismatch stored − declared; drawers counted −
   * expected (+ long, − short); null for an open drawer.
   */
  readonly amount: Amount | null;
  readonly details: Readonly<Record<string, unknown>>;
}

export interface Reconciliation {
  readonly id: string;
  readonly day: string;
  readonly runId: string | null;
  readonly startedAt: Date;
  readonly finishedAt: Date;
  readonly recordsChecked: number;
  readonly batchesChecked: number;
  readonly drawersChecked: number;
  readonly exceptionCount: number;
  readonly byKind: Readonly<Partial<Record<ExceptionKind, number>>>;
}

/** Schemas holding the contract views reconciliation reads (tests run on schemas of their own). */
export interface ReconciliationSources {
  readonly gateway: string;
  readonly issuance: string;
}

export interface ReconcileInput {
  /** Business day, YYYY-MM-DD. */
  readonly day: string;
  readonly runId?: string;
  readonly now?: Date;
  /** Cut-off time of day after the business day, default '04:00'. */
  readonly cutoffTime?: string;
  /** IANA zone of the cut-off, default 'Asia/Shanghai'. */
  readonly timeZone?: string;
  readonly sources?: Partial<ReconciliationSources>;
}

export interface ExceptionFilter {
  /** The reconciliation to list; default the latest one of `day`. */
  readonly reconciliationId?: string;
  readonly day?: string;
  readonly kind?: ExceptionKind;
  readonly cardNumber?: string;
  /** Keyset paging: exceptions with an id above this one. */
  readonly afterId?: string;
  readonly limit?: number;
}
