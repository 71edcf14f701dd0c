import type { FareSet } from '../fare/index.js';
import { busTerminalId, gateTerminalId, shopTerminalId, type CityModel } from './scenario.js';

export interface CityModelOptions {
  /** Vehicles on every bus route, each with its own validator. */
  readonly vehiclesPerRoute?: number;
  /** Bus stops per route (flat fares do not price by stop; the records still name one). */
  readonly stopsPerRoute?: number;
}

export type TerminalKind = 'bus' | 'gate' | 'pos';

export interface TerminalSpec {
  readonly terminalId: string;
  readonly operatorId: string;
  readonly kind: TerminalKind;
  /** The u16 the card's history entry keeps for this terminal. */
  readonly ref: number;
}

/**
 * The city the fare set describes: every route of a flat network is a bus route, the first
 * distance network is the metro with every stop that lies in a fare area, every shop has a POS.
 */
export function cityModelFromFareSet(set: FareSet, options: CityModelOptions = {}): CityModel {
  const vehicles = options.vehiclesPerRoute ?? 4;
  const stops = options.stopsPerRoute ?? 12;
  const networks = new Map(set.networks.map((n) => [n.networkId, n]));
  const busRoutes = set.routes.flatMap((r) => {
    const network = networks.get(r.networkId);
    if (network?.fareMode !== 'flat') return [];
    const stopIds = Array.from(
      { length: stops },
      (_, i) => `${r.routeId}-S${String(i + 1).padStart(2, '0')}`,
    );
    return [{ operatorId: network.operatorId, routeId: r.routeId, stops: stopIds, vehicles }];
  });
  const metroNetwork = set.networks.find((n) => n.fareMode === 'distance');
  const metroRoute = set.routes.find((r) => r.networkId === metroNetwork?.networkId);
  const zoned = new Set(set.stopAreas.map((sa) => sa.stopId));
  const metro =
    metroNetwork && metroRoute
      ? {
          operatorId: metroNetwork.operatorId,
          routeId: metroRoute.routeId,
          stations: set.stops.filter((s) => zoned.has(s.stopId)).map((s) => s.stopId),
        }
      : null;
  const shops = set.shops.map((s) => ({ operatorId: s.operatorId, shopId: s.shopId }));
  return { busRoutes, metro, shops };
}

/** Every terminal of the model with its operator, in the order terminalsOf gives. */
export function terminalSpecs(model: CityModel): TerminalSpec[] {
  const specs: TerminalSpec[] = [];
  const add = (terminalId: string, operatorId: string, kind: TerminalKind) =>
    specs.push({ terminalId, operatorId, kind, ref: specs.length + 1 });
  for (const r of model.busRoutes) {
    for (let v = 1; v <= r.vehicles; v++) add(busTerminalId(r.routeId, v), r.operatorId, 'bus');
  }
  for (const s of model.metro?.stations ?? []) {
    add(gateTerminalId(s), model.metro?.operatorId ?? '', 'gate');
  }
  for (const s of model.shops) add(shopTerminalId(s.shopId), s.operatorId, 'pos');
  return specs;
}
