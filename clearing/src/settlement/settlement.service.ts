import { createHash } from 'node:crypto';
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { withTransaction, type Queryable } from '@citycard/core/db';
import { AppError } from '@citycard/core/errors';
import { parseAmount, sumAmounts } from '@citycard/core/money';
import type { RunStatus } from '../run/run.types.js';
import { appendAudit } from './audit-log.js';
import {
  paymentReference,
  renderPaymentFile,
  type PaymentFile,
  type PaymentLine,
} from './bank-file.js';
import { matchConfirmation, parseConfirmation, type MatchResult } from './bank-confirmation.js';
import { findImport } from './confirmation.repository.js';
import { bookSettlement } from './payment-entry.js';
import {
  findPaymentFile,
  insertConfirmation,
  insertPaymentFile,
  lockRun,
  payees,
  setRunStatus,
  type RunHead,
  type RunRef,
  type StoredFile,
} from './settlement.repository.js';
import { nextState, type SettlementAction, type SettlementState } from './state-machine.js';

export interface StepInput {
  readonly ref: RunRef;
  /** Staff username, or `system:<job>`; compared with the run's starter for maker-checker. */
  readonly actor: string;
  readonly now: Date;
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

function asSettlementState(run: RunHead): SettlementState {
  if (run.status === 'superseded') {
    throw new AppError('SETTLEMENT_STATE_INVALID', { details: { status: run.status } });
  }
  return run.status;
}

/** Checks the step against the state machine, moves the status and audits it. */
async function step(
  tx: Queryable,
  run: RunHead,
  input: StepInput & { action: SettlementAction; clean?: boolean },
  details: Record<string, unknown> = {},
): Promise<RunHead> {
  const to: RunStatus = nextState(
    { state: asSettlementState(run), ranBy: run.startedBy },
    { action: input.action, actor: input.actor, confirmationClean: input.clean ?? false },
  );
  if (to !== run.status) await setRunStatus(tx, run.id, to, input.now);
  await appendAudit(tx, {
    at: input.now,
    actor: input.actor,
    action: `settlement.${input.action}`,
    runId: run.id,
    day: run.day,
    fromStatus: run.status,
    toStatus: to,
    details: { outputHash: run.outputHash, ...details },
  });
  return { ...run, status: to };
}

export function approveRun(pool: pg.Pool, input: StepInput): Promise<RunHead> {
  return withTransaction(pool, async (tx) =>
    step(tx, await lockRun(tx, input.ref), { ...input, action: 'approve' }),
  );
}

/**
 * Stops a run before any money moves. The run keeps its entries and cleared transactions until
 * a rerun of the day supersedes it, which reverses the one and frees the other.
 */
export function abortRun(pool: pg.Pool, input: StepInput & { reason: string }): Promise<RunHead> {
  return withTransaction(pool, async (tx) =>
    step(tx, await lockRun(tx, input.ref), { ...input, action: 'abort' }, { reason: input.reason }),
  );
}

function fileIdOf(run: RunHead): string {
  return `CC${run.day.replaceAll('-', '')}-${run.id.slice(0, 8)}`;
}

async function buildPaymentFile(tx: Queryable, run: RunHead): Promise<PaymentFile> {
  const list = await payees(tx, run.id);
  const missing = list.filter((p) => p.account === null).map((p) => p.operatorId);
  if (missing.length > 0) {
    throw new AppError('SETTLEMENT_PAYEE_ACCOUNT_MISSING', { details: { operators: missing } });
  }
  const fileId = fileIdOf(run);
  const lines: PaymentLine[] = list.map((p, i) => ({
    operatorId: p.operatorId,
    account: p.account ?? '',
    amount: parseAmount(p.net, { allowNegative: true }),
    reference: paymentReference(fileId, i + 1),
  }));
  const total = sumAmounts(lines.map((l) => l.amount));
  return { fileId, day: run.day, lines, count: lines.length, total };
}

export interface InstructResult {
  readonly run: RunHead;
  readonly paymentFile: StoredFile;
}

/** Writes the bank payment file (control totals = the run's nets) and marks the run instructed. */
export function instructRun(pool: pg.Pool, input: StepInput): Promise<InstructResult> {
  return withTransaction(pool, async (tx) => {
    const run = await lockRun(tx, input.ref);
    nextState(
      { state: asSettlementState(run), ranBy: run.startedBy },
      { ...input, action: 'instruct' },
    );
    const file = await buildPaymentFile(tx, run);
    const content = renderPaymentFile(file);
    const stored: StoredFile = {
      file,
      content,
      sha256: sha256(content),
      createdBy: input.actor,
      createdAt: input.now,
    };
    await insertPaymentFile(tx, run.id, stored);
    const details = {
      fileId: file.fileId,
      count: file.count,
      total: file.total.toString(),
      sha256: stored.sha256,
    };
    return {
      run: await step(tx, run, { ...input, action: 'instruct' }, details),
      paymentFile: stored,
    };
  });
}

export interface ConfirmInput extends StepInput {
  /** The bank's confirmation file, as received. */
  readonly confirmation: string;
  /** Settle even though lines differ: each difference becomes an adjustment for the next run. */
  readonly acceptDifferences?: boolean;
}

export interface ConfirmResult {
  readonly run: RunHead;
  readonly confirmationId: string;
  readonly match: MatchResult;
  readonly settled: boolean;
  /** The same confirmation had been imported with the same decision; nothing new was written. */
  readonly repeated: boolean;
  readonly adjustments: number;
}

function resultOf(lines: MatchResult['lines']): MatchResult {
  const counts = { matched: 0, difference: 0, rejected: 0, unmatched: 0, missing: 0 };
  for (const l of lines) counts[l.outcome] += 1;
  return { lines, counts, clean: counts.matched === lines.length };
}

/**
 * Imports the bank's confirmation: matches its lines with the payment file by reference and
 * amount, records every import, and settles the run when the match is clean (or the differences
 * are accepted). The payment is booked and differences become adjustments in the same
 * transaction.
 */
export function confirmRun(pool: pg.Pool, input: ConfirmInput): Promise<ConfirmResult> {
  return withTransaction(pool, async (tx) => {
    const run = await lockRun(tx, input.ref);
    const file = await findPaymentFile(tx, run.id);
    const accepted = input.acceptDifferences === true;
    const hash = sha256(input.confirmation);
    if (file !== null) {
      const previous = await findImport(tx, file.file.fileId, hash, accepted);
      if (previous !== undefined) {
        const match = resultOf(previous.lines);
        const settled = run.status === 'settled';
        return { run, confirmationId: previous.id, match, settled, repeated: true, adjustments: 0 };
      }
    }
    nextState(
      { state: asSettlementState(run), ranBy: run.startedBy },
      { ...input, action: 'confirm' },
    );
    if (file === null)
      throw new AppError('SETTLEMENT_STATE_INVALID', { details: { status: run.status } });
    return importConfirmation(tx, run, file, { ...input, accepted, hash });
  });
}

async function importConfirmation(
  tx: Queryable,
  run: RunHead,
  file: StoredFile,
  input: ConfirmInput & { accepted: boolean; hash: string },
): Promise<ConfirmResult> {
  const parsed = parseConfirmation(input.confirmation);
  if (parsed.paymentFileId !== file.file.fileId) {
    throw new AppError('BANK_CONFIRMATION_FILE_MISMATCH', {
      details: { expected: file.file.fileId, got: parsed.paymentFileId.slice(0, 64) },
    });
  }
  const match = matchConfirmation(file.file.lines, parsed);
  const id = randomUUID();
  const settle = match.clean || input.accepted;
  await insertConfirmation(tx, {
    id,
    fileId: file.file.fileId,
    bankConfirmationId: parsed.confirmationId.slice(0, 100),
    valueDate: parsed.valueDate.slice(0, 20),
    sha256: input.hash,
    clean: match.clean,
    accepted: input.accepted,
    importedBy: input.actor,
    importedAt: input.now,
    lines: match.lines,
  });
  const adjustments = settle
    ? await bookSettlement(tx, {
        runId: run.id,
        day: run.day,
        confirmationId: id,
        bankConfirmationId: parsed.confirmationId,
        lines: match.lines,
        actor: input.actor,
        now: input.now,
      })
    : 0;
  const after = await step(
    tx,
    run,
    { ...input, action: 'confirm', clean: settle },
    {
      confirmationId: id,
      counts: match.counts,
      accepted: input.accepted,
      adjustments,
    },
  );
  return { run: after, confirmationId: id, match, settled: settle, repeated: false, adjustments };
}
