import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@citycard/core/logging';
import { shadowPostingJob } from './shadow-posting.job.js';
import {
  balanceOf,
  createPostingTestDb,
  freshTerminal,
  insertGatewayRecords,
  makeCards,
  oneCard,
  type PostingTestDb,
} from './test-support.js';

let t: PostingTestDb;

beforeAll(async () => {
  t = await createPostingTestDb();
});
afterAll(async () => {
  await t?.close();
});

function captureLog(lines: string[]) {
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return createLogger({ name: 'test', level: 'info', destination });
}

describe('shadowPostingJob', () => {
  it('runs rounds until nothing waits and logs counts without card numbers', async () => {
    const cards = await makeCards(t.pool, 5);
    const terminal = freshTerminal();
    await insertGatewayRecords(
      t.pool,
      Array.from({ length: 25 }, (_, i) => ({
        terminalId: terminal,
        sequence: i + 1,
        cardNumber: cards[i % 5]?.cardNumber ?? '',
        amount: '0.10',
        occurredAt: new Date(Date.UTC(2026, 2, 2, 9, 0, i)),
      })),
    );
    const lines: string[] = [];
    const result = await shadowPostingJob(
      { db: t.pool, log: captureLog(lines) },
      { limit: 10, full: true },
    );
    expect(result).toMatchObject({ rounds: 3, drained: true, posted: 25, debits: 25, busy: false });
    const text = lines.join('');
    expect(text).toContain('"posted":25');
    expect(text).toContain('"negativeCards":5');
    for (const c of cards) expect(text).not.toContain(c.cardNumber);
  });

  it('reaches a record stamped hours before it committed only in a sweep', async () => {
    const { card, tap } = await oneCard(t.pool);
    await insertGatewayRecords(t.pool, [
      tap(1, '0.40', '2026-03-02T06:00:00Z', { receivedAt: new Date(Date.now() - 5 * 3600_000) }),
    ]);
    const deps = { db: t.pool, log: captureLog([]) };
    // The previous job's full pass counts as a sweep, so the next one is an hour away.
    expect(await shadowPostingJob(deps, {})).toMatchObject({ sweep: false, posted: 0 });
    expect(await shadowPostingJob(deps, { sweep: true })).toMatchObject({ sweep: true, posted: 1 });
    expect(await balanceOf(t.pool, card.id)).toBe('-0.40');
  });
});
