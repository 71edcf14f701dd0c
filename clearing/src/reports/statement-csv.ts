import { AppError } from '@citycard/core/errors';
import type { RunDetail, RunLine } from '../run/run.types.js';
import { csvDocument } from './csv.js';

export const STATEMENT_COLUMNS = [
  'run_id',
  'business_day',
  'operator_id',
  'transactions',
  'gross',
  'commission',
  'subsidy',
  'adjustments',
  'net',
  'late_transactions',
  'late_gross',
  'fee_schedule',
  'output_hash',
] as const;

function feeSchedule(line: RunLine): string {
  return line.feeScheduleId === null
    ? ''
    : `${line.feeScheduleId}@${line.feeScheduleVersion ?? ''}`;
}

/** The lines of a run, or the one line of an operator; NOT_FOUND when it had none that day. */
export function statementLines(run: RunDetail, operatorId?: string): readonly RunLine[] {
  if (operatorId === undefined) return run.lines;
  const line = run.lines.find((l) => l.operatorId === operatorId);
  if (line === undefined) {
    throw new AppError('NOT_FOUND', {
      message: 'The operator has no line in this run',
      details: { runId: run.id },
    });
  }
  return [line];
}

/**
 * The settlement statement as CSV: one row per operator, each carrying the run's output hash so
 * a row copied out of the file still names the run result it came from.
 */
export function statementCsv(run: RunDetail, operatorId?: string): string {
  const rows = statementLines(run, operatorId).map((l) => [
    run.id,
    run.day,
    l.operatorId,
    String(l.count),
    l.gross.toString(),
    l.commission.toString(),
    l.subsidy.toString(),
    l.adjustments.toString(),
    l.net.toString(),
    String(l.lateCount),
    l.lateGross.toString(),
    feeSchedule(l),
    run.outputHash,
  ]);
  return csvDocument([[...STATEMENT_COLUMNS], ...rows]);
}
