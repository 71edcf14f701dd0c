import type { Queryable } from '@citycard/core/db';
import type { MatchOutcome } from './bank-confirmation.js';
import { auditTrail, type AuditRow } from './audit-log.js';
import { confirmationsOfRun } from './confirmation.repository.js';
import { findPaymentFile, lockRun, type RunHead, type RunRef } from './settlement.repository.js';
import { allowedActions, type SettlementAction } from './state-machine.js';

export interface SettlementView {
  readonly run: RunHead;
  readonly allowedActions: readonly SettlementAction[];
  readonly paymentFile: {
    readonly id: string;
    readonly count: number;
    readonly total: string;
    readonly sha256: string;
    readonly createdBy: string;
    readonly createdAt: Date;
  } | null;
  readonly confirmations: readonly {
    readonly id: string;
    readonly bankConfirmationId: string;
    readonly clean: boolean;
    readonly accepted: boolean;
    readonly counts: Readonly<Record<MatchOutcome, number>>;
    readonly importedBy: string;
    readonly importedAt: Date;
  }[];
  readonly audit: readonly AuditRow[];
}

/** Where a run's settlement stands: status, what may come next, its file, imports and trail. */
export async function getSettlement(db: Queryable, ref: RunRef): Promise<SettlementView> {
  const run = await lockRun(db, ref, false);
  const file = await findPaymentFile(db, run.id);
  const confirmations = await confirmationsOfRun(db, run.id);
  return {
    run,
    allowedActions: run.status === 'superseded' ? [] : allowedActions(run.status),
    paymentFile:
      file === null
        ? null
        : {
            id: file.file.fileId,
            count: file.file.count,
            total: file.file.total.toString(),
            sha256: file.sha256,
            createdBy: file.createdBy,
            createdAt: file.createdAt,
          },
    confirmations: confirmations.map((c) => {
      const counts = { matched: 0, difference: 0, rejected: 0, unmatched: 0, missing: 0 };
      for (const l of c.lines) counts[l.outcome] += 1;
      return {
        id: c.id,
        bankConfirmationId: c.bankConfirmationId,
        clean: c.clean,
        accepted: c.accepted,
        counts,
        importedBy: c.importedBy,
        importedAt: c.importedAt,
      };
    }),
    audit: await auditTrail(db, run.id),
  };
}

/** The exact payment file handed to the bank, for download. */
export async function paymentFileContent(
  db: Queryable,
  ref: RunRef,
): Promise<{ fileId: string; content: string } | null> {
  const run = await lockRun(db, ref, false);
  const file = await findPaymentFile(db, run.id);
  return file === null ? null : { fileId: file.file.fileId, content: file.content };
}
