import { AppError } from '@citycard/core/errors';
import type { ClassicCardIo, VirtualClassicCard } from '@citycard/core/card';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SAMPLE_CITY_FARE_SET } from '../fare/index.js';
import type { RecordDraft, TransactionRecord } from '../protocol/index.js';
import type { TransactionRecorder } from '../recorder/index.js';
import {
  MemoryPendingTapStore,
  performTap,
  recordCommittedPending,
  settleTap,
  type PerformTapInput,
  type TerminalContext,
} from './index.js';
import {
  cardState,
  dataBlocks,
  hotlist,
  issueCard,
  SAM,
  tempRecorder,
  type TestRecorder,
} from './tap-fixture.js';

const NOW = new Date('2026-11-23T08:00:00+08:00');
const GATE: TerminalContext = {
  operatorId: 'city-metro',
  location: { routeId: 'M1', stopId: 'central-station' },
  mode: 'entry',
};

let rec: TestRecorder;
beforeEach(async () => {
  rec = await tempRecorder();
});
afterEach(async () => {
  await rec.close();
});

function tapInput(
  card: ClassicCardIo,
  pending: MemoryPendingTapStore,
  extra: Partial<PerformTapInput> = {},
): PerformTapInput {
  const recorder = rec.recorder;
  return {
    card,
    keys: SAM,
    hotlist: hotlist(),
    fareSet: SAMPLE_CITY_FARE_SET,
    recorder,
    terminal: GATE,
    now: NOW,
    pending,
    ...extra,
  };
}

/** Fields of a record that do not depend on the journal (sequence, MAC). */
const body = (r: TransactionRecord | RecordDraft) => {
  const { sequence: _s, mac: _m, v: _v, terminalId: _t, ...rest } = r as TransactionRecord;
  return rest;
};

async function reference() {
  const card = await issueCard();
  const before = { commands: card.stats.commands };
  const outcome = await performTap(tapInput(card, new MemoryPendingTapStore()));
  if (outcome.status !== 'charged') throw new Error(outcome.status);
  return {
    commands: card.stats.commands - before.commands,
    blocks: dataBlocks(card),
    record: body(outcome.record),
  };
}

/**
 * After a tear: the card and journal hold either no trace of the tap, or the committed purse
 * with its record written or pending. Then the card comes back: settling (and, if nothing had
 * happened, tapping again) ends with exactly the card and the one record of an untorn tap.
 */
async function checkTornThenRecovered(
  card: VirtualClassicCard,
  pending: MemoryPendingTapStore,
  first: Awaited<ReturnType<typeof performTap>>,
  ref: Awaited<ReturnType<typeof reference>>,
) {
  const { purse } = cardState(card);
  const records = await rec.records();
  const untouched = purse.counter === 1 && purse.balanceFen === 2000;
  const committed = purse.counter === 2 && purse.balanceFen === 1600;
  expect(untouched || committed).toBe(true);
  if (untouched) expect(records).toEqual([]);
  if (committed) expect(records.length === 1 || first.status === 'record_pending').toBe(true);

  card.present();
  const settled = await settleTap(tapInput(card, pending));
  expect(['settled', 'nothing_pending', 'charged']).toContain(settled.status);
  if ((await rec.records()).length === 0) {
    expect(await performTap(tapInput(card, pending))).toMatchObject({ status: 'charged' });
  }
  expect(dataBlocks(card)).toEqual(ref.blocks);
  expect((await rec.records()).map(body)).toEqual([ref.record]);
  expect(pending.list()).toEqual([]);
}

describe('a tap torn at every step', () => {
  it('leaves card and journal consistent or recoverable after each command', async () => {
    const ref = await reference();
    // 11 to read (3 auth, 8 reads), 9 to write (2 auth, 7 writes).
    expect(ref.commands).toBe(20);
    const seen = new Set<string>();
    for (let n = 0; n < ref.commands; n++) {
      await rec.close();
      rec = await tempRecorder();
      const card = await issueCard();
      const pending = new MemoryPendingTapStore();
      card.tearAfter(n);
      const first = await performTap(tapInput(card, pending));
      expect(first.status, `tear after ${n}`).not.toBe('refused');
      seen.add(first.status === 'charged' ? `charged/${first.cardComplete}` : first.status);
      await checkTornThenRecovered(card, pending, first, ref);
    }
    // Torn while reading, at the backup, at the commit, and after the commit.
    expect([...seen].sort()).toEqual(['card_removed', 'charged/false', 'record_pending']);
  });

  it('resolves a write cut in flight, applied or not, at every write', async () => {
    const ref = await reference();
    for (let w = 0; w < 7; w++) {
      for (const applied of [false, true]) {
        await rec.close();
        rec = await tempRecorder();
        const card = await issueCard();
        const pending = new MemoryPendingTapStore();
        let writes = 0;
        const io: ClassicCardIo = {
          identity: card.identity,
          authenticate: (b, t, k) => card.authenticate(b, t, k),
          readBlock: (b) => card.readBlock(b),
          writeBlock: (b, d) => {
            if (writes++ === w) card.tearDuringNextWrite(applied);
            return card.writeBlock(b, d);
          },
        };
        const first = await performTap(tapInput(io, pending));
        if (w === 1) expect(first.status).toBe('record_pending');
        await checkTornThenRecovered(card, pending, first, ref);
      }
    }
  });

  it('keeps a committed tap whose record failed, and records it at the next start', async () => {
    const ref = await reference();
    const card = await issueCard();
    const pending = new MemoryPendingTapStore();
    const failing: TransactionRecorder = {
      record: () => Promise.reject(new AppError('JOURNAL_IO')),
    };
    const first = await performTap(tapInput(card, pending, { recorder: failing }));
    expect(first).toMatchObject({ status: 'record_pending', errorCode: 'JOURNAL_IO' });
    expect(dataBlocks(card)).toEqual(ref.blocks);
    const written = await recordCommittedPending(pending, rec.recorder);
    expect(written.map(body)).toEqual([ref.record]);
    expect(pending.list()).toEqual([]);
  });

  it('blocks a hotlisted card torn at every step exactly once', async () => {
    for (let n = 0; n <= 13; n++) {
      await rec.close();
      rec = await tempRecorder();
      const card = await issueCard();
      const pending = new MemoryPendingTapStore();
      const listed = { hotlist: hotlist('3100000000000017') };
      card.tearAfter(n);
      await performTap(tapInput(card, pending, listed));
      card.present();
      const again = await performTap(tapInput(card, pending, listed));
      expect(['blocked', 'refused']).toContain(again.status);
      expect((await rec.records()).map((r) => r.type)).toEqual(['card_blocked']);
      expect(cardState(card).purse.balanceFen).toBe(2000);
    }
  });
});
