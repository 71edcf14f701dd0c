import { describe, expect, it } from 'vitest';
import { fareSetFromJson, parseFareSet, SAMPLE_CITY_FARE_SET, SAMPLE_CITY_FARES } from './index.js';

const reasonsOf = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (e) {
    const err = e as { code?: string; details?: { reasons?: string[] } };
    expect(err.code).toBe('FARE_SET_INVALID');
    return err.details?.reasons ?? [];
  }
  throw new Error('expected FARE_SET_INVALID');
};

describe('loading a fare set', () => {
  it('reads back the sample city from its JSON', () => {
    const json = JSON.stringify(SAMPLE_CITY_FARE_SET);
    expect(fareSetFromJson(json)).toEqual(SAMPLE_CITY_FARE_SET);
  });

  it('freezes what it loads', () => {
    expect(Object.isFrozen(SAMPLE_CITY_FARE_SET.fareProducts[0])).toBe(true);
  });

  it('refuses what is not JSON or not a fare set', () => {
    reasonsOf(() => fareSetFromJson('{'));
    const reasons = reasonsOf(() => parseFareSet({ ...SAMPLE_CITY_FARES, version: '' }));
    expect(reasons.join()).toMatch(/^version/);
  });

  it('refuses amounts that are not two-place strings', () => {
    const fareProducts = [{ fareProductId: 'x', name: 'x', amount: '2.5', currency: 'CNY' }];
    const reasons = reasonsOf(() => parseFareSet({ ...SAMPLE_CITY_FARES, fareProducts }));
    expect(reasons.join()).toMatch(/fareProducts\.0\.amount/);
  });

  it('names broken references, duplicate card codes and legs dearer than the maximum', () => {
    const reasons = reasonsOf(() =>
      parseFareSet({
        ...SAMPLE_CITY_FARES,
        routes: [
          ...SAMPLE_CITY_FARES.routes,
          { routeId: 'J9', networkId: 'nowhere', name: 'J9', code: 101 },
        ],
        maxFares: [{ networkId: 'metro', fareProductId: 'metro-2-zones', maxJourneyMinutes: 180 }],
      }),
    );
    expect(reasons).toEqual(
      expect.arrayContaining([
        'duplicate route code 101',
        'route J9 network',
        "fare_leg_rule metro/metro-3-zones costs more than the network's maximum fare",
      ]),
    );
  });

  it('needs exactly one default rider category', () => {
    const riderCategories = SAMPLE_CITY_FARES.riderCategories.map((c) => ({
      ...c,
      isDefaultFareCategory: false,
    }));
    const reasons = reasonsOf(() => parseFareSet({ ...SAMPLE_CITY_FARES, riderCategories }));
    expect(reasons).toContain('exactly one rider category must be the default');
  });
});
