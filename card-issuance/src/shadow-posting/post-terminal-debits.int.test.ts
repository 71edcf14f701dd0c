import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postTerminalDebits } from './post-terminal-debits.js';
import {
  balanceOf,
  createPostingTestDb,
  entriesOf,
  insertGatewayRecords,
  loadCard,
  oneCard,
  postAll,
  releaseRecord,
  type PostingTestDb,
} from './test-support.js';

let t: PostingTestDb;

beforeAll(async () => {
  t = await createPostingTestDb();
});
afterAll(async () => {
  await t?.close();
});

const post = (limit = 10_000, full = false) => postTerminalDebits(t.pool, { limit, full });
const drain = (limit = 10_000, full = false) => postAll(() => post(limit, full));
const hoursAgo = (h: number) => new Date(Date.now() - h * 3600_000);

describe('postTerminalDebits', () => {
  it('posts each accepted record to its card, to the fen, in the order the money moved', async () => {
    const { card, terminal, tap } = await oneCard(t.pool);
    await loadCard(t.pool, card.id, '50.00');
    // Arrival order is not the order on the card: sequence 2 happened first.
    await insertGatewayRecords(t.pool, [
      tap(1, '3.10', '2026-03-02T08:10:00Z'),
      tap(2, '0.01', '2026-03-02T08:00:00Z'),
      tap(3, '-1.20', '2026-03-02T08:20:00Z'),
      tap(4, '0.00', '2026-03-02T08:30:00Z', { type: 'card_blocked' }),
    ]);

    expect(await drain()).toBe(3);

    expect(await balanceOf(t.pool, card.id)).toBe('48.09');
    const entries = await entriesOf(t.pool, card.id);
    expect(entries.map((e) => [e.seq, e.kind, e.amount, e.balanceAfter, e.sequence])).toEqual([
      [1, 'load', '50.00', '50.00', null],
      [2, 'debit', '-0.01', '49.99', '2'],
      [3, 'debit', '-3.10', '46.89', '1'],
      [4, 'fare_refund', '1.20', '48.09', '3'],
    ]);
    const { rows } = await t.pool.query<{ kind: string; terminal_id: string | null; ref: string }>(
      `SELECT kind, terminal_id, reference AS ref FROM shadow_entry_contract WHERE card_id = $1`,
      [card.id],
    );
    const terminalRows = rows.filter((r) => r.kind !== 'load');
    expect(terminalRows.every((r) => r.terminal_id === terminal)).toBe(true);
    expect(terminalRows.map((r) => r.ref).sort()).toEqual(
      [1, 2, 3].map((n) => `tx:${terminal}:${n}`),
    );
    // Nothing is waiting any more, and the zero-fare record is never taken.
    expect(await post()).toMatchObject({ taken: 0, posted: 0, drained: true });
  });

  it('posts a record accepted after later ones once, carrying the balance on', async () => {
    const { card, terminal, tap } = await oneCard(t.pool);
    await loadCard(t.pool, card.id, '20.00');
    await insertGatewayRecords(t.pool, [tap(5, '2.00', '2026-03-03T09:00:00Z')]);
    await drain();
    // An offline terminal uploads a day later what happened before; a quarantined record is
    // released later still.
    await insertGatewayRecords(t.pool, [
      tap(1, '1.50', '2026-03-02T09:00:00Z'),
      tap(2, '0.70', '2026-03-02T10:00:00Z', { status: 'quarantined' }),
    ]);
    expect(await drain()).toBe(1);
    await releaseRecord(t.pool, terminal, 2);
    expect(await drain()).toBe(1);
    expect(await drain()).toBe(0);

    expect(await balanceOf(t.pool, card.id)).toBe('15.80');
    const entries = await entriesOf(t.pool, card.id);
    expect(entries.map((e) => [e.seq, e.balanceAfter, e.sequence])).toEqual([
      [1, '20.00', null],
      [2, '18.00', '5'],
      [3, '16.50', '1'],
      [4, '15.80', '2'],
    ]);
  });

  it('leaves a record committed long after its stamp to a full pass, which posts it once', async () => {
    const { card, tap } = await oneCard(t.pool);
    await loadCard(t.pool, card.id, '10.00');
    await drain();
    await insertGatewayRecords(t.pool, [
      tap(1, '4.00', '2026-01-01T00:00:00Z', { receivedAt: hoursAgo(3) }),
    ]);
    expect(await drain()).toBe(0);
    expect(await drain(10_000, true)).toBe(1);
    expect(await drain(10_000, true)).toBe(0);
    expect(await balanceOf(t.pool, card.id)).toBe('6.00');
  });

  it('notes a record whose card issuance never issued, once, and goes on with the rest', async () => {
    const { terminal, tap } = await oneCard(t.pool);
    await insertGatewayRecords(t.pool, [
      tap(1, '2.00', '2026-03-02T08:00:00Z', { cardNumber: '9999990000000001' }),
      tap(2, '1.00', '2026-03-02T08:01:00Z'),
    ]);
    expect(await post()).toMatchObject({ taken: 2, posted: 1, unknownCards: 1 });
    expect(await post(10_000, true)).toMatchObject({ taken: 0, unknownCards: 0 });
    const { rows } = await t.pool.query<{ reason: string; amount: string }>(
      `SELECT reason, amount::text AS amount FROM shadow_posting_exceptions WHERE terminal_id = $1`,
      [terminal],
    );
    expect(rows).toEqual([{ reason: 'unknown_card', amount: '2.00' }]);
  });

  it('records a debit past zero (a clone) and refuses any other decrease below zero', async () => {
    const { card, tap } = await oneCard(t.pool);
    await loadCard(t.pool, card.id, '5.00');
    await insertGatewayRecords(t.pool, [
      tap(1, '4.00', '2026-03-02T08:00:00Z'),
      tap(2, '4.00', '2026-03-02T08:05:00Z'),
    ]);
    const r = await post();
    expect(r).toMatchObject({ posted: 2, negativeCards: 1, negativeCardIds: [card.id] });
    expect(await balanceOf(t.pool, card.id)).toBe('-3.00');

    const refund = t.pool.query(
      `INSERT INTO shadow_balance_entries (card_id, seq, kind, amount, balance_after, reference, at)
       VALUES ($1, 4, 'refund', -1.00, -4.00, 'refund:test', now())`,
      [card.id],
    );
    await expect(refund).rejects.toMatchObject({ code: '23514' });
    // A load onto the card still lands, even where it leaves the card below zero.
    await loadCard(t.pool, card.id, '2.00');
    expect(await balanceOf(t.pool, card.id)).toBe('-1.00');
  });

  it('refuses a second entry for the same gateway record', async () => {
    const { card, terminal, tap } = await oneCard(t.pool);
    await insertGatewayRecords(t.pool, [tap(1, '1.00', '2026-03-02T08:00:00Z')]);
    await drain();
    const again = t.pool.query(
      `INSERT INTO shadow_balance_entries
         (card_id, seq, kind, amount, balance_after, reference, at, terminal_id, sequence)
       VALUES ($1, 2, 'debit', -1.00, -2.00, 'tx:again', now(), $2, 1)`,
      [card.id, terminal],
    );
    await expect(again).rejects.toMatchObject({ code: '23505' });
  });
});
