import { randomUUID } from 'node:crypto';
import { withTransaction } from '@citycard/core/db';
import { AppError } from '@citycard/core/errors';
import type { GatewayDeps } from '../deps.js';
import { businessDay } from '../ingest/business-day.js';
import {
  approveDecision,
  audit,
  insertDecision,
  lockOpenDecision,
  lockRecordStatus,
  resolveRecord,
  toDecision,
} from './quarantine.repository.js';
import type { Decision } from './quarantine.schemas.js';

export interface Actor {
  readonly id: string;
  readonly username: string;
}

const UNIQUE_VIOLATION = '23505';

function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === UNIQUE_VIOLATION;
}

/** The maker's half: a finance user proposes to release or reject a quarantined record. */
export async function proposeDecision(
  deps: GatewayDeps,
  actor: Actor,
  input: { terminalId: string; sequence: number; action: 'release' | 'reject'; note: string },
  requestId: string,
): Promise<Decision> {
  try {
    return await withTransaction(deps.db, async (tx) => {
      const status = await lockRecordStatus(tx, input.terminalId, input.sequence);
      if (status === undefined) throw new AppError('QUARANTINE_RECORD_NOT_FOUND');
      if (status !== 'quarantined') throw new AppError('QUARANTINE_NOT_OPEN');
      const at = deps.clock();
      const row = await insertDecision(tx, {
        id: randomUUID(),
        terminal_id: input.terminalId,
        sequence: String(input.sequence),
        action: input.action,
        note: input.note,
        proposed_by: actor.id,
        proposed_by_username: actor.username,
        proposed_at: at,
      });
      const subject = `transaction:${input.terminalId}/${input.sequence}`;
      const details = { decisionId: row.id, action: input.action };
      await audit(tx, { at, actor, action: 'quarantine.propose', subject, details, requestId });
      return toDecision(row);
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new AppError('QUARANTINE_PROPOSAL_OPEN');
    throw error;
  }
}

/** The checker's half: another finance user approves, and the record is released or rejected. */
export async function approve(
  deps: GatewayDeps,
  actor: Actor,
  decisionId: string,
  requestId: string,
): Promise<Decision> {
  return withTransaction(deps.db, async (tx) => {
    const open = await lockOpenDecision(tx, decisionId);
    if (open === undefined) throw new AppError('QUARANTINE_PROPOSAL_NOT_FOUND');
    if (open.proposed_by === actor.id) throw new AppError('QUARANTINE_SELF_APPROVAL');
    const sequence = Number(open.sequence);
    const status = await lockRecordStatus(tx, open.terminal_id, sequence);
    if (status !== 'quarantined') throw new AppError('QUARANTINE_NOT_OPEN');
    const at = deps.clock();
    const { businessDayTimeZone, businessDayCutoff } = deps.settings;
    await resolveRecord(tx, {
      terminalId: open.terminal_id,
      sequence,
      status: open.action === 'release' ? 'released' : 'rejected',
      at,
      businessDay: businessDay(at, businessDayTimeZone, businessDayCutoff),
    });
    const row = await approveDecision(tx, decisionId, actor, at);
    const subject = `transaction:${open.terminal_id}/${sequence}`;
    const details = { decisionId, action: open.action, proposedBy: open.proposed_by_username };
    await audit(tx, { at, actor, action: 'quarantine.approve', subject, details, requestId });
    return toDecision(row);
  });
}
