import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { jobsOf, sleep } from './outbox-relay.js';

const card = (n: number): string => `3100${String(n).padStart(12, '0')}`;
const row = (id: number, payload: unknown, topic = 'record.stored') => ({
  id: String(id),
  topic,
  payload,
});

describe('jobsOf', () => {
  it('merges rows that name their cards into card jobs, and passes the others on', () => {
    const jobs = jobsOf([
      row(1, { terminalId: 'T1', sequences: [1], cardNumbers: [card(1)] }),
      row(2, { terminalId: 'T2', sequences: [7], cardNumbers: [card(2)] }),
      row(3, { terminalId: 'T1', batchSeq: 4 }, 'batch.stored'),
      row(4, { terminalId: 'T1', sequences: [2], cardNumbers: [card(1)] }),
    ]);
    expect(jobs).toEqual([
      { name: 'batch.stored', data: { terminalId: 'T1', batchSeq: 4 }, jobId: 'outbox-3' },
      { name: 'cards.changed', data: { cardNumbers: [card(1), card(2)] }, jobId: 'outbox-1-4' },
    ]);
  });

  it('keeps each job to about a hundred cards, and every card in some job', () => {
    const rows = Array.from({ length: 250 }, (_, i) =>
      row(i + 1, { terminalId: 'T', sequences: [i + 1], cardNumbers: [card(i)] }),
    );
    const jobs = jobsOf(rows);
    expect(jobs.map((j) => (j.data as { cardNumbers: string[] }).cardNumbers.length)).toEqual([
      100, 100, 50,
    ]);
    expect(new Set(jobs.map((j) => j.jobId)).size).toBe(3);
    expect(jobs.flatMap((j) => (j.data as { cardNumbers: string[] }).cardNumbers)).toEqual(
      rows.map((_, i) => card(i)),
    );
  });
});

describe("the relay's idle wait", () => {
  it('leaves no abort listener behind, however many times the relay idles', async () => {
    const abort = new AbortController();
    for (let i = 0; i < 50; i++) await sleep(0, abort.signal);
    expect(getEventListeners(abort.signal, 'abort')).toHaveLength(0);
  });

  it('ends early when the relay stops', async () => {
    const abort = new AbortController();
    const started = Date.now();
    const waiting = sleep(60_000, abort.signal);
    abort.abort();
    await waiting;
    expect(Date.now() - started).toBeLessThan(1000);
    expect(getEventListeners(abort.signal, 'abort')).toHaveLength(0);
  });
});
