import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTransaction } from '@citycard/core/db';
import { Amount } from '@citycard/core/money';
import { postShadowEntry } from '../cards/shadow-balance.js';
import { postTerminalDebits } from './post-terminal-debits.js';
import {
  balanceOf,
  createPostingTestDb,
  entriesOf,
  freshTerminal,
  insertGatewayRecords,
  loadCard,
  makeCards,
  oneCard,
  postAll,
  type GatewayRecord,
  type PostingTestDb,
} from './test-support.js';

let t: PostingTestDb;

beforeAll(async () => {
  t = await createPostingTestDb();
});
afterAll(async () => {
  await t?.close();
});

/** A poster that keeps going while others hold the lock, until a round of its own finds nothing. */
async function persistent(limit: number): Promise<number> {
  let total = 0;
  for (;;) {
    const r = await postTerminalDebits(t.pool, { limit });
    total += r.posted;
    if (r.drained) return total;
    if (r.busy) await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/** Five supervisor corrections of +1.00 each, every one under the card's row lock. */
async function correctFiveTimes(cardId: string): Promise<void> {
  for (let k = 0; k < 5; k++) {
    await withTransaction(t.pool, async (tx) => {
      await tx.query('SELECT 1 FROM cards WHERE id = $1 FOR UPDATE', [cardId]);
      await tx.query(
        `INSERT INTO shadow_balance_entries (card_id, seq, kind, amount, balance_after, reference, at)
         SELECT $1, last_seq + 1, 'correction', 1.00, balance + 1.00, $2, now()
           FROM shadow_balances WHERE card_id = $1`,
        [cardId, `correction:${cardId}:${k}`],
      );
    });
  }
}

describe('two postings at once, beside counter writes', () => {
  it('posts every record exactly once and every balance to the fen', async () => {
    const cards = await makeCards(t.pool, 40);
    const terminals = [freshTerminal(), freshTerminal(), freshTerminal()];
    const expectedFen = new Map(cards.map((c, i) => [c.id, i < 10 ? 500n : 0n]));
    const records: GatewayRecord[] = Array.from({ length: 3000 }, (_, i) => {
      const card = cards[i % cards.length];
      if (card === undefined) throw new Error('no card');
      const fen = BigInt((i * 37) % 500) + 1n;
      expectedFen.set(card.id, (expectedFen.get(card.id) ?? 0n) - fen);
      return {
        terminalId: terminals[i % 3] ?? 'T',
        sequence: i + 1,
        cardNumber: card.cardNumber,
        amount: Amount.fromFen(fen).toString(),
        occurredAt: new Date(Date.UTC(2026, 2, 2, 8, 0, i)),
      };
    });
    await insertGatewayRecords(t.pool, records);

    const corrections = Promise.all(cards.slice(0, 10).map((c) => correctFiveTimes(c.id)));
    const posted = await Promise.all([persistent(250), persistent(250), persistent(400)]);
    await corrections;
    const rest = await postAll(() => postTerminalDebits(t.pool, { limit: 10_000 }));
    expect(posted.reduce((a, b) => a + b, 0) + rest).toBe(records.length);

    const { rows } = await t.pool.query<{ n: number; distinct_n: number }>(
      `SELECT count(*)::int AS n, count(DISTINCT (terminal_id, sequence))::int AS distinct_n
         FROM shadow_balance_entries WHERE terminal_id = ANY($1::text[])`,
      [terminals],
    );
    expect(rows[0]).toEqual({ n: records.length, distinct_n: records.length });
    for (const c of cards) {
      const expected = Amount.fromFen(expectedFen.get(c.id) ?? 0n).toString();
      expect(await balanceOf(t.pool, c.id)).toBe(expected);
      const entries = await entriesOf(t.pool, c.id);
      expect(entries.map((e) => e.seq)).toEqual(entries.map((_, i) => i + 1));
    }
  });

  it('lets a counter load through postShadowEntry wait for a posting and land after it', async () => {
    const { card, tap } = await oneCard(t.pool);
    await insertGatewayRecords(t.pool, [tap(1, '0.50', '2026-03-02T08:00:00Z')]);
    await loadCard(t.pool, card.id, '1.00');
    const load = { cardId: card.id, kind: 'load' as const, reference: 'load:race' };
    const [posted] = await Promise.all([
      postAll(() => postTerminalDebits(t.pool, { limit: 10_000 })),
      withTransaction(t.pool, (tx) =>
        postShadowEntry(tx, { ...load, amount: Amount.fromFen(300n) }),
      ),
    ]);
    expect(posted).toBe(1);
    expect(await balanceOf(t.pool, card.id)).toBe('3.50');
  });
});
