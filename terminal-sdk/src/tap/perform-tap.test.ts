import { deriveCardKeys, encodeValueBlock } from '@citycard/core/card';
import { parseAmount } from '@citycard/core/money';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyRecordMac } from '../protocol/index.js';
import { SAMPLE_CITY_FARE_SET } from '../fare/index.js';
import {
  MemoryPendingTapStore,
  performTap,
  refusalError,
  type PerformTapInput,
  type TerminalContext,
} from './index.js';
import {
  cardState,
  dataBlocks,
  hotlist,
  issueCard,
  MASTERS,
  SAM,
  tempRecorder,
  type TestRecorder,
} from './tap-fixture.js';

const at = (local: string) => new Date(`${local}:00+08:00`);
const BUS: TerminalContext = {
  operatorId: 'jiangbei-bus',
  location: { routeId: 'J1', direction: 0, vehicleId: 'bus-0001' },
  mode: 'flat',
  terminalRef: 17,
};
const gate = (mode: 'entry' | 'exit', stopId: string): TerminalContext => ({
  operatorId: 'city-metro',
  location: { routeId: 'M1', stopId },
  mode,
});

let rec: TestRecorder;
beforeEach(async () => {
  rec = await tempRecorder();
});
afterEach(async () => {
  await rec.close();
});

const input = (
  card: PerformTapInput['card'],
  terminal: TerminalContext,
  now: Date,
  extra: Partial<PerformTapInput> = {},
): PerformTapInput => ({
  card,
  keys: SAM,
  hotlist: hotlist(),
  fareSet: SAMPLE_CITY_FARE_SET,
  recorder: rec.recorder,
  terminal,
  now,
  pending: new MemoryPendingTapStore(),
  ...extra,
});

describe('performTap', () => {
  it('charges a bus fare: purse, transit state, history, then a MACed record', async () => {
    const card = await issueCard({ balanceFen: 2000 });
    const outcome = await performTap(input(card, BUS, at('2026-11-23T08:00')));
    expect(outcome).toMatchObject({ status: 'charged', type: 'transit_flat', cardComplete: true });
    const { purse, transit } = cardState(card);
    expect(purse).toEqual({ balanceFen: 1800, counter: 2, source: 'value', consistent: true });
    expect(transit.lastTap).toMatchObject({
      kind: 'flat',
      operatorId: 1,
      routeId: 101,
      fareFen: 200,
    });
    const [record] = await rec.records();
    expect(record).toMatchObject({
      type: 'transit_flat',
      cardNumber: '3100000000000017',
      uid: '04A1B2C3',
      purseCounter: 2,
      amount: '2.00',
      balanceBefore: '20.00',
      balanceAfter: '18.00',
      occurredAt: '2026-11-23T08:00:00+08:00',
      fare: { fareProductId: 'jiangbei-single', riderCategoryId: 'adult', transfer: false },
    });
    expect(record?.sequence).toBe(1);
  });

  it('holds the maximum at the metro gate and refunds the difference at exit', async () => {
    const card = await issueCard({
      balanceFen: 1000,
      concession: 'STUDENT',
      concessionUntil: '2027-07-31',
    });
    const entry = await performTap(
      input(card, gate('entry', 'north-gate'), at('2026-11-23T08:00')),
    );
    expect(entry).toMatchObject({ status: 'charged', type: 'transit_entry' });
    expect(cardState(card).purse.balanceFen).toBe(700);
    const exit = await performTap(input(card, gate('exit', 'university'), at('2026-11-23T08:12')));
    expect(exit).toMatchObject({ status: 'charged', type: 'transit_correction' });
    expect(cardState(card).purse.balanceFen).toBe(850);
    expect((await rec.records()).map((r) => [r.type, r.amount, r.balanceAfter])).toEqual([
      ['transit_entry', '3.00', '7.00'],
      ['transit_correction', '-1.50', '8.50'],
    ]);
  });

  it('takes a shop purchase', async () => {
    const card = await issueCard({ balanceFen: 1000 });
    const shop: TerminalContext = {
      operatorId: 'old-town-bakery',
      location: { shopId: 'old-town-bakery' },
      mode: 'purchase',
      purchaseAmount: parseAmount('6.50'),
    };
    const outcome = await performTap(input(card, shop, at('2026-11-23T09:00')));
    expect(outcome).toMatchObject({ status: 'charged', type: 'purchase' });
    const [record] = await rec.records();
    expect(record).toMatchObject({ type: 'purchase', amount: '6.50', balanceAfter: '3.50' });
    expect(record?.fare).toBeUndefined();
  });

  it('blocks a hotlisted card on the card and records it, then refuses it silently', async () => {
    const card = await issueCard();
    const listed = { hotlist: hotlist('3100000000000017') };
    const first = await performTap(input(card, BUS, at('2026-11-23T08:00'), listed));
    expect(first).toMatchObject({ status: 'blocked' });
    expect(cardState(card).purse.balanceFen).toBe(2000);
    const second = await performTap(input(card, BUS, at('2026-11-23T08:05'), listed));
    expect(second).toEqual({ status: 'refused', reason: 'card_blocked' });
    const records = await rec.records();
    expect(records.map((r) => [r.type, r.amount, r.balanceBefore, r.purseCounter])).toEqual([
      ['card_blocked', '0.00', '20.00', 1],
    ]);
  });

  it('refuses without writing or recording: low balance, expired card, bad purse MAC', async () => {
    const poor = await issueCard({ balanceFen: 150 });
    const expired = await issueCard({ expiresOn: '2026-11-22' });
    const forged = await issueCard();
    const keys = deriveCardKeys(MASTERS, forged.identity.uid);
    await forged.authenticate(8, 'B', keys.sector(2).keyB);
    await forged.writeBlock(8, encodeValueBlock(99_900, 8));
    await forged.writeBlock(9, encodeValueBlock(99_900, 9));
    keys.wipe();
    const cases = [
      [poor, { status: 'refused', reason: 'insufficient_balance', balance: parseAmount('1.50') }],
      [expired, { status: 'refused', reason: 'card_expired' }],
      [forged, { status: 'refused', reason: 'purse_invalid' }],
    ] as const;
    for (const [card, expected] of cases) {
      const before = dataBlocks(card);
      expect(await performTap(input(card, BUS, at('2026-11-23T08:00')))).toEqual(expected);
      expect(dataBlocks(card)).toEqual(before);
    }
    expect(await rec.records()).toEqual([]);
  });

  it('turns a refusal into a catalogue error', () => {
    expect(refusalError('card_expired')).toMatchObject({
      code: 'TAP_REFUSED',
      httpStatus: 409,
      details: { reason: 'card_expired' },
    });
  });

  it('refuses a card from another key system as unreadable', async () => {
    const card = await issueCard();
    const other = { keysFor: (uid: Buffer) => deriveCardKeys({ ...MASTERS, version: 2 }, uid) };
    const outcome = await performTap(input(card, BUS, at('2026-11-23T08:00'), { keys: other }));
    expect(outcome).toEqual({ status: 'refused', reason: 'card_unreadable' });
  });

  it('refuses before writing when the terminal cannot record', async () => {
    const card = await issueCard();
    const outcome = await performTap(
      input(card, BUS, at('2026-11-23T08:00'), { canRecord: () => false }),
    );
    expect(outcome).toEqual({ status: 'refused', reason: 'terminal_not_ready' });
  });

  it('records with the terminal key', async () => {
    const card = await issueCard();
    await performTap(input(card, BUS, at('2026-11-23T08:00')));
    const [record] = await rec.records();
    expect(record && verifyRecordMac(record, rec.macKey)).toBe(true);
    expect(record && verifyRecordMac(record, Buffer.alloc(16))).toBe(false);
  });
});
