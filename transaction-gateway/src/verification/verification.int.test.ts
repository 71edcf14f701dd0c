import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Receipt, TransactionRecord } from '@citycard/terminal-sdk/protocol';
import {
  startGatewayTestApp,
  type GatewayTestApp,
  type TestCard,
  type TestTerminal,
} from '../testing/index.js';

let gw: GatewayTestApp;
let terminal: TestTerminal;
let card: TestCard;

beforeAll(async () => {
  gw = await startGatewayTestApp();
  terminal = await gw.addTerminal();
  card = await gw.addCard();
});
afterAll(async () => {
  await gw.close();
});

/** Posts the records as one batch; answers each record's outcome and the stored reasons. */
async function ingest(records: TransactionRecord[]) {
  const res = await gw.postBatch(terminal.batch(records), terminal);
  expect(res.statusCode, res.body).toBe(200);
  const receipt = res.json<Receipt>();
  const { rows } = await gw.db.query<{ sequence: string; status: string; reason: string | null }>(
    `SELECT sequence, status, reason FROM transactions
      WHERE terminal_id = $1 AND sequence = ANY($2::bigint[]) ORDER BY sequence`,
    [terminal.credentials.id, records.map((r) => r.sequence)],
  );
  return { receipt, rows: rows.map((r) => [r.status, r.reason]) };
}

const quarantined = (reason: string) => ['quarantined', reason];
const minutes = (n: number) => n * 60_000;

describe('verification on ingest', () => {
  it('accepts a correct ride and quarantines an unknown card or a UID that does not match', async () => {
    const stranger = { cardNumber: '3100999999999999', uid: 'DEADBEEF', productCode: 'standard' };
    const clone = { ...card, uid: '0BADC0DE' };
    const { receipt, rows } = await ingest([
      terminal.record(card),
      terminal.record(stranger),
      terminal.record(clone),
    ]);
    expect(receipt.outcomes.map((o) => o.reason ?? o.outcome)).toEqual([
      'accepted',
      'UNKNOWN_CARD',
      'UNKNOWN_CARD',
    ]);
    expect(receipt).toMatchObject({ accepted: 1, quarantined: 2 });
    expect(rows).toEqual([
      ['accepted', null],
      quarantined('UNKNOWN_CARD'),
      quarantined('UNKNOWN_CARD'),
    ]);
  });

  it('quarantines a tap made while the card was on the hotlist, not one made before', async () => {
    const lost = await gw.addCard();
    const now = gw.deps.clock();
    await gw.hotlist(lost, new Date(now.getTime() - minutes(30)));
    const during = terminal.record(lost);
    const before = terminal.record(lost, {
      occurredAt: new Date(now.getTime() - minutes(40)).toISOString(),
    });
    const { rows } = await ingest([during, before]);
    expect(rows).toEqual([quarantined('HOTLISTED_CARD'), ['accepted', null]]);
    // Taken off the hotlist again (found): taps after that are fine.
    const found = await gw.addCard();
    await gw.hotlist(found, new Date(now.getTime() - minutes(30)));
    await gw.hotlist(found, new Date(now.getTime() - minutes(20)), 'remove');
    expect((await ingest([terminal.record(found)])).rows).toEqual([['accepted', null]]);
  });

  it('quarantines an expired card', async () => {
    const old = await gw.addCard({ expiresOn: '2020-01-31' });
    expect((await ingest([terminal.record(old)])).rows).toEqual([quarantined('CARD_EXPIRED')]);
  });

  it('quarantines records dated ahead of their batch or too long ago', async () => {
    const now = gw.deps.clock().getTime();
    const ahead = terminal.record(card, { occurredAt: new Date(now + minutes(60)).toISOString() });
    const stale = terminal.record(card, {
      occurredAt: new Date(now - 90 * 24 * minutes(60)).toISOString(),
    });
    const { rows } = await ingest([ahead, stale]);
    expect(rows).toEqual([quarantined('CLOCK_SKEW'), quarantined('CLOCK_SKEW')]);
  });

  it('quarantines amounts outside the limits', async () => {
    const purchase = { type: 'purchase' as const, fare: undefined, location: { shopId: 's-1' } };
    const big = terminal.record(card, {
      ...purchase,
      amount: '600.00',
      balanceBefore: '700.00',
      balanceAfter: '100.00',
    });
    const overdrawn = terminal.record(card, {
      ...purchase,
      amount: '5.00',
      balanceBefore: '3.00',
      balanceAfter: '-2.00',
    });
    const overfull = terminal.record(card, {
      ...purchase,
      amount: '5.00',
      balanceBefore: '1500.00',
      balanceAfter: '1495.00',
    });
    const ok = terminal.record(card, { ...purchase, amount: '5.00', balanceAfter: '45.00' });
    const { rows } = await ingest([big, overdrawn, overfull, ok]);
    expect(rows).toEqual([
      quarantined('AMOUNT_OUT_OF_LIMITS'),
      quarantined('AMOUNT_OUT_OF_LIMITS'),
      quarantined('AMOUNT_OUT_OF_LIMITS'),
      ['accepted', null],
    ]);
  });

  it('quarantines a second record under a purse counter already counted', async () => {
    const first = terminal.record(card);
    await ingest([first]);
    const replay = terminal.record(card, { purseCounter: first.purseCounter });
    const inBatchA = terminal.record(card);
    const inBatchB = terminal.record(card, { purseCounter: inBatchA.purseCounter });
    const { rows } = await ingest([replay, inBatchA, inBatchB]);
    expect(rows).toEqual([
      quarantined('COUNTER_REPLAY'),
      ['accepted', null],
      quarantined('COUNTER_REPLAY'),
    ]);
  });

  it('accepts a tap uploaded after the block that repeats its counter (the block holds none)', async () => {
    const lost = await gw.addCard();
    const tap = terminal.record(lost);
    const block = terminal.record(lost, {
      type: 'card_blocked',
      purseCounter: tap.purseCounter,
      amount: '0.00',
      balanceBefore: tap.balanceAfter,
      balanceAfter: tap.balanceAfter,
      fare: undefined,
    });
    // The block reaches the gateway first; the tap before it comes in late, from an offline bus.
    expect((await ingest([block])).rows).toEqual([['accepted', null]]);
    expect((await ingest([tap])).rows).toEqual([['accepted', null]]);
    const twin = terminal.record(lost, { purseCounter: tap.purseCounter });
    expect((await ingest([twin])).rows).toEqual([quarantined('COUNTER_REPLAY')]);
  });

  it('quarantines fares the fare engine would not have charged', async () => {
    const right = terminal.unsignedRecord(card);
    const fare = right.fare;
    if (fare === undefined) throw new Error('a ride has fare details');
    const cheap = terminal.record(card, { amount: '0.50', balanceAfter: '49.50' });
    const student = await gw.addCard({ productCode: 'student' });
    const adultPriceForStudent = terminal.record(student, { fare });
    const unknownSet = terminal.record(card, { fare: { ...fare, fareSetVersion: 'nope-1' } });
    const noFare = terminal.record(card, { fare: undefined });
    const wrongBase = terminal.record(card, {
      fare: { ...fare, baseAmount: '9.00', discount: '7.00' },
    });
    const { rows } = await ingest([cheap, adultPriceForStudent, unknownSet, noFare, wrongBase]);
    expect(rows).toEqual(Array(5).fill(quarantined('FARE_MISMATCH')));
    const studentRide = terminal.record(student);
    expect((await ingest([studentRide])).rows).toEqual([['accepted', null]]);
  });

  it('keeps a quarantined record out of the clearing contract view', async () => {
    const stranger = { cardNumber: '3100888888888888', uid: 'CAFEF00D', productCode: 'standard' };
    const record = terminal.record(stranger);
    await ingest([record]);
    const { rows } = await gw.db.query(
      'SELECT 1 FROM accepted_transactions_contract WHERE terminal_id = $1 AND sequence = $2',
      [terminal.credentials.id, record.sequence],
    );
    expect(rows).toHaveLength(0);
  });
});
