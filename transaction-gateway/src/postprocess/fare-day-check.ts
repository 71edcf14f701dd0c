import { isAppError } from '@citycard/core/errors';
import type { Amount } from '@citycard/core/money';
import { parseAmount, sumAmounts } from '@citycard/core/money';
import {
  priceDay,
  serviceDate,
  serviceDayOf,
  unixSeconds,
  type CardFareProfile,
  type FareSet,
  type TapInput,
  type TapMode,
} from '@citycard/terminal-sdk/fare';
import type { Finding } from './continuity.js';

export interface TransitRecord {
  readonly terminalId: string;
  readonly sequence: string;
  readonly type: 'transit_flat' | 'transit_entry' | 'transit_exit' | 'transit_correction';
  readonly purseCounter: number;
  readonly amount: string;
  readonly occurredAt: Date;
  readonly operatorId: string;
  readonly location: { routeId?: string; stopId?: string; direction?: 0 | 1 };
  readonly fareSetVersion: string;
}

const MODES: Record<TransitRecord['type'], TapMode> = {
  transit_flat: 'flat',
  transit_entry: 'entry',
  transit_exit: 'exit',
  transit_correction: 'exit',
};

const tapOf = (r: TransitRecord): TapInput => ({
  at: r.occurredAt,
  operatorId: r.operatorId,
  routeId: r.location.routeId ?? '',
  stopId: r.location.stopId,
  direction: r.location.direction,
  mode: MODES[r.type],
});

export interface DayGroup {
  readonly serviceDate: string;
  readonly set: FareSet;
  readonly records: readonly TransitRecord[];
}

/** Groups a card's transit records by the fare set they name and that set's service day. */
export function groupByServiceDay(
  records: readonly TransitRecord[],
  sets: ReadonlyMap<string, FareSet>,
): DayGroup[] {
  const groups = new Map<string, { serviceDate: string; set: FareSet; records: TransitRecord[] }>();
  for (const r of records) {
    const set = sets.get(r.fareSetVersion);
    if (set === undefined) continue;
    const date = serviceDate(serviceDayOf(set, unixSeconds(r.occurredAt)));
    const key = `${r.fareSetVersion}|${date}`;
    const g = groups.get(key) ?? { serviceDate: date, set, records: [] };
    g.records.push(r);
    groups.set(key, g);
  }
  return [...groups.values()];
}

/** Whether every purse counter between the day's first and last record is on a known record. */
export function dayIsComplete(group: DayGroup, knownCounters: ReadonlySet<number>): boolean {
  const counters = group.records.map((r) => r.purseCounter);
  const lo = Math.min(...counters);
  const hi = Math.max(...counters);
  for (let c = lo; c <= hi; c++) if (!knownCounters.has(c)) return false;
  return true;
}

/**
 * Re-prices a card's whole service day with the fare engine (priceDay: the same answer whatever
 * order the taps were uploaded in) and compares every record's amount with what it should have
 * been. Transfers and caps span taps of several terminals, which ingest cannot see one record at
 * a time. The day starts from an empty rider state: a transfer begun before the service day's
 * start shows up as a mismatch to look at, not as proof of fraud.
 */
export function checkFareDay(group: DayGroup, card: CardFareProfile): Finding | undefined {
  const key = `fare:${group.set.version}:${group.serviceDate}`;
  const byTap = new Map<TapInput, TransitRecord>();
  for (const r of group.records) byTap.set(tapOf(r), r);
  const charged = sumAmounts(
    group.records.map((r) => parseAmount(r.amount, { allowNegative: true })),
  );
  let expected: Amount;
  const mismatches: Array<Record<string, string>> = [];
  try {
    const priced = priceDay(group.set, card, [...byTap.keys()]);
    expected = priced.total;
    for (const c of priced.charges) {
      const r = byTap.get(c.tap);
      if (r === undefined) continue;
      if (!parseAmount(r.amount, { allowNegative: true }).eq(c.amount) || r.type !== c.type) {
        mismatches.push({
          record: `${r.terminalId}/${r.sequence}`,
          type: r.type,
          charged: r.amount,
          expectedType: c.type,
          expected: c.amount.toString(),
        });
      }
    }
  } catch (err) {
    if (!isAppError(err)) throw err;
    return {
      kind: 'fare_day_mismatch',
      key,
      details: {
        serviceDate: group.serviceDate,
        fareSetVersion: group.set.version,
        error: err.code,
      },
    };
  }
  if (mismatches.length === 0 && expected.eq(charged)) return undefined;
  return {
    kind: 'fare_day_mismatch',
    key,
    details: {
      serviceDate: group.serviceDate,
      fareSetVersion: group.set.version,
      charged: charged.toString(),
      expected: expected.toString(),
      mismatches: mismatches.slice(0, 20),
    },
  };
}
