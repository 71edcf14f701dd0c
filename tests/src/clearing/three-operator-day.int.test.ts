import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  defaultClearingSettings,
  getRun,
  type ClearingDeps,
  type RunDetail,
} from '@citycard/clearing';
import { ANY_TYPE, createFeeSchedule } from '@citycard/clearing/fees';
import {
  CLEARING_QUEUE,
  enqueueClearingRun,
  startClearingWorker,
  type NightlyJobResult,
} from '@citycard/clearing/jobs';
import { ISSUER_PARTY_ID, saveParty } from '@citycard/clearing/parties';
import { listExceptions, type ReconciliationException } from '@citycard/clearing/reconciliation';
import { createClearingTestDb, type ClearingTestDb } from '@citycard/clearing/testing';
import { createLogger } from '@citycard/core/logging';
import { Amount, parseAmount } from '@citycard/core/money';
import { createQueues, type QueueFactory } from '@citycard/core/queue';
import type { TransactionRecord } from '@citycard/terminal-sdk/protocol';
import { Purse, startGatewayOnDay, type GatewayDay } from './gateway-on-day.js';

/**
 * One business day of three operators (two bus companies and a shop chain) through the real
 * gateway: terminals post signed batches, ingest verifies and stores them, finance releases a
 * quarantined record; the nightly job on the real queue clears and reconciles the day. Each
 * operator's net is checked to the fen against a computation made here from the records the
 * terminals wrote, and reconciliation must find the planted clone and the planted gap.
 */
interface Fees {
  readonly rate: string;
  readonly fixed: string;
  readonly max?: string;
}
const FEES: Record<string, Fees> = {
  'jiangbei-bus': { rate: '0.0125', fixed: '0.00' },
  'lakeside-bus': { rate: '0.02', fixed: '0.01' },
  'riverside-mart': { rate: '0.03', fixed: '0.00', max: '1.00' },
};

/** gross × rate rounded half-even to the fen, in integers only. */
function halfEven(fen: bigint, rate: string): bigint {
  const [whole = '0', frac = ''] = rate.split('.');
  const den = 10n ** BigInt(frac.length);
  const num = fen * BigInt(whole + frac);
  const q = num / den;
  const r = num % den;
  return 2n * r > den || (2n * r === den && q % 2n === 1n) ? q + 1n : q;
}

/** What the issuer owes each operator, from the records alone. */
function expectedNets(records: readonly TransactionRecord[]) {
  const out = new Map<string, { count: number; gross: bigint; commission: bigint; net: bigint }>();
  for (const [operator, fees] of Object.entries(FEES)) {
    const mine = records.filter((r) => r.operatorId === operator);
    const gross = mine.reduce((s, r) => s + parseAmount(r.amount).toFen(), 0n);
    const chargeable = BigInt(mine.filter((r) => parseAmount(r.amount).isPositive()).length);
    let commission = halfEven(gross, fees.rate) + parseAmount(fees.fixed).toFen() * chargeable;
    if (fees.max !== undefined) {
      const max = parseAmount(fees.max).toFen();
      if (commission > max) commission = max;
    }
    out.set(operator, { count: mine.length, gross, commission, net: gross - commission });
  }
  return out;
}

const fen = (f: bigint): string => Amount.fromFen(f).toString();

describe('a three-operator day through the gateway, the queue and the nightly run', () => {
  let t: ClearingTestDb;
  let gw: GatewayDay;
  let queues: QueueFactory;
  const posted: TransactionRecord[] = [];
  let clone: TransactionRecord;
  let gapCard: string;
  let gapCounter: number;
  let result: NightlyJobResult;
  let run: RunDetail;

  beforeAll(async () => {
    t = await createClearingTestDb();
    gw = await startGatewayOnDay(t.url);
    const author = { by: 'finance-setup', now: gw.now() };
    await saveParty(t.pool, { id: ISSUER_PARTY_ID, kind: 'issuer', name: 'Card issuer' }, author);
    for (const [id, fees] of Object.entries(FEES)) {
      const kind = id.endsWith('mart') ? 'retail' : 'transit';
      await gw.addOperator(id, kind);
      await saveParty(
        t.pool,
        { id, kind: 'operator', name: id, bankAccountNumber: '6222-0001' },
        author,
      );
      await createFeeSchedule(
        t.pool,
        {
          operatorId: id,
          effectiveFrom: '2020-01-01',
          fixedFee: fees.fixed,
          dailyMax: fees.max ?? null,
          rates: { [ANY_TYPE]: fees.rate },
        },
        author,
      );
    }
    const jb1 = await gw.addTerminal('jiangbei-bus');
    const jb2 = await gw.addTerminal('jiangbei-bus');
    const lk1 = await gw.addTerminal('lakeside-bus');
    const rm1 = await gw.addTerminal('riverside-mart');
    const purses: Purse[] = [];
    for (let i = 0; i < 6; i++)
      purses.push(new Purse(await gw.addCard(), 100 * (i + 1), parseAmount('80.00')));

    const batches = new Map([jb1, jb2, lk1, rm1].map((term) => [term, [] as TransactionRecord[]]));
    const tap = (purse: Purse, term: typeof jb1, over = {}, skip = 0, lost = Amount.zero) => {
      const record = purse.tap(term, over, skip, lost);
      batches.get(term)?.push(record);
      posted.push(record);
      return record;
    };
    const shop = (i: number) => ({
      type: 'purchase' as const,
      fare: undefined,
      location: { shopId: 'riverside-mart-1' },
      amount: fen(335n + 17n * BigInt(i)),
    });
    purses.forEach((p, i) => {
      tap(p, jb1);
      tap(p, lk1);
      // The gap: the card paid 2.00 on a terminal whose record never reaches the gateway.
      if (i === 4) gapCounter = tap(p, rm1, shop(i), 1, parseAmount('2.00')).purseCounter;
      else tap(p, rm1, shop(i));
    });
    gapCard = purses[4]?.card.cardNumber ?? '';
    // The clone: a copy of card 5, taken before its last bus ride, rides too.
    const original = purses[5] as Purse;
    const copy = new Purse(original.card, original.counter, original.balance);
    for (const p of purses) tap(p, jb2);
    clone = copy.tap(lk1);

    for (const [term, records] of batches) {
      const res = await gw.postBatch(term, records);
      expect(res.statusCode, res.body).toBe(200);
    }
    const res = await gw.postBatch(lk1, [clone]);
    expect(res.statusCode, res.body).toBe(200);
    const { rows } = await gw.db.query<{ status: string; reason: string | null }>(
      `SELECT status, reason FROM transactions WHERE terminal_id = $1 AND sequence = $2`,
      [lk1.credentials.id, clone.sequence],
    );
    expect(rows).toEqual([{ status: 'quarantined', reason: 'COUNTER_REPLAY' }]);
    // A finance user releases it (say, the rider disputed the refusal) and a second approves.
    const maker = await gw.staff(['finance']);
    const checker = await gw.staff(['finance']);
    const proposed = await gw.asStaff(
      maker,
      'POST',
      `/v1/quarantine/${lk1.credentials.id}/${clone.sequence}/decisions`,
      { action: 'release', note: 'Rider showed a receipt for the ride' },
    );
    expect(proposed.statusCode, proposed.body).toBe(201);
    const { id } = proposed.json<{ id: string }>();
    const approved = await gw.asStaff(checker, 'POST', `/v1/quarantine/decisions/${id}/approve`);
    expect(approved.statusCode, approved.body).toBe(200);
    posted.push(clone);

    queues = createQueues({
      ...(process.env.REDIS_URL ? { redisUrl: process.env.REDIS_URL } : {}),
      databaseUrl: t.url,
      prefix: `test-${randomUUID()}`,
      log: createLogger({ name: 'queue', level: 'warn' }),
    });
    const queueName = `${CLEARING_QUEUE}-${randomUUID()}`;
    const deps: ClearingDeps = {
      db: t.pool,
      log: createLogger({ name: 'clearing', level: 'warn' }),
      // The morning after the day: its cut-off (04:00) has passed.
      clock: () => new Date(gw.now().getTime() + 20 * 3600_000),
      settings: { ...defaultClearingSettings, nightlyAttempts: 1 },
    };
    const worker = startClearingWorker(queues, deps, queueName);
    const done = new Promise<NightlyJobResult>((resolve, reject) => {
      worker.on('completed', (_job, value: NightlyJobResult) => resolve(value));
      worker.on('failed', (_job, err: Error) => reject(err));
    });
    await enqueueClearingRun(queues, deps.settings, { day: gw.day }, queueName);
    result = await done;
    run = await getRun(t.pool, result.runId);
  });

  afterAll(async () => {
    await queues?.close();
    await gw?.close();
    await t?.close();
  });

  it('clears every accepted and released record of the day, once', () => {
    expect(result).toMatchObject({ day: gw.day, outcome: 'ran', status: 'computed' });
    expect(run.transactionCount).toBe(posted.length);
  });

  it("pays each operator its net to the fen, as computed from the terminals' records", () => {
    const expected = expectedNets(posted);
    const lines = new Map(run.lines.map((l) => [l.operatorId, l]));
    for (const [operator, e] of expected) {
      const line = lines.get(operator);
      expect(line, operator).toBeDefined();
      expect(
        {
          count: line?.count,
          gross: line?.gross.toString(),
          commission: line?.commission.toString(),
          net: line?.net.toString(),
        },
        operator,
      ).toEqual({
        count: e.count,
        gross: fen(e.gross),
        commission: fen(e.commission),
        net: fen(e.net),
      });
    }
    expect(run.lines).toHaveLength(3);
    const positions = run.positions.reduce((s, p) => s.add(p.position), Amount.zero);
    expect(positions.toString()).toBe('0.00');
  });

  it('reconciles the day: the clone and the gap, explained, and nothing else', async () => {
    expect(result.reconciliationId).not.toBeNull();
    const list = await listExceptions(t.pool, { reconciliationId: result.reconciliationId ?? '' });
    const brief = (e: ReconciliationException) => [e.kind, e.cardNumber];
    expect(list.map(brief).sort()).toEqual([
      ['missing_record', gapCard],
      ['suspected_clone', clone.cardNumber],
    ]);
    const gap = list.find((e) => e.kind === 'missing_record');
    expect(gap?.amount?.toString()).toBe('2.00');
    expect(gap?.details).toMatchObject({ missing: 1, toCounter: gapCounter - 1 });
    expect(list.find((e) => e.kind === 'suspected_clone')?.purseCounter).toBe(
      String(clone.purseCounter),
    );
    expect(list.find((e) => e.kind === 'missing_record')?.explanation).toMatch(
      /1 record\(s\) missing/,
    );
    expect(list.find((e) => e.kind === 'suspected_clone')?.explanation).toMatch(
      /a copy of the card/,
    );
    expect(result.exceptions).toBe(2);
  });
});
