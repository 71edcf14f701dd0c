import type { FareSetInput } from './fare-set.schema.js';
import { parseFareSet } from './load-fare-set.js';

const CNY = 'CNY' as const;
const NINETY_MINUTES = 90 * 60;

const metroStations = [
  ['north-gate', 'North Gate', 'zone-a'],
  ['university', 'University', 'zone-a'],
  ['peoples-square', "People's Square", 'zone-b'],
  ['central-station', 'Central Station', 'zone-b'],
  ['old-town', 'Old Town', 'zone-b'],
  ['riverside', 'Riverside', 'zone-c'],
  ['airport-road', 'Airport Road', 'zone-c'],
] as const;

const zoneFares = [
  ['zone-a', 'zone-a', 'metro-1-zone'],
  ['zone-b', 'zone-b', 'metro-1-zone'],
  ['zone-c', 'zone-c', 'metro-1-zone'],
  ['zone-a', 'zone-b', 'metro-2-zones'],
  ['zone-b', 'zone-a', 'metro-2-zones'],
  ['zone-b', 'zone-c', 'metro-2-zones'],
  ['zone-c', 'zone-b', 'metro-2-zones'],
  ['zone-a', 'zone-c', 'metro-3-zones'],
  ['zone-c', 'zone-a', 'metro-3-zones'],
] as const;

const transfer = (from: string, to: string, type: 0 | 1, product: string, count: number) => ({
  fromLegGroupId: from,
  toLegGroupId: to,
  transferCount: count,
  durationLimit: NINETY_MINUTES,
  durationLimitType: 1 as const,
  fareTransferType: type,
  fareProductId: product,
});

/** The sample city: two bus companies, one metro line, six shops (README.md tells the story). */
export const SAMPLE_CITY_FARES: FareSetInput = {
  format: 'citycard-fares/1',
  version: 'sample-2026.1',
  effectiveFrom: '2026-01-01T04:00:00+08:00',
  currency: CNY,
  serviceDay: { utcOffsetMinutes: 480, startTime: '04:00' },
  operators: [
    { operatorId: 'jiangbei-bus', name: 'Jiangbei Bus Company', code: 1, kind: 'transit' },
    { operatorId: 'lakeside-bus', name: 'Lakeside Bus Company', code: 2, kind: 'transit' },
    { operatorId: 'city-metro', name: 'City Metro', code: 3, kind: 'transit' },
    { operatorId: 'riverside-mart', name: 'Riverside Mart', code: 101, kind: 'retail' },
    { operatorId: 'old-town-bakery', name: 'Old Town Bakery', code: 102, kind: 'retail' },
    { operatorId: 'metro-kiosks', name: 'Metro Kiosks', code: 103, kind: 'retail' },
    { operatorId: 'green-pharmacy', name: 'Green Pharmacy', code: 104, kind: 'retail' },
  ],
  networks: [
    {
      networkId: 'jiangbei-bus',
      name: 'Jiangbei buses',
      operatorId: 'jiangbei-bus',
      fareMode: 'flat',
    },
    {
      networkId: 'lakeside-bus',
      name: 'Lakeside buses',
      operatorId: 'lakeside-bus',
      fareMode: 'flat',
    },
    { networkId: 'metro', name: 'Metro', operatorId: 'city-metro', fareMode: 'distance' },
  ],
  routes: [
    { routeId: 'J1', networkId: 'jiangbei-bus', name: 'J1 North Gate – Old Town', code: 101 },
    { routeId: 'J2', networkId: 'jiangbei-bus', name: 'J2 University loop', code: 102 },
    { routeId: 'J3', networkId: 'jiangbei-bus', name: 'J3 Hospital – Market', code: 103 },
    { routeId: 'L10', networkId: 'lakeside-bus', name: 'L10 Lakeside – Central', code: 210 },
    { routeId: 'L11', networkId: 'lakeside-bus', name: 'L11 Lakeside – Airport', code: 211 },
    { routeId: 'M1', networkId: 'metro', name: 'Metro line 1', code: 301 },
  ],
  areas: [
    { areaId: 'zone-a', name: 'Zone A (north)' },
    { areaId: 'zone-b', name: 'Zone B (centre)' },
    { areaId: 'zone-c', name: 'Zone C (south)' },
  ],
  stops: metroStations.map(([stopId, name], i) => ({ stopId, name, code: 1001 + i })),
  stopAreas: metroStations.map(([stopId, , areaId]) => ({ areaId, stopId })),
  shops: [
    { shopId: 'riverside-mart-1', operatorId: 'riverside-mart', name: 'Riverside Mart, Quay St' },
    { shopId: 'riverside-mart-2', operatorId: 'riverside-mart', name: 'Riverside Mart, Market' },
    { shopId: 'old-town-bakery', operatorId: 'old-town-bakery', name: 'Old Town Bakery' },
    { shopId: 'kiosk-central', operatorId: 'metro-kiosks', name: 'Kiosk, Central Station' },
    { shopId: 'kiosk-university', operatorId: 'metro-kiosks', name: 'Kiosk, University' },
    { shopId: 'green-pharmacy', operatorId: 'green-pharmacy', name: 'Green Pharmacy' },
  ],
  timeframes: [
    { timeframeGroupId: 'early-bird', startTime: '05:00', endTime: '07:00', days: [1, 2, 3, 4, 5] },
  ],
  riderCategories: [
    {
      riderCategoryId: 'adult',
      name: 'Adult',
      isDefaultFareCategory: true,
      cardProducts: ['FULL'],
      concession: { type: 'none' },
    },
    {
      riderCategoryId: 'student',
      name: 'Student',
      isDefaultFareCategory: false,
      cardProducts: ['STUDENT'],
      concession: { type: 'percent', percentOff: '25' },
    },
    {
      riderCategoryId: 'child',
      name: 'Child',
      isDefaultFareCategory: false,
      cardProducts: ['CHILD'],
      concession: { type: 'percent', percentOff: '50' },
    },
    {
      riderCategoryId: 'senior',
      name: 'Senior (65+)',
      isDefaultFareCategory: false,
      cardProducts: ['SENIOR'],
      concession: { type: 'free' },
    },
  ],
  fareProducts: [
    { fareProductId: 'jiangbei-single', name: 'Jiangbei bus ride', amount: '2.00', currency: CNY },
    { fareProductId: 'jiangbei-early', name: 'Jiangbei early bird', amount: '1.00', currency: CNY },
    { fareProductId: 'lakeside-single', name: 'Lakeside bus ride', amount: '1.50', currency: CNY },
    { fareProductId: 'metro-1-zone', name: 'Metro, one zone', amount: '2.00', currency: CNY },
    { fareProductId: 'metro-2-zones', name: 'Metro, two zones', amount: '3.00', currency: CNY },
    { fareProductId: 'metro-3-zones', name: 'Metro, three zones', amount: '4.00', currency: CNY },
    {
      fareProductId: 'transfer-discount',
      name: 'Transfer discount',
      amount: '-1.00',
      currency: CNY,
    },
    { fareProductId: 'free-transfer', name: 'Free change of bus', amount: '0.00', currency: CNY },
  ],
  legGroups: [
    { legGroupId: 'jiangbei-bus', code: 1 },
    { legGroupId: 'lakeside-bus', code: 2 },
    { legGroupId: 'metro', code: 3 },
  ],
  fareLegRules: [
    { legGroupId: 'jiangbei-bus', networkId: 'jiangbei-bus', fareProductId: 'jiangbei-single' },
    {
      legGroupId: 'jiangbei-bus',
      networkId: 'jiangbei-bus',
      fromTimeframeGroupId: 'early-bird',
      fareProductId: 'jiangbei-early',
      rulePriority: 1,
    },
    { legGroupId: 'lakeside-bus', networkId: 'lakeside-bus', fareProductId: 'lakeside-single' },
    ...zoneFares.map(([fromAreaId, toAreaId, fareProductId]) => ({
      legGroupId: 'metro',
      networkId: 'metro',
      fromAreaId,
      toAreaId,
      fareProductId,
    })),
  ],
  fareTransferRules: [
    transfer('jiangbei-bus', 'jiangbei-bus', 0, 'free-transfer', 1),
    transfer('jiangbei-bus', 'lakeside-bus', 1, 'transfer-discount', 2),
    transfer('lakeside-bus', 'jiangbei-bus', 1, 'transfer-discount', 2),
    transfer('jiangbei-bus', 'metro', 1, 'transfer-discount', 2),
    transfer('lakeside-bus', 'metro', 1, 'transfer-discount', 2),
    transfer('metro', 'jiangbei-bus', 1, 'transfer-discount', 2),
    transfer('metro', 'lakeside-bus', 1, 'transfer-discount', 2),
  ],
  dailyCaps: [
    { riderCategoryId: 'adult', amount: '12.00' },
    { riderCategoryId: 'student', amount: '9.00' },
    { riderCategoryId: 'child', amount: '6.00' },
  ],
  maxFares: [{ networkId: 'metro', fareProductId: 'metro-3-zones', maxJourneyMinutes: 180 }],
};

export const SAMPLE_CITY_FARE_SET = parseFareSet(SAMPLE_CITY_FARES);
