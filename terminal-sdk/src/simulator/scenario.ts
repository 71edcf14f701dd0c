import { SeededRandom } from './random.js';

/** What the simulated city has: the routes, stations and shops terminals stand at. */
export interface CityModel {
  readonly busRoutes: readonly {
    readonly operatorId: string;
    readonly routeId: string;
    readonly stops: readonly string[];
    /** Vehicles on the route, each with its own validator. */
    readonly vehicles: number;
  }[];
  readonly metro: {
    readonly operatorId: string;
    readonly routeId: string;
    readonly stations: readonly string[];
  } | null;
  readonly shops: readonly { readonly operatorId: string; readonly shopId: string }[];
}

export type SimEventKind = 'bus' | 'metro_entry' | 'metro_exit' | 'purchase';

export interface SimEvent {
  readonly at: Date;
  readonly card: number;
  readonly kind: SimEventKind;
  /** The terminal that takes the event (validator of a vehicle, gate of a station, POS of a shop). */
  readonly terminal: string;
  readonly operatorId: string;
  readonly routeId?: string;
  readonly stopId?: string;
  readonly shopId?: string;
  readonly direction?: 0 | 1;
  readonly vehicleId?: string;
  /** Purchases only: the price in fen. */
  readonly amountFen?: number;
}

export interface ScenarioOptions {
  readonly seed: string | number;
  /** The service day, YYYY-MM-DD, in China Standard Time (+08:00). */
  readonly day: string;
  readonly cards: number;
  /** About how many events the day should have. */
  readonly targetEvents: number;
  /** Per thousand metro journeys that never tap out. */
  readonly missingTapOutPerMille?: number;
}

const MINUTE = 60_000;

export function busTerminalId(routeId: string, vehicle: number): string {
  return `bus-${routeId}-v${vehicle}`;
}
export function gateTerminalId(stationId: string): string {
  return `gate-${stationId}`;
}
export function shopTerminalId(shopId: string): string {
  return `pos-${shopId}`;
}

/** Every terminal the model implies, in a stable order. */
export function terminalsOf(model: CityModel): string[] {
  const ids: string[] = [];
  for (const r of model.busRoutes) {
    for (let v = 1; v <= r.vehicles; v++) ids.push(busTerminalId(r.routeId, v));
  }
  for (const s of model.metro?.stations ?? []) ids.push(gateTerminalId(s));
  for (const s of model.shops) ids.push(shopTerminalId(s.shopId));
  return ids;
}

function dayStart(day: string): number {
  const t = Date.parse(`${day}T00:00:00+08:00`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || Number.isNaN(t)) {
    throw new RangeError(`day must be YYYY-MM-DD, got ${day}`);
  }
  return t;
}

interface Ctx {
  readonly model: CityModel;
  readonly rnd: SeededRandom;
  readonly card: number;
  readonly missingPerMille: number;
  readonly out: SimEvent[];
}

function busLeg(ctx: Ctx, at: number): number {
  const { model, rnd } = ctx;
  const route = rnd.pick(model.busRoutes);
  const vehicle = rnd.int(1, route.vehicles);
  const direction = rnd.int(0, 1) as 0 | 1;
  ctx.out.push({
    at: new Date(at),
    card: ctx.card,
    kind: 'bus',
    terminal: busTerminalId(route.routeId, vehicle),
    operatorId: route.operatorId,
    routeId: route.routeId,
    stopId: rnd.pick(route.stops),
    direction,
    vehicleId: `${route.routeId}-v${vehicle}`,
  });
  return at + rnd.int(8, 35) * MINUTE;
}

function metroLeg(ctx: Ctx, at: number): number {
  const metro = ctx.model.metro;
  if (!metro || metro.stations.length < 2) return busLeg(ctx, at);
  const { rnd } = ctx;
  const from = rnd.int(0, metro.stations.length - 1);
  let to = rnd.int(0, metro.stations.length - 2);
  if (to >= from) to += 1;
  const base = { card: ctx.card, operatorId: metro.operatorId, routeId: metro.routeId } as const;
  const entry = metro.stations[from] as string;
  const exit = metro.stations[to] as string;
  const direction: 0 | 1 = to > from ? 0 : 1;
  ctx.out.push({
    ...base,
    at: new Date(at),
    kind: 'metro_entry',
    terminal: gateTerminalId(entry),
    stopId: entry,
    direction,
  });
  const arrive = at + (3 * Math.abs(to - from) + rnd.int(2, 8)) * MINUTE;
  if (!rnd.chance(ctx.missingPerMille, 1000)) {
    ctx.out.push({
      ...base,
      at: new Date(arrive),
      kind: 'metro_exit',
      terminal: gateTerminalId(exit),
      stopId: exit,
      direction,
    });
  }
  return arrive;
}

function purchase(ctx: Ctx, at: number): number {
  const { model, rnd } = ctx;
  if (model.shops.length === 0) return at;
  const shop = rnd.pick(model.shops);
  ctx.out.push({
    at: new Date(at),
    card: ctx.card,
    kind: 'purchase',
    terminal: shopTerminalId(shop.shopId),
    operatorId: shop.operatorId,
    shopId: shop.shopId,
    // Small-payment sizes: 1.00 to 48.00, in fen.
    amountFen: rnd.int(2, 96) * 50,
  });
  return at + rnd.int(5, 60) * MINUTE;
}

/** One trip: a bus or metro leg, sometimes a transfer to a second leg within the window. */
function trip(ctx: Ctx, at: number): number {
  const first = ctx.rnd.chance(40) ? metroLeg(ctx, at) : busLeg(ctx, at);
  if (!ctx.rnd.chance(30)) return first;
  return busLeg(ctx, first + ctx.rnd.int(2, 20) * MINUTE);
}

/**
 * A service day, deterministic in the seed: each card makes a morning and an evening trip, some
 * midday trips and purchases, until the day holds about `targetEvents` events. Sorted by time.
 */
export function buildServiceDay(model: CityModel, options: ScenarioOptions): SimEvent[] {
  if (model.busRoutes.length === 0) throw new RangeError('The city needs at least one bus route');
  if (!Number.isSafeInteger(options.cards) || options.cards < 1) {
    throw new RangeError('cards must be a positive integer');
  }
  const start = dayStart(options.day);
  const root = new SeededRandom(options.seed);
  const perCard = Math.max(1, Math.round(options.targetEvents / options.cards));
  const busy = Math.min(1, Math.max(0.2, 12 / perCard));
  const out: SimEvent[] = [];
  for (let card = 0; card < options.cards; card++) {
    const ctx: Ctx = {
      model,
      rnd: root.fork(`card-${card}`),
      card,
      missingPerMille: options.missingTapOutPerMille ?? 20,
      out,
    };
    const before = out.length;
    let at = start + ctx.rnd.int(6 * 60, 9 * 60) * MINUTE;
    at = trip(ctx, at);
    // Midday activity until the card has about its share, leaving room for the evening trip;
    // a busier day (more events per card than a dozen) shortens the pauses between them.
    const pause = (min: number, max: number): number =>
      Math.max(1, Math.round(ctx.rnd.int(min, max) * busy)) * MINUTE;
    while (out.length - before < perCard - 2 && at < start + 17 * 60 * MINUTE) {
      at = ctx.rnd.chance(45) ? purchase(ctx, at + pause(10, 90)) : trip(ctx, at + pause(20, 120));
    }
    trip(ctx, Math.max(at, start + ctx.rnd.int(17 * 60, 21 * 60) * MINUTE));
  }
  // A stable order: time, then card, then the order generated.
  return out
    .map((e, i) => ({ e, i }))
    .sort((x, y) => x.e.at.getTime() - y.e.at.getTime() || x.e.card - y.e.card || x.i - y.i)
    .map((x) => x.e);
}
