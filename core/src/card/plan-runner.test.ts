import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors/index.js';
import { TRANSPORT_KEY } from './access-bits.js';
import { hex } from './bytes.js';
import { planReportSchema, type CardPlan } from './plan.js';
import { runPlan } from './plan-runner.js';
import type { ClassicCardIo, KeyType } from './types.js';
import { VirtualClassicCard } from './virtual-card.js';

const UID = Buffer.from('04A1B2C3', 'hex');
const DATA = '00112233445566778899AABBCCDDEEFF';
const T = hex(TRANSPORT_KEY);

function plan(steps: CardPlan['steps']): CardPlan {
  return { planId: randomUUID(), uid: hex(UID), purpose: 'personalise', steps };
}

const writeAndRead = plan([
  { op: 'auth', block: 4, keyType: 'A', key: T },
  { op: 'write', block: 5, data: DATA },
  { op: 'read', block: 5, expect: DATA },
]);

describe('runPlan', () => {
  it('runs every step and reports what reads returned', async () => {
    const card = VirtualClassicCard.blank(UID);
    const clock = [new Date('2026-01-01T00:00:00Z'), new Date('2026-01-01T00:00:01Z')];
    const report = await runPlan(card, writeAndRead, { now: () => clock.shift() ?? new Date(0) });
    expect(planReportSchema.parse(report)).toEqual(report);
    expect(report.outcome).toBe('completed');
    expect(report.completedSteps).toBe(3);
    expect(report.steps[2]).toEqual({ index: 2, op: 'read', block: 5, status: 'done', data: DATA });
    expect(report.startedAt).toBe('2026-01-01T00:00:00.000Z');
    expect(report.finishedAt).toBe('2026-01-01T00:00:01.000Z');
  });

  it('sends nothing to a card with another UID', async () => {
    const card = VirtualClassicCard.blank(Buffer.from('04000001', 'hex'));
    const report = await runPlan(card, writeAndRead);
    expect(report.outcome).toBe('wrong_card');
    expect(report.completedSteps).toBe(0);
    expect(report.steps.every((s) => s.status === 'not_run')).toBe(true);
    expect(card.stats.commands).toBe(0);
  });

  it('throws PLAN_INVALID for a malformed plan, naming paths but no values', async () => {
    const bad = { ...writeAndRead, steps: [{ op: 'auth', block: 4, keyType: 'A', key: 'ff' }] };
    const error = await runPlan(VirtualClassicCard.blank(UID), bad as CardPlan).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('PLAN_INVALID');
    expect(JSON.stringify((error as AppError).details)).not.toContain('ff');
  });

  it('reports the card pulled at every possible step', async () => {
    for (let n = 0; n < writeAndRead.steps.length; n++) {
      const card = VirtualClassicCard.blank(UID);
      card.tearAfter(n);
      const report = await runPlan(card, writeAndRead);
      expect(report.outcome).toBe('card_removed');
      expect(report.completedSteps).toBe(n);
      expect(report.steps[n]?.status).toBe('failed');
      expect(report.steps[n]?.error?.code).toBe('CARD_REMOVED');
      expect(report.steps.slice(n + 1).every((s) => s.status === 'not_run')).toBe(true);
    }
  });

  it('maps failures to outcomes', async () => {
    const card = VirtualClassicCard.blank(UID);
    const wrongKey = plan([{ op: 'auth', block: 4, keyType: 'A', key: '000000000000' }]);
    expect((await runPlan(card, wrongKey)).outcome).toBe('auth_failed');
    const keyB = plan([
      { op: 'auth', block: 4, keyType: 'B', key: T },
      { op: 'read', block: 4 },
    ]);
    expect((await runPlan(card, keyB)).outcome).toBe('access_denied');
    const mismatch = plan([
      { op: 'auth', block: 4, keyType: 'A', key: T },
      { op: 'read', block: 5, expect: DATA },
    ]);
    const report = await runPlan(card, mismatch);
    expect(report.outcome).toBe('readback_mismatch');
    expect(report.steps[1]).toMatchObject({
      status: 'failed',
      data: '0'.repeat(32),
      error: { code: 'CARD_READBACK_MISMATCH' },
    });
    const unauthenticated = plan([{ op: 'read', block: 9 }]);
    expect((await runPlan(card, unauthenticated)).outcome).toBe('failed');
  });

  it('tries the fallback key when the first is refused', async () => {
    const card = VirtualClassicCard.blank(UID);
    const fallback = { keyType: 'A' as const, key: T };
    const steps: CardPlan['steps'] = [
      { op: 'auth', block: 4, keyType: 'B', key: 'B0B1B2B3B4B5', fallback },
      { op: 'auth', block: 8, keyType: 'A', key: T, fallback },
    ];
    const report = await runPlan(card, plan(steps));
    expect(report.outcome).toBe('completed');
    expect(report.steps.map((s) => s.usedFallback)).toEqual([true, false]);
  });

  it('stops before the next step when aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const report = await runPlan(VirtualClassicCard.blank(UID), writeAndRead, {
      signal: controller.signal,
    });
    expect(report.outcome).toBe('failed');
    expect(report.steps[0]?.error?.code).toBe('PLAN_ABORTED');
  });

  it('never throws for a card that fails strangely, and zeroes the keys it handed over', async () => {
    const seen: Buffer[] = [];
    const card: ClassicCardIo = {
      identity: { uid: UID, atr: Buffer.alloc(0), kind: 'mifare-classic-1k' },
      authenticate: (_block: number, _type: KeyType, key: Buffer) => {
        seen.push(key);
        return Promise.resolve();
      },
      readBlock: () => Promise.resolve(Buffer.alloc(16)),
      writeBlock: (_block: number, data: Buffer) => {
        seen.push(data);
        return Promise.reject(new Error('secret detail'));
      },
    };
    const report = await runPlan(card, writeAndRead);
    expect(report.outcome).toBe('failed');
    expect(report.steps[1]?.error?.code).toBe('CARD_COMMAND_FAILED');
    expect(JSON.stringify(report)).not.toContain('secret detail');
    expect(seen).toHaveLength(2);
    for (const b of seen) expect(b.every((x) => x === 0)).toBe(true);
  });
});
