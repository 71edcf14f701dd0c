import { describe, expect, it } from 'vitest';
import { SAMPLE_CITY_FARE_SET } from '../fare/index.js';
import { cityModelFromFareSet, terminalSpecs } from './city.js';
import { terminalsOf } from './scenario.js';
import { TapScheduler } from './tap-scheduler.js';

describe('the city of the sample fare set', () => {
  const model = cityModelFromFareSet(SAMPLE_CITY_FARE_SET, { vehiclesPerRoute: 2 });

  it('has the bus routes, the metro line and the shops of the fare set', () => {
    expect(model.busRoutes.map((r) => [r.routeId, r.operatorId])).toEqual([
      ['J1', 'jiangbei-bus'],
      ['J2', 'jiangbei-bus'],
      ['J3', 'jiangbei-bus'],
      ['L10', 'lakeside-bus'],
      ['L11', 'lakeside-bus'],
    ]);
    expect(model.metro?.operatorId).toBe('city-metro');
    expect(model.metro?.stations).toHaveLength(7);
    expect(model.shops).toHaveLength(6);
  });

  it('gives every terminal its operator, in the scenario order, with distinct refs', () => {
    const specs = terminalSpecs(model);
    expect(specs.map((s) => s.terminalId)).toEqual(terminalsOf(model));
    expect(specs).toHaveLength(5 * 2 + 7 + 6);
    expect(new Set(specs.map((s) => s.ref)).size).toBe(specs.length);
    expect(specs.find((s) => s.terminalId === 'pos-kiosk-central')?.operatorId).toBe(
      'metro-kiosks',
    );
  });
});

describe('the tap scheduler', () => {
  it('keeps the order per key while tasks of other keys overlap', async () => {
    const scheduler = new TapScheduler(8);
    const log: string[] = [];
    const task = (name: string, ms: number) => async () => {
      await new Promise((r) => setTimeout(r, ms));
      log.push(name);
    };
    await scheduler.schedule(['t:1', 'c:1'], task('a', 30));
    await scheduler.schedule(['t:2', 'c:2'], task('b', 1));
    await scheduler.schedule(['t:2', 'c:1'], task('c', 1));
    await scheduler.drain();
    expect(log).toEqual(['b', 'a', 'c']);
  });

  it('reports a failed task and runs nothing after it', async () => {
    const scheduler = new TapScheduler(8);
    let ran = false;
    await scheduler.schedule(['k'], () => Promise.reject(new Error('boom')));
    await scheduler.schedule(['k'], () => {
      ran = true;
      return Promise.resolve();
    });
    await expect(scheduler.drain()).rejects.toThrow('boom');
    expect(ran).toBe(false);
  });
});
