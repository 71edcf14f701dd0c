import type pg from 'pg';
import { createFeeSchedule, createSubsidyRule } from '@citycard/clearing/fees';
import { fen, sumFen, timesRate, yuan } from './fen.js';

interface Schedule {
  readonly rates: Readonly<Record<string, string>>;
  readonly fixedFee: string;
  readonly dailyMin: string | null;
  readonly dailyMax: string | null;
}

/**
 * The fee schedules the city's finance office agreed for the day, put in force over the seeded
 * ones: per-type rates, fixed fees per charged transaction, a daily minimum that binds for a
 * small operator and a daily cap that binds for a large one.
 */
export const SCHEDULES: Readonly<Record<string, Schedule>> = {
  'jiangbei-bus': {
    rates: { transit_flat: '0.0150', '*': '0.0100' },
    fixedFee: '0.00',
    dailyMin: null,
    dailyMax: null,
  },
  'lakeside-bus': { rates: { '*': '0.0175' }, fixedFee: '0.01', dailyMin: '3.00', dailyMax: null },
  'city-metro': {
    rates: { transit_entry: '0.0200', transit_exit: '0.0125', '*': '0.0100' },
    fixedFee: '0.00',
    dailyMin: null,
    dailyMax: null,
  },
  'riverside-mart': {
    rates: { '*': '0.0060' },
    fixedFee: '0.02',
    dailyMin: null,
    dailyMax: '0.25',
  },
  'old-town-bakery': { rates: { '*': '0.0085' }, fixedFee: '0.03', dailyMin: null, dailyMax: null },
  'metro-kiosks': { rates: { '*': '0.0125' }, fixedFee: '0.00', dailyMin: null, dailyMax: null },
  'green-pharmacy': {
    rates: { '*': '0.0050' },
    fixedFee: '0.05',
    dailyMin: '0.50',
    dailyMax: null,
  },
};

/** Concession subsidies the city pays operators: a share of the discounts they gave. */
export const SUBSIDIES: readonly { operatorId: string | null; rider: string; rate: string }[] = [
  { operatorId: null, rider: 'student', rate: '0.5000' },
  { operatorId: 'city-metro', rider: 'senior', rate: '0.8000' },
];

export async function configureFees(clearingDb: pg.Pool, day: string): Promise<void> {
  const author = { by: 'finance.li', now: new Date() };
  for (const [operatorId, s] of Object.entries(SCHEDULES)) {
    await createFeeSchedule(clearingDb, { operatorId, effectiveFrom: day, ...s }, author);
  }
  for (const s of SUBSIDIES) {
    await createSubsidyRule(
      clearingDb,
      { operatorId: s.operatorId, riderCategoryId: s.rider, rate: s.rate, effectiveFrom: day },
      author,
    );
  }
}

/** The fields of a record the settlement depends on. */
export interface ClearedRecord {
  readonly operatorId: string;
  readonly type: string;
  readonly amount: string;
  readonly fare?: { readonly riderCategoryId: string; readonly discount: string } | undefined;
}

export interface ExpectedLine {
  readonly operatorId: string;
  readonly count: number;
  readonly gross: string;
  readonly commission: string;
  readonly subsidy: string;
  readonly net: string;
}

function commissionOf(schedule: Schedule | undefined, records: readonly ClearedRecord[]): bigint {
  if (schedule === undefined) return 0n;
  const types = [...new Set(records.map((r) => r.type))];
  let total = sumFen(
    types.map((type) => {
      const ofType = records.filter((r) => r.type === type);
      const gross = sumFen(ofType.map((r) => fen(r.amount)));
      const charged = BigInt(ofType.filter((r) => fen(r.amount) > 0n).length);
      const rate = schedule.rates[type] ?? schedule.rates['*'] ?? '0';
      return timesRate(gross, rate) + fen(schedule.fixedFee) * charged;
    }),
  );
  if (records.length > 0 && schedule.dailyMin !== null && total < fen(schedule.dailyMin)) {
    total = fen(schedule.dailyMin);
  }
  if (schedule.dailyMax !== null && total > fen(schedule.dailyMax)) total = fen(schedule.dailyMax);
  return total;
}

function subsidyOf(operatorId: string, records: readonly ClearedRecord[]): bigint {
  return sumFen(
    [...new Set(records.map((r) => r.fare?.riderCategoryId ?? ''))].map((rider) => {
      const rule =
        SUBSIDIES.find((s) => s.operatorId === operatorId && s.rider === rider) ??
        SUBSIDIES.find((s) => s.operatorId === null && s.rider === rider);
      const discount = sumFen(
        records
          .filter((r) => r.fare?.riderCategoryId === rider)
          .map((r) => fen(r.fare?.discount ?? '0.00')),
      );
      return rule === undefined ? 0n : timesRate(discount, rule.rate);
    }),
  );
}

/**
 * Each operator's settlement line from the records themselves and the schedules above: count,
 * gross, commission (per type, rounded half-even, fixed fees, then the daily bounds), subsidy
 * and net.
 */
export function expectedLines(records: readonly ClearedRecord[]): ExpectedLine[] {
  const operators = [...new Set(records.map((r) => r.operatorId))].sort();
  return operators.map((operatorId) => {
    const own = records.filter((r) => r.operatorId === operatorId);
    const gross = sumFen(own.map((r) => fen(r.amount)));
    const commission = commissionOf(SCHEDULES[operatorId], own);
    const subsidy = subsidyOf(operatorId, own);
    return {
      operatorId,
      count: own.length,
      gross: yuan(gross),
      commission: yuan(commission),
      subsidy: yuan(subsidy),
      net: yuan(gross + subsidy - commission),
    };
  });
}
