import { Amount } from '@citycard/core/money';
import { computeCommission, computeSubsidy, subsidyRuleFor } from '../fees/commission.js';
import type { TypeAggregate } from '../fees/fee.types.js';
import { ACCOUNTS, counterCash, operatorPayable } from '../ledger/accounts.js';
import { draftEntry } from '../ledger/balance.js';
import type { AccountSpec, EntryDraft } from '../ledger/ledger.types.js';
import { ISSUER_PARTY_ID } from '../parties/party.types.js';
import { issuanceEntries, issuanceTotals } from './compute-issuance.js';
import type { ClearingInputs } from './inputs.types.js';
import type {
  IssuanceTotals,
  NetPosition,
  RuleVersions,
  RunLine,
  RunTypeLine,
  SubsidyLine,
} from './run.types.js';

/** Bumped whenever the computation below changes what a run produces. */
export const ENGINE_VERSION = 'clearing-2';

export interface ClearingResult {
  readonly lines: readonly RunLine[];
  readonly subsidies: readonly SubsidyLine[];
  readonly positions: readonly NetPosition[];
  readonly entries: readonly EntryDraft[];
  readonly accounts: readonly AccountSpec[];
  readonly issuance: IssuanceTotals;
  readonly ruleVersions: RuleVersions;
}

const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const sum = (list: readonly Amount[]): Amount => list.reduce((s, a) => s.add(a), Amount.zero);

/**
 * The whole run from its aggregates, with no I/O: the same inputs in any order give the same
 * result, so a rerun proves itself by its hash.
 */
export function computeClearing(inputs: ClearingInputs): ClearingResult {
  const operators = [
    ...new Set([
      ...inputs.typeAggregates.map((a) => a.operatorId),
      ...inputs.adjustments.map((a) => a.operatorId),
    ]),
  ].sort(byString);
  const subsidies = operators.flatMap((op) => subsidyLines(inputs, op));
  const feeSchedules: Record<string, string> = {};
  const lines = operators.map((op) => {
    const schedule = inputs.schedules.get(op) ?? null;
    if (schedule !== null) feeSchedules[op] = `v${schedule.version}`;
    return operatorLine(inputs, op, subsidies);
  });
  const subsidyRules: Record<string, string> = {};
  for (const s of subsidies) {
    const rule = subsidyRuleFor(inputs.subsidyRules, s.operatorId, s.riderCategoryId, inputs.day);
    if (rule) {
      subsidyRules[`${s.operatorId}/${s.riderCategoryId}`] =
        `${rule.operatorId ?? '*'}/${rule.riderCategoryId}@v${rule.version}`;
    }
  }
  const positions: NetPosition[] = lines.map((l) => ({
    partyId: l.operatorId,
    kind: 'operator',
    position: l.net,
  }));
  if (lines.length > 0) {
    positions.push({
      partyId: ISSUER_PARTY_ID,
      kind: 'issuer',
      position: sum(lines.map((l) => l.net)).neg(),
    });
  }
  const branches = [...new Set(inputs.cash.map((c) => c.branchId))].sort(byString);
  return {
    lines,
    subsidies,
    positions,
    entries: [...lines.flatMap((l) => operatorEntries(l, inputs.day)), ...issuanceEntries(inputs)],
    accounts: [...operators.map(operatorPayable), ...branches.map(counterCash)],
    issuance: issuanceTotals(inputs),
    ruleVersions: { feeSchedules, subsidyRules, engine: ENGINE_VERSION },
  };
}

function typeLines(aggs: readonly TypeAggregate[]): Map<string, TypeAggregate> {
  // The same operator and type may come in several rows (late and on-time, or split input).
  const merged = new Map<string, TypeAggregate>();
  for (const a of aggs) {
    const m = merged.get(a.type);
    merged.set(
      a.type,
      m === undefined
        ? a
        : {
            ...m,
            count: m.count + a.count,
            chargeableCount: m.chargeableCount + a.chargeableCount,
            gross: m.gross.add(a.gross),
            lateCount: m.lateCount + a.lateCount,
            lateGross: m.lateGross.add(a.lateGross),
          },
    );
  }
  return new Map([...merged].sort(([a], [b]) => byString(a, b)));
}

function operatorLine(
  inputs: ClearingInputs,
  op: string,
  subsidies: readonly SubsidyLine[],
): RunLine {
  const schedule = inputs.schedules.get(op) ?? null;
  const aggs = [...typeLines(inputs.typeAggregates.filter((a) => a.operatorId === op)).values()];
  const commission = computeCommission(schedule, aggs);
  const byType: RunTypeLine[] = aggs.map((a) => ({
    type: a.type,
    count: a.count,
    gross: a.gross,
    commission: commission.byType.get(a.type) ?? Amount.zero,
  }));
  const gross = sum(aggs.map((a) => a.gross));
  const subsidy = sum(subsidies.filter((s) => s.operatorId === op).map((s) => s.subsidy));
  const adjustments = sum(
    inputs.adjustments.filter((a) => a.operatorId === op).map((a) => a.amount),
  );
  return {
    operatorId: op,
    count: aggs.reduce((n, a) => n + a.count, 0),
    gross,
    commission: commission.total,
    subsidy,
    adjustments,
    net: gross.add(subsidy).add(adjustments).sub(commission.total),
    lateCount: aggs.reduce((n, a) => n + a.lateCount, 0),
    lateGross: sum(aggs.map((a) => a.lateGross)),
    feeScheduleId: schedule?.id ?? null,
    feeScheduleVersion: schedule?.version ?? null,
    byType,
  };
}

function subsidyLines(inputs: ClearingInputs, op: string): SubsidyLine[] {
  const merged = new Map<string, { count: number; discount: Amount }>();
  for (const d of inputs.discounts.filter((x) => x.operatorId === op)) {
    const m = merged.get(d.riderCategoryId) ?? { count: 0, discount: Amount.zero };
    merged.set(d.riderCategoryId, {
      count: m.count + d.count,
      discount: m.discount.add(d.discount),
    });
  }
  const lines: SubsidyLine[] = [];
  for (const [rider, m] of [...merged].sort(([a], [b]) => byString(a, b))) {
    const rule = subsidyRuleFor(inputs.subsidyRules, op, rider, inputs.day);
    if (rule === undefined || m.discount.isZero()) continue;
    lines.push({
      operatorId: op,
      riderCategoryId: rider,
      count: m.count,
      discount: m.discount,
      rate: rule.rate.toString(),
      subsidy: computeSubsidy(m.discount, rule.rate),
    });
  }
  return lines;
}

function operatorEntries(line: RunLine, day: string): EntryDraft[] {
  const payable = operatorPayable(line.operatorId).code;
  const op = line.operatorId;
  const drafts = [
    draftEntry('card_transactions', `Card transactions of ${op} cleared for ${day}`, [
      { account: ACCOUNTS.cardFloat, amount: line.gross },
      { account: payable, amount: line.gross.neg() },
    ]),
    draftEntry('commission', `Commission of ${op} for ${day}`, [
      { account: payable, amount: line.commission },
      { account: ACCOUNTS.commissionRevenue, amount: line.commission.neg() },
    ]),
    draftEntry('subsidy', `Concession subsidy for ${op} for ${day}`, [
      { account: ACCOUNTS.concessionSubsidy, amount: line.subsidy },
      { account: payable, amount: line.subsidy.neg() },
    ]),
    draftEntry('adjustment', `Adjustments for ${op} picked up on ${day}`, [
      { account: ACCOUNTS.settlementAdjustments, amount: line.adjustments },
      { account: payable, amount: line.adjustments.neg() },
    ]),
  ];
  return drafts.filter((d): d is EntryDraft => d !== undefined);
}
