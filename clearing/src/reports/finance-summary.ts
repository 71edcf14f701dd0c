import type { Queryable } from '@citycard/core/db';
import { latestReconciliation } from '../reconciliation/index.js';
import { getRun, listRuns } from '../run/index.js';
import type { RunDetail } from '../run/run.types.js';
import { getSettlement } from '../settlement/index.js';

/** The day at a glance for finance: the run that counts, settlement, float and exceptions. */
export interface FinanceSummary {
  readonly day: string;
  /** Every run of the day, superseded and aborted ones included. */
  readonly runsOfDay: number;
  readonly run: {
    readonly id: string;
    readonly status: string;
    readonly startedBy: string;
    readonly startedAt: string;
    readonly inputHash: string;
    readonly outputHash: string;
  } | null;
  readonly totals: {
    readonly operators: number;
    readonly transactions: number;
    readonly gross: string;
    readonly commission: string;
    readonly subsidy: string;
    readonly net: string;
    readonly lateTransactions: number;
  } | null;
  readonly floatCheck: {
    readonly ledgerFloat: string;
    readonly shadowTotal: string;
    readonly difference: string;
    readonly ok: boolean;
    /** What of the difference is timing (cleared, not shadow-posted yet) and what is not. */
    readonly clearedNotShadowPosted: string | null;
    readonly unexplained: string | null;
  } | null;
  readonly issuance: Readonly<Record<string, string | number>> | null;
  readonly settlement: {
    readonly paymentFileId: string | null;
    readonly paymentTotal: string | null;
    readonly confirmations: number;
    readonly lastConfirmationClean: boolean | null;
  } | null;
  readonly reconciliation: {
    readonly id: string;
    readonly exceptionCount: number;
    readonly byKind: Readonly<Record<string, number>>;
  } | null;
}

function figures(run: RunDetail): Pick<FinanceSummary, 'totals' | 'floatCheck' | 'issuance'> {
  const i = run.issuance;
  return {
    totals: {
      operators: run.lines.length,
      transactions: run.transactionCount,
      gross: run.totalGross.toString(),
      commission: run.totalCommission.toString(),
      subsidy: run.totalSubsidy.toString(),
      net: run.totalNet.toString(),
      lateTransactions: run.lines.reduce((n, l) => n + l.lateCount, 0),
    },
    floatCheck: {
      ledgerFloat: run.floatCheck.ledgerFloat.toString(),
      shadowTotal: run.floatCheck.shadowTotal.toString(),
      difference: run.floatCheck.difference.toString(),
      ok: run.floatCheck.ok,
      clearedNotShadowPosted: run.floatCheck.detail?.clearedNotShadowPosted.toString() ?? null,
      unexplained: run.floatCheck.detail?.unexplained.toString() ?? null,
    },
    issuance: {
      loadsConfirmed: i.loadsConfirmed.toString(),
      loadsCount: i.loadsCount,
      topUpCash: i.topUpCash.toString(),
      depositsTaken: i.depositsTaken.toString(),
      depositsRefunded: i.depositsRefunded.toString(),
      balancesRefunded: i.balancesRefunded.toString(),
      otherCash: i.otherCash.toString(),
      cashMovementsCount: i.cashMovementsCount,
    },
  };
}

export async function financeSummary(db: Queryable, day: string): Promise<FinanceSummary> {
  const runs = await listRuns(db, { day, limit: 1000 });
  const live = runs.find((r) => r.status !== 'superseded' && r.status !== 'aborted') ?? runs[0];
  const rec = await latestReconciliation(db, day);
  const reconciliation =
    rec === undefined
      ? null
      : { id: rec.id, exceptionCount: rec.exceptionCount, byKind: { ...rec.byKind } };
  if (live === undefined) {
    const none = { run: null, totals: null, floatCheck: null, issuance: null, settlement: null };
    return { day, runsOfDay: 0, ...none, reconciliation };
  }
  const run = await getRun(db, live.id);
  const settlement = await getSettlement(db, { runId: run.id });
  const last = settlement.confirmations[settlement.confirmations.length - 1];
  return {
    day,
    runsOfDay: runs.length,
    run: {
      id: run.id,
      status: run.status,
      startedBy: run.startedBy,
      startedAt: run.startedAt.toISOString(),
      inputHash: run.inputHash,
      outputHash: run.outputHash,
    },
    ...figures(run),
    settlement: {
      paymentFileId: settlement.paymentFile?.id ?? null,
      paymentTotal: settlement.paymentFile?.total ?? null,
      confirmations: settlement.confirmations.length,
      lastConfirmationClean: last?.clean ?? null,
    },
    reconciliation,
  };
}
