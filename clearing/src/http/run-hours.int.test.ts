import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildClearingApp, type BuiltClearing } from '../app.js';
import { defaultClearingSettings } from '../deps.js';
import { runClearing } from '../run/index.js';
import type { RunDetail } from '../run/run.types.js';
import { addPayees, afterCutoff } from '../settlement/test-fixtures.js';
import { addStaffSession, type TestStaff } from '../staff/test-sessions.js';
import { createClearingTestDb, insertTransactions, type ClearingTestDb } from '../testing/index.js';

let t: ClearingTestDb;
let built: BuiltClearing;
let kolkata: BuiltClearing;
let auditor: TestStaff;
const day = '2026-11-27';
/** A Shanghai wall-clock time as an instant. */
const local = (at: string) => new Date(`${at}+08:00`);

interface Hour {
  operatorId: string;
  hourStart: string;
  localHour: number;
  count: number;
  gross: string;
}

beforeAll(async () => {
  t = await createClearingTestDb();
  built = await buildClearingApp({ db: t.pool, logLevel: 'silent' });
  kolkata = await buildClearingApp({
    db: t.pool,
    logLevel: 'silent',
    settings: { ...defaultClearingSettings, timeZone: 'Asia/Kolkata' },
  });
  auditor = await addStaffSession(t.pool, ['auditor']);
  await addPayees(t.pool, ['metro', 'bus']);
  const tx = (terminalId: string, sequence: number, amount: string, at: string) => ({
    terminalId,
    sequence,
    operatorId: terminalId.replace('-T1', ''),
    amount,
    occurredAt: local(at),
  });
  await insertTransactions(t.pool, [
    tx('metro-T1', 1, '2.00', '2026-11-27T08:15:00'),
    tx('metro-T1', 2, '3.40', '2026-11-27T08:45:00'),
    tx('metro-T1', 3, '1.00', '2026-11-27T09:05:00'),
    // Occurred the business day before, uploaded today: a late one, in its own hour.
    { ...tx('metro-T1', 4, '4.00', '2026-11-26T22:00:00'), receivedAt: local('2026-11-27T10:00') },
    // Received after the cut-off: the next run's.
    { ...tx('metro-T1', 5, '9.00', '2026-11-28T03:00:00'), receivedAt: local('2026-11-28T05:00') },
    tx('bus-T1', 1, '2.00', '2026-11-27T08:30:00'),
    { ...tx('bus-T1', 2, '7.00', '2026-11-27T08:40:00'), status: 'quarantined' as const },
    tx('bus-T1', 3, '0.50', '2026-11-27T23:59:59'),
    // After midnight but before the 04:00 cut-off: still the business day.
    tx('bus-T1', 4, '1.50', '2026-11-28T02:10:00'),
  ]);
});
afterAll(async () => {
  await built?.app.close();
  await kolkata?.app.close();
  await t?.close();
});

const hoursOf = async (app: BuiltClearing, runId: string) => {
  const res = await app.app.inject({
    method: 'GET',
    url: `/v1/runs/${runId}/hours`,
    headers: auditor.headers,
  });
  return { status: res.statusCode, body: res.json<{ hours: Hour[]; code?: string }>() };
};

const fen = (s: string) => BigInt(s.replace('.', ''));

describe('a run by operator and hour', () => {
  let first: RunDetail;

  it('groups what the run cleared by operator and local hour, to the fen', async () => {
    first = await runClearing(t.pool, { day, staff: 'alice', now: afterCutoff(day) });
    const { status, body } = await hoursOf(built, first.id);
    expect(status).toBe(200);
    expect(body.hours).toEqual([
      {
        operatorId: 'metro',
        hourStart: '2026-11-26T22:00:00+08:00',
        localHour: 22,
        count: 1,
        gross: '4.00',
      },
      {
        operatorId: 'bus',
        hourStart: '2026-11-27T08:00:00+08:00',
        localHour: 8,
        count: 1,
        gross: '2.00',
      },
      {
        operatorId: 'metro',
        hourStart: '2026-11-27T08:00:00+08:00',
        localHour: 8,
        count: 2,
        gross: '5.40',
      },
      {
        operatorId: 'metro',
        hourStart: '2026-11-27T09:00:00+08:00',
        localHour: 9,
        count: 1,
        gross: '1.00',
      },
      {
        operatorId: 'bus',
        hourStart: '2026-11-27T23:00:00+08:00',
        localHour: 23,
        count: 1,
        gross: '0.50',
      },
      {
        operatorId: 'bus',
        hourStart: '2026-11-28T02:00:00+08:00',
        localHour: 2,
        count: 1,
        gross: '1.50',
      },
    ]);
  });

  it("sums per operator to the run's own lines", async () => {
    const { body } = await hoursOf(built, first.id);
    for (const line of first.lines) {
      const mine = body.hours.filter((h) => h.operatorId === line.operatorId);
      expect(mine.reduce((n, h) => n + h.count, 0)).toBe(line.count);
      expect(mine.reduce((s, h) => s + fen(h.gross), 0n)).toBe(fen(line.gross.toString()));
    }
    expect(first.lines.map((l) => [l.operatorId, l.count, l.gross.toString()])).toEqual([
      ['bus', 3, '4.00'],
      ['metro', 4, '10.40'],
    ]);
  });

  it("follows the configured zone's offset, half hours included", async () => {
    const { body } = await hoursOf(kolkata, first.id);
    expect(body.hours.every((h) => h.hourStart.endsWith('+05:30'))).toBe(true);
    expect(body.hours.find((h) => h.operatorId === 'bus' && h.count === 1)).toEqual({
      operatorId: 'bus',
      hourStart: '2026-11-27T06:00:00+05:30',
      localHour: 6,
      count: 1,
      gross: '2.00',
    });
    expect(body.hours.reduce((n, h) => n + h.count, 0)).toBe(7);
  });

  it('answers a rerun with the same hours, and the superseded run with 409', async () => {
    const again = await runClearing(t.pool, { day, staff: 'alice', now: afterCutoff(day) });
    expect(again.outputHash).toBe(first.outputHash);
    const before = await hoursOf(built, again.id);
    expect(before.status).toBe(200);
    expect(before.body.hours).toHaveLength(6);
    const old = await hoursOf(built, first.id);
    expect(old.status).toBe(409);
    expect(old.body.code).toBe('CONFLICT');
  });

  it('answers an unknown run with 404', async () => {
    const res = await hoursOf(built, '00000000-0000-4000-8000-000000000000');
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('CLEARING_RUN_NOT_FOUND');
  });
});
