import { AppError } from '@citycard/core/errors';

/**
 * computed → approved → instructed → settled, with aborted reachable only before the bank has
 * been instructed: once money may have moved, a correction is an adjustment in a later run.
 */
export const settlementStates = [
  'computed',
  'approved',
  'instructed',
  'settled',
  'aborted',
] as const;
export type SettlementState = (typeof settlementStates)[number];

export const settlementActions = ['approve', 'instruct', 'confirm', 'abort'] as const;
export type SettlementAction = (typeof settlementActions)[number];

export interface TransitionRequest {
  readonly action: SettlementAction;
  /** Who asks: a staff id, or `cli:<name>` / `system:<job>` for commands outside HTTP. */
  readonly actor: string;
  /** For confirm: every payment line matched, or finance accepted the differences. */
  readonly confirmationClean?: boolean;
}

export interface SettlementFacts {
  readonly state: SettlementState;
  /** Who ran (or last reran) the clearing the settlement pays out. */
  readonly ranBy: string;
}

const legal: Readonly<Record<SettlementAction, readonly SettlementState[]>> = {
  approve: ['computed'],
  instruct: ['approved'],
  confirm: ['instructed'],
  abort: ['computed', 'approved'],
};

/** Where a legal action leads; confirm stays instructed until the confirmation is clean. */
function target(action: SettlementAction, clean: boolean): SettlementState {
  switch (action) {
    case 'approve':
      return 'approved';
    case 'instruct':
      return 'instructed';
    case 'confirm':
      return clean ? 'settled' : 'instructed';
    case 'abort':
      return 'aborted';
  }
}

export function isTerminal(state: SettlementState): boolean {
  return state === 'settled' || state === 'aborted';
}

/** The state after `request`, or the AppError that refuses it. Pure: the repository applies it. */
export function nextState(facts: SettlementFacts, request: TransitionRequest): SettlementState {
  const { action } = request;
  if (!legal[action].includes(facts.state)) {
    const tooLate =
      action === 'abort' && (facts.state === 'instructed' || facts.state === 'settled');
    throw new AppError(tooLate ? 'SETTLEMENT_ABORT_TOO_LATE' : 'SETTLEMENT_STATE_INVALID', {
      details: { state: facts.state, action },
    });
  }
  if (action === 'approve' && request.actor === facts.ranBy) {
    throw new AppError('SETTLEMENT_SELF_APPROVAL', { details: { state: facts.state } });
  }
  return target(action, request.confirmationClean === true);
}

/** The actions that `state` accepts, for the API to show what can be done next. */
export function allowedActions(state: SettlementState): SettlementAction[] {
  return settlementActions.filter((a) => legal[a].includes(state));
}
