import { AppError } from '@citycard/core/errors';
import { parseAmount, type Amount } from '@citycard/core/money';
import type {
  FareLegRule,
  FareSet,
  FareTransferRule,
  MaxFare,
  Network,
  Operator,
  RiderCategory,
  Route,
  Timeframe,
} from './fare-set.schema.js';

type IndexCore = Omit<FareIndex, 'legRules' | 'defaultCategory'>;

/** The lookups the engine needs, built once per fare set (a fare set is immutable once loaded). */
export interface FareIndex {
  readonly set: FareSet;
  readonly operators: ReadonlyMap<string, Operator>;
  readonly operatorsByCode: ReadonlyMap<number, Operator>;
  readonly networks: ReadonlyMap<string, Network>;
  readonly routes: ReadonlyMap<string, Route>;
  readonly routesByCode: ReadonlyMap<number, Route>;
  readonly stops: ReadonlyMap<string, { code: number; areas: ReadonlySet<string> }>;
  readonly stopIdsByCode: ReadonlyMap<number, string>;
  readonly shops: ReadonlyMap<string, { operatorId: string }>;
  readonly timeframes: ReadonlyMap<string, readonly Timeframe[]>;
  readonly products: ReadonlyMap<string, Amount>;
  readonly legGroupCodes: ReadonlyMap<string, number>;
  readonly legGroupsByCode: ReadonlyMap<number, string>;
  readonly legRules: ReadonlyMap<string, readonly FareLegRule[]>;
  readonly transferRules: readonly FareTransferRule[];
  readonly categories: readonly RiderCategory[];
  readonly defaultCategory: RiderCategory;
  readonly caps: ReadonlyMap<string, Amount>;
  readonly maxFares: ReadonlyMap<string, MaxFare>;
}

class Problems {
  readonly reasons: string[] = [];
  add(reason: string): void {
    if (this.reasons.length < 50) this.reasons.push(reason);
  }
  check(ok: boolean, reason: string): void {
    if (!ok) this.add(reason);
  }
}

function mapBy<T, K>(items: readonly T[], key: (t: T) => K, what: string, p: Problems): Map<K, T> {
  const out = new Map<K, T>();
  for (const item of items) {
    const k = key(item);
    p.check(!out.has(k), `duplicate ${what} ${String(k)}`);
    out.set(k, item);
  }
  return out;
}

function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const list = out.get(key(item)) ?? [];
    list.push(item);
    out.set(key(item), list);
  }
  return out;
}

function buildStops(set: FareSet, p: Problems): FareIndex['stops'] {
  mapBy(set.stops, (s) => s.code, 'stop code', p);
  mapBy(set.stops, (s) => s.stopId, 'stop', p);
  const areaIds = new Set(set.areas.map((a) => a.areaId));
  const stops = new Map(
    set.stops.map((s) => [s.stopId, { code: s.code, areas: new Set<string>() }]),
  );
  for (const sa of set.stopAreas) {
    p.check(areaIds.has(sa.areaId), `stop_area names unknown area ${sa.areaId}`);
    const stop = stops.get(sa.stopId);
    if (stop === undefined) p.add(`stop_area names unknown stop ${sa.stopId}`);
    else stop.areas.add(sa.areaId);
  }
  return stops;
}

function checkLegRules(set: FareSet, ix: IndexCore, p: Problems): void {
  const areaIds = new Set(set.areas.map((a) => a.areaId));
  for (const r of set.fareLegRules) {
    const where = `fare_leg_rule ${r.legGroupId}/${r.fareProductId}`;
    p.check(ix.networks.has(r.networkId), `${where} names unknown network ${r.networkId}`);
    p.check(ix.legGroupCodes.has(r.legGroupId), `${where} names unknown leg group`);
    p.check(ix.products.has(r.fareProductId), `${where} names unknown fare product`);
    for (const a of [r.fromAreaId, r.toAreaId]) {
      p.check(a === undefined || areaIds.has(a), `${where} names unknown area ${a ?? ''}`);
    }
    const tf = r.fromTimeframeGroupId;
    p.check(tf === undefined || ix.timeframes.has(tf), `${where} names unknown timeframe`);
    const amount = ix.products.get(r.fareProductId);
    p.check(amount === undefined || !amount.isNegative(), `${where} has a negative product`);
    const max = ix.maxFares.get(r.networkId);
    const maxAmount = max === undefined ? undefined : ix.products.get(max.fareProductId);
    p.check(
      amount === undefined || maxAmount === undefined || amount.lte(maxAmount),
      `${where} costs more than the network's maximum fare`,
    );
  }
}

function checkTransferRules(set: FareSet, ix: IndexCore, p: Problems): void {
  for (const t of set.fareTransferRules) {
    const where = `fare_transfer_rule ${t.fromLegGroupId}→${t.toLegGroupId}`;
    p.check(ix.legGroupCodes.has(t.fromLegGroupId), `${where} names an unknown from leg group`);
    p.check(ix.legGroupCodes.has(t.toLegGroupId), `${where} names an unknown to leg group`);
    const amount = ix.products.get(t.fareProductId);
    p.check(amount !== undefined, `${where} names unknown fare product`);
    p.check(
      t.fareTransferType === 1 || amount === undefined || !amount.isNegative(),
      `${where}: fare_transfer_type 0 needs a non-negative product`,
    );
  }
}

function checkReferences(set: FareSet, ix: IndexCore, p: Problems): void {
  for (const n of set.networks) {
    p.check(ix.operators.get(n.operatorId)?.kind === 'transit', `network ${n.networkId} operator`);
    p.check(
      n.fareMode === 'flat' || ix.maxFares.has(n.networkId),
      `distance network ${n.networkId} has no maximum fare`,
    );
  }
  for (const r of set.routes) p.check(ix.networks.has(r.networkId), `route ${r.routeId} network`);
  for (const s of set.shops) {
    p.check(ix.operators.get(s.operatorId)?.kind === 'retail', `shop ${s.shopId} operator`);
  }
  for (const c of set.dailyCaps) {
    p.check(
      set.riderCategories.some((rc) => rc.riderCategoryId === c.riderCategoryId),
      `daily cap names unknown rider category ${c.riderCategoryId}`,
    );
  }
  for (const m of set.maxFares) {
    p.check(ix.networks.get(m.networkId)?.fareMode === 'distance', `max fare ${m.networkId}`);
    p.check(ix.products.has(m.fareProductId), `max fare ${m.networkId} product`);
  }
  for (const tf of set.timeframes) {
    p.check(tf.startTime < tf.endTime, `timeframe ${tf.timeframeGroupId} ends before it starts`);
  }
  const defaults = set.riderCategories.filter((c) => c.isDefaultFareCategory);
  p.check(defaults.length === 1, 'exactly one rider category must be the default');
  mapBy(
    set.riderCategories.flatMap((c) => c.cardProducts),
    (x) => x,
    'card product',
    p,
  );
}

function buildIndex(set: FareSet): FareIndex {
  const p = new Problems();
  const operators = mapBy(set.operators, (o) => o.operatorId, 'operator', p);
  const routes = mapBy(set.routes, (r) => r.routeId, 'route', p);
  const legGroups = mapBy(set.legGroups, (g) => g.legGroupId, 'leg group', p);
  mapBy(set.areas, (a) => a.areaId, 'area', p);
  const partial: IndexCore = {
    set,
    operators,
    operatorsByCode: mapBy(set.operators, (o) => o.code, 'operator code', p),
    networks: mapBy(set.networks, (n) => n.networkId, 'network', p),
    routes,
    routesByCode: mapBy(set.routes, (r) => r.code, 'route code', p),
    stops: buildStops(set, p),
    stopIdsByCode: new Map(set.stops.map((s) => [s.code, s.stopId])),
    shops: mapBy(set.shops, (s) => s.shopId, 'shop', p),
    timeframes: groupBy(set.timeframes, (t) => t.timeframeGroupId),
    products: new Map(
      [...mapBy(set.fareProducts, (f) => f.fareProductId, 'fare product', p)].map(([k, f]) => [
        k,
        parseAmount(f.amount, { allowNegative: true }),
      ]),
    ),
    legGroupCodes: new Map([...legGroups].map(([k, g]) => [k, g.code])),
    legGroupsByCode: new Map(
      [...mapBy(set.legGroups, (g) => g.code, 'leg group code', p)].map(([c, g]) => [
        c,
        g.legGroupId,
      ]),
    ),
    transferRules: set.fareTransferRules,
    categories: set.riderCategories,
    caps: new Map(
      [...mapBy(set.dailyCaps, (c) => c.riderCategoryId, 'daily cap', p)].map(([k, c]) => [
        k,
        parseAmount(c.amount),
      ]),
    ),
    maxFares: mapBy(set.maxFares, (m) => m.networkId, 'max fare', p),
  };
  checkReferences(set, partial, p);
  checkLegRules(set, partial, p);
  checkTransferRules(set, partial, p);
  const defaultCategory = set.riderCategories.find((c) => c.isDefaultFareCategory);
  if (p.reasons.length > 0 || defaultCategory === undefined) {
    throw new AppError('FARE_SET_INVALID', {
      details: { version: set.version, reasons: p.reasons },
    });
  }
  const legRules = groupBy(set.fareLegRules, (r) => r.networkId);
  return { ...partial, defaultCategory, legRules };
}

const cache = new WeakMap<FareSet, FareIndex>();

/** The index of a fare set; throws FARE_SET_INVALID when its references do not hold together. */
export function fareIndex(set: FareSet): FareIndex {
  let ix = cache.get(set);
  if (ix === undefined) {
    ix = buildIndex(set);
    cache.set(set, ix);
  }
  return ix;
}
