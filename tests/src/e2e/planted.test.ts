import { describe, expect, it } from 'vitest';
import type { TransactionRecord } from '@citycard/terminal-sdk/protocol';
import { fen, yuan } from './fen.js';
import { chainBreaks, plantedQuarantine, quarantinedOf, type Stored } from './planted.js';

function record(
  terminalId: string,
  sequence: number,
  purseCounter: number,
  before: string,
  after: string,
  more: Partial<TransactionRecord> = {},
): TransactionRecord {
  const amount = yuan(fen(before) - fen(after));
  return {
    ...({
      v: 1,
      type: 'transit_flat',
      cardNumber: 'C1',
      uid: '4E000001',
      operatorId: 'op',
    } as const),
    ...{ location: {}, mac: '0'.repeat(32), occurredAt: '2026-03-10T08:00:00+08:00' },
    ...{ terminalId, sequence, purseCounter, amount, balanceBefore: before, balanceAfter: after },
    ...more,
  };
}

describe("the plants' expected traces", () => {
  it('finds skipped counters, balances that do not follow, and spent-twice counters', () => {
    const chain = [
      record('t1', 1, 3, '50.00', '48.00'),
      record('t1', 2, 5, '46.00', '44.00'), // counter 4 missing: it took 2.00
      record('t2', 1, 6, '45.00', '43.00'), // 1.00 appeared
      record('t2', 2, 7, '43.00', '43.00', { type: 'card_blocked', purseCounter: 6 }),
    ];
    expect(chainBreaks(chain)).toEqual(['balance_break C1 6 1.00', 'missing_record C1 5 2.00']);
    const cloned = [...chain, record('t3', 1, 6, '44.00', '42.00')];
    expect(chainBreaks(cloned)).toEqual(['missing_record C1 5 2.00', 'suspected_clone C1']);
  });

  it('expects the lost card quarantined from its hotlisting, and one of each pair of twins', () => {
    const lost = { cardNumber: 'C1', hotlistedAt: new Date('2026-03-10T00:30:00Z') };
    const early = record('t1', 1, 3, '50.00', '48.00');
    const late = record('t1', 2, 4, '48.00', '46.00', { occurredAt: '2026-03-10T08:30:00+08:00' });
    const twinA = record('t2', 1, 8, '20.00', '18.00', { cardNumber: 'C2' });
    const twinB = record('t3', 1, 8, '20.00', '17.00', { cardNumber: 'C2' });
    const stored = new Map<string, Stored>([
      ['t1/1', { status: 'accepted', reason: null }],
      ['t1/2', { status: 'quarantined', reason: 'HOTLISTED_CARD' }],
      ['t2/1', { status: 'quarantined', reason: 'COUNTER_REPLAY' }],
      ['t3/1', { status: 'accepted', reason: null }],
    ]);
    const expected = plantedQuarantine([early, late, twinA, twinB], stored, lost);
    expect(expected).toEqual(quarantinedOf(stored));
    stored.set('t2/1', { status: 'accepted', reason: null });
    expect(plantedQuarantine([twinA, twinB], stored, undefined)[0]).toMatch(/2 records accepted/);
  });
});
