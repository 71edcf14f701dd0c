import { Amount } from '@citycard/core/money';
import type { ClonedCardState, LostCardState } from './day-run.js';
import type { SimulatedCard } from './sim-cards.js';
import type { SimGateway } from './sim-gateway.js';
import {
  countBy,
  sortedRecord,
  type OutcomeTally,
  type ReceiptCounts,
  type SimulationSummary,
  type TerminalSummary,
} from './sim-summary.js';
import { journalLeftover, type SimTerminal } from './sim-terminal.js';
import type { DayPlan, SimulateDayOptions } from './simulate.types.js';

export interface ReportInput {
  readonly options: SimulateDayOptions;
  readonly plan: DayPlan;
  readonly cards: readonly SimulatedCard[];
  readonly terminals: ReadonlyMap<string, SimTerminal>;
  readonly tally: OutcomeTally;
  readonly gateway: SimGateway;
  readonly lost: LostCardState | null;
  readonly cloned: ClonedCardState | null;
}

const iso = (t: number | null): string | null => (t === null ? null : new Date(t).toISOString());

function terminalSummary(t: SimTerminal): TerminalSummary {
  return {
    terminalId: t.terminalId,
    operatorId: t.spec.operatorId,
    kind: t.spec.kind,
    offline: t.offline,
    wrongMacKey: t.wrongKey,
    records: t.tally.records,
    batches: { ...t.tally.batches },
    refusals: sortedRecord(t.tally.refusals),
    journalLeftover: journalLeftover(t),
  };
}

function receipts(terminals: readonly SimTerminal[]): ReceiptCounts {
  const sum: ReceiptCounts = { accepted: 0, duplicate: 0, quarantined: 0, conflict: 0 };
  for (const t of terminals) {
    sum.accepted += t.tally.receipts.accepted;
    sum.duplicate += t.tally.receipts.duplicate;
    sum.quarantined += t.tally.receipts.quarantined;
    sum.conflict += t.tally.receipts.conflict;
  }
  return sum;
}

function plantedCards(input: ReportInput): Pick<SimulationSummary, 'lostCard' | 'clonedCard'> {
  const { lost, cloned, cards } = input;
  return {
    lostCard: lost && {
      card: lost.card,
      cardNumber: cards[lost.card]?.cardNumber ?? '',
      reportedAt: iso(lost.reportedAt),
      blockedAt: iso(lost.blockedAt),
      blockedBy: lost.blockedBy,
      chargedAfterReport: lost.chargedAfterReport,
      refusedAfterBlock: lost.refusedAfterBlock,
    },
    clonedCard: cloned && {
      card: cloned.card,
      cardNumber: cards[cloned.card]?.cardNumber ?? '',
      clonedAt: iso(cloned.clonedAt),
      originalTaps: cloned.originalTaps,
      cloneTaps: cloned.cloneTaps,
    },
  };
}

export function buildSummary(input: ReportInput): SimulationSummary {
  const { options, plan, cards, tally } = input;
  const terminals = [...input.terminals.values()];
  const perTerminal = terminals.map(terminalSummary);
  const leftovers = perTerminal.filter((t) => t.journalLeftover > 0);
  const loaded = cards.reduce((sum, c) => sum.add(Amount.fromInt32Fen(c.initialFen)), Amount.zero);
  return {
    seed: String(options.seed),
    day: options.day,
    gateway: input.gateway.builtIn ? 'built-in' : 'remote',
    terminalKeys: options.terminalKeys ?? 'enrol',
    cards: {
      issued: cards.length,
      loaded: loaded.toString(),
      byProfile: { normal: 0, low_balance: 0, expired: 0, ...countBy(cards, (c) => c.profile) },
      byConcession: countBy(cards, (c) => c.concession),
    },
    terminals: {
      total: terminals.length,
      offline: terminals.filter((t) => t.offline).map((t) => t.terminalId),
      wrongMacKey: terminals.find((t) => t.wrongKey)?.terminalId ?? null,
    },
    events: { total: plan.events.length, byKind: countBy(plan.events, (e) => e.kind) },
    outcomes: {
      charged: tally.charged,
      blocked: tally.blocked,
      pending: tally.pending,
      cardRemoved: tally.cardRemoved,
      refused: sortedRecord(tally.refused),
      errors: sortedRecord(tally.errors),
    },
    records: { total: tally.records, byType: sortedRecord(tally.byType), digest: tally.digest() },
    uploads: {
      batchesDuringDay: perTerminal.reduce((n, t) => n + t.batches.day, 0),
      batchesLate: perTerminal.reduce((n, t) => n + t.batches.late, 0),
      records: terminals.reduce((n, t) => n + t.tally.uploadedRecords, 0),
      refused: perTerminal
        .filter((t) => Object.keys(t.refusals).length > 0)
        .map((t) => ({ terminalId: t.terminalId, refusals: t.refusals })),
    },
    receipts: receipts(terminals),
    operators: tally.operators(),
    journal: {
      leftoverRecords: leftovers.reduce((n, t) => n + t.journalLeftover, 0),
      byTerminal: Object.fromEntries(leftovers.map((t) => [t.terminalId, t.journalLeftover])),
    },
    ...plantedCards(input),
    perTerminal,
  };
}
