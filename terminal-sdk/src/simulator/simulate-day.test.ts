import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodePurse, deriveCardKeys, LAYOUT_V1 } from '@citycard/core/card';
import { parseAmount } from '@citycard/core/money';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openJournal } from '../journal/index.js';
import type { TransactionRecord } from '../protocol/index.js';
import type { TapOutcome } from '../tap/index.js';
import { startTestGateway, type TestGateway } from '../testing/index.js';
import type { SimEvent } from './scenario.js';
import { simulateDay, type SimulationResult } from './simulate-day.js';
import type { SimulateDayOptions } from './simulate.types.js';

interface Run {
  result: SimulationResult;
  gateway: TestGateway;
  workDir: string;
  outcomes: { event: SimEvent; outcome: TapOutcome; terminalId: string }[];
}

const options: SimulateDayOptions = {
  seed: 7,
  day: '2026-11-27',
  cards: 30,
  events: 300,
  offlineSharePercent: 10,
  uploadEveryMinutes: 60,
  terminalKeys: 'seeded',
  lostCard: { at: '12:00' },
  clonedCard: { at: '10:00' },
  wrongMacKeyTerminal: true,
};

const runs: Run[] = [];

async function run(): Promise<Run> {
  const gateway = await startTestGateway();
  const workDir = await mkdtemp(join(tmpdir(), 'citycard-sim-test-'));
  const outcomes: Run['outcomes'] = [];
  const result = await simulateDay({
    ...options,
    workDir,
    gateway: { kind: 'built-in', gateway },
    onOutcome: (event, outcome, terminalId) => outcomes.push({ event, outcome, terminalId }),
  });
  const r = { result, gateway, workDir, outcomes };
  runs.push(r);
  return r;
}

function recordsOf(r: Run): TransactionRecord[] {
  return r.outcomes
    .flatMap(({ outcome: o }) =>
      o.status === 'charged' || o.status === 'blocked' ? [o.record] : [],
    )
    .sort((a, b) => a.terminalId.localeCompare(b.terminalId) || a.sequence - b.sequence);
}

let a: Run;
let b: Run;

beforeAll(async () => {
  a = await run();
  b = await run();
}, 60_000);

afterAll(async () => {
  for (const r of runs) {
    await r.gateway.close();
    await rm(r.workDir, { recursive: true, force: true });
  }
});

describe('a simulated service day', () => {
  it('is the same for the same seed: summary, records and their MACs', () => {
    expect(a.result.summary).toEqual(b.result.summary);
    expect(recordsOf(a)).toEqual(recordsOf(b));
    expect(a.result.summary.records.total).toBeGreaterThan(200);
  });

  it('uploads every record of a terminal with a good key exactly once, accepted', () => {
    const { summary } = a.result;
    const wrong = summary.terminals.wrongMacKey;
    const good = recordsOf(a).filter((r) => r.terminalId !== wrong);
    for (const record of good) {
      const stored = a.gateway.ledger.records.get(`${record.terminalId}:${record.sequence}`);
      expect(stored?.outcome).toBe('accepted');
      expect(stored?.record).toEqual(record);
    }
    expect(a.gateway.ledger.records.size).toBe(good.length);
    expect(summary.receipts).toEqual({
      accepted: good.length,
      duplicate: 0,
      quarantined: 0,
      conflict: 0,
    });
  });

  it('leaves every card (but the clone) at its load minus its charges, to the fen', () => {
    const { cards, masterKeys, summary } = a.result;
    const charged = new Map<string, TransactionRecord[]>();
    for (const r of recordsOf(a))
      charged.set(r.cardNumber, [...(charged.get(r.cardNumber) ?? []), r]);
    const b = LAYOUT_V1.blocks;
    for (const c of cards) {
      if (c.index === summary.clonedCard?.card) continue;
      const keys = deriveCardKeys(masterKeys, c.card.identity.uid);
      const image = c.card.image();
      const at = (block: number) => image[block] ?? Buffer.alloc(16);
      const purse = decodePurse(
        { value: at(b.purseValue), backup: at(b.purseBackup), record: at(b.purseRecord) },
        keys.uid,
        keys.purseMacKey,
      );
      keys.wipe();
      if ('error' in purse) throw new Error(`card ${c.index}: ${String(purse.error)}`);
      const mine = (charged.get(c.cardNumber) ?? []).filter((r) => r.type !== 'card_blocked');
      const spent = mine.reduce(
        (s, r) => s + parseAmount(r.amount, { allowNegative: true }).toFen(),
        0n,
      );
      expect(BigInt(purse.balanceFen), `card ${c.index}`).toBe(BigInt(c.initialFen) - spent);
      // The load is counter 1; every charge adds one.
      expect(purse.counter, `card ${c.index}`).toBe(1 + mine.length);
    }
  });

  it('breaks the counter chain of the cloned card', () => {
    const cloned = a.result.summary.clonedCard;
    expect(cloned?.cloneTaps).toBeGreaterThan(0);
    const counters = recordsOf(a)
      .filter((r) => r.cardNumber === cloned?.cardNumber)
      .map((r) => r.purseCounter);
    expect(new Set(counters).size).toBeLessThan(counters.length);
  });

  it('uploads the offline terminals only after the cut-off', () => {
    const offline = a.result.summary.perTerminal.filter((t) => t.offline);
    expect(offline.length).toBe(a.result.summary.terminals.offline.length);
    expect(offline.some((t) => t.records > 0)).toBe(true);
    for (const t of offline) {
      expect(t.batches.day).toBe(0);
      expect(t.journalLeftover).toBe(0);
      if (t.records > 0) expect(t.batches.late).toBeGreaterThan(0);
      expect(a.gateway.ledger.recordsOf(t.terminalId)).toHaveLength(t.records);
    }
  });

  it('blocks the lost card after it is reported and charges it no more', () => {
    const lost = a.result.summary.lostCard;
    expect(lost?.blockedAt).not.toBeNull();
    const lostAt = Date.parse(`${options.day}T12:00:00+08:00`);
    const blockedAt = Date.parse(lost?.blockedAt ?? '');
    expect(blockedAt).toBeGreaterThanOrEqual(lostAt);
    const mine = a.outcomes.filter((o) => o.event.card === lost?.card);
    const blocked = mine.filter((o) => o.outcome.status === 'blocked');
    expect(blocked).toHaveLength(1);
    const record = blocked[0]?.outcome.status === 'blocked' ? blocked[0].outcome.record : undefined;
    expect(record?.type).toBe('card_blocked');
    for (const o of mine.filter((o) => o.event.at.getTime() > blockedAt)) {
      expect(o.outcome).toMatchObject({ status: 'refused', reason: 'card_blocked' });
    }
    expect(lost?.refusedAfterBlock).toBeGreaterThan(0);
  });

  it('has the wrong-key terminal refused, with its records kept in its journal', async () => {
    const { summary } = a.result;
    const wrong = summary.perTerminal.find((t) => t.wrongMacKey);
    expect(wrong?.records).toBeGreaterThan(0);
    expect(wrong?.refusals).toHaveProperty('REQUEST_SIGNATURE_INVALID');
    expect(wrong?.journalLeftover).toBe(wrong?.records);
    expect(summary.journal.byTerminal).toEqual({ [wrong?.terminalId ?? '']: wrong?.records });
    expect(a.gateway.ledger.recordsOf(wrong?.terminalId ?? '')).toHaveLength(0);
    const journal = await openJournal({
      dir: join(a.workDir, 'terminals', wrong?.terminalId ?? '', 'journal'),
    });
    try {
      expect(await journal.readPending(10_000)).toHaveLength(wrong?.records ?? -1);
    } finally {
      await journal.close();
    }
  });
});
