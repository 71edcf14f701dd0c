import { describe, expect, it } from 'vitest';
import { SeededRandom } from './random.js';
import { buildServiceDay, terminalsOf, type CityModel } from './scenario.js';

const city: CityModel = {
  busRoutes: [
    { operatorId: 'BUS1', routeId: '1', stops: ['A', 'B', 'C'], vehicles: 2 },
    { operatorId: 'BUS2', routeId: '2', stops: ['C', 'D'], vehicles: 1 },
  ],
  metro: { operatorId: 'METRO', routeId: 'M1', stations: ['S1', 'S2', 'S3', 'S4'] },
  shops: [{ operatorId: 'SHOP1', shopId: 'shop-1' }],
};

describe('the seeded generator', () => {
  it('gives the same stream for the same seed and another for another seed', () => {
    const a = new SeededRandom('x');
    const b = new SeededRandom('x');
    const c = new SeededRandom('y');
    const sa = Array.from({ length: 8 }, () => a.nextUint32());
    expect(Array.from({ length: 8 }, () => b.nextUint32())).toEqual(sa);
    expect(Array.from({ length: 8 }, () => c.nextUint32())).not.toEqual(sa);
  });

  it('keeps int() within its bounds', () => {
    const r = new SeededRandom(1);
    for (let i = 0; i < 2000; i++) {
      const x = r.int(-3, 3);
      expect(x).toBeGreaterThanOrEqual(-3);
      expect(x).toBeLessThanOrEqual(3);
    }
    expect(() => r.int(2, 1)).toThrow(RangeError);
  });
});

describe('a simulated service day', () => {
  const options = { seed: 42, day: '2026-11-27', cards: 50, targetEvents: 400 };

  it('is the same for the same seed', () => {
    expect(buildServiceDay(city, options)).toEqual(buildServiceDay(city, options));
    expect(buildServiceDay(city, { ...options, seed: 43 })).not.toEqual(
      buildServiceDay(city, options),
    );
  });

  it('is sorted by time, inside the day, on terminals the city has', () => {
    const events = buildServiceDay(city, options);
    const terminals = new Set(terminalsOf(city));
    const start = Date.parse('2026-11-27T00:00:00+08:00');
    for (let i = 0; i < events.length; i++) {
      const e = events[i]!;
      expect(terminals.has(e.terminal)).toBe(true);
      expect(e.at.getTime()).toBeGreaterThanOrEqual(start);
      expect(e.at.getTime()).toBeLessThan(start + 26 * 3600_000);
      if (i > 0) expect(e.at.getTime()).toBeGreaterThanOrEqual(events[i - 1]!.at.getTime());
    }
    expect(events.length).toBeGreaterThan(options.targetEvents * 0.6);
    expect(events.length).toBeLessThan(options.targetEvents * 1.6);
  });

  it('has every metro exit after its entry for the same card', () => {
    const open = new Map<number, number>();
    for (const e of buildServiceDay(city, options)) {
      if (e.kind === 'metro_entry') open.set(e.card, e.at.getTime());
      if (e.kind === 'metro_exit') {
        expect(open.get(e.card)).toBeLessThan(e.at.getTime());
        open.delete(e.card);
      }
    }
  });
});
