import type { RecordDraft } from '../protocol/index.js';

/** A valid bus fare draft to start tests and simulations from. */
export function sampleDraft(overrides: Partial<RecordDraft> = {}): RecordDraft {
  return {
    type: 'transit_flat',
    cardNumber: '3100000000000017',
    uid: '04A1B2C3D4E5F6',
    purseCounter: 8,
    amount: '2.00',
    balanceBefore: '10.00',
    balanceAfter: '8.00',
    occurredAt: '2026-11-27T08:15:00.000+08:00',
    operatorId: 'bus-north',
    location: { routeId: 'R1', stopId: 'S3', direction: 0, vehicleId: 'V12' },
    fare: {
      fareSetVersion: '2026-11',
      fareProductId: 'bus_flat',
      riderCategoryId: 'adult',
      baseAmount: '2.00',
      discount: '0.00',
      transfer: false,
      capApplied: false,
    },
    ...overrides,
  };
}
