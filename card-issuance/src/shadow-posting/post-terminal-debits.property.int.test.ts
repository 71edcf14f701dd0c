import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Amount, parseAmount } from '@citycard/core/money';
import { postTerminalDebits } from './post-terminal-debits.js';
import {
  balanceOf,
  createPostingTestDb,
  entriesOf,
  freshTerminal,
  insertGatewayRecords,
  loadCard,
  makeCards,
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

const ROUNDS = 4;

interface Move {
  /** load at a counter; debit or fare refund from a terminal. */
  readonly kind: 'load' | 'debit' | 'fare_refund';
  readonly card: number;
  readonly fen: number;
  /** The posting round before which it arrives. */
  readonly round: number;
  /** Minutes into the day it happened on the card. */
  readonly minute: number;
  /** Stamped long before its transaction committed: only a full pass sees it. */
  readonly stale: boolean;
}

const moveArb = (cards: number): fc.Arbitrary<Move> =>
  fc.record({
    kind: fc.constantFrom(
      'load' as const,
      'debit' as const,
      'debit' as const,
      'fare_refund' as const,
    ),
    card: fc.nat({ max: cards - 1 }),
    fen: fc.integer({ min: 1, max: 5_000 }),
    round: fc.nat({ max: ROUNDS - 1 }),
    minute: fc.nat({ max: 1_439 }),
    stale: fc.nat({ max: 4 }).map((x) => x === 0),
  });

const scenarioArb = fc.integer({ min: 1, max: 4 }).chain((cards) =>
  fc.record({
    cards: fc.constant(cards),
    moves: fc.array(moveArb(cards), { minLength: 1, maxLength: 40 }),
    limit: fc.integer({ min: 1, max: 8 }),
  }),
);

function signedFen(m: Move): bigint {
  return m.kind === 'debit' ? -BigInt(m.fen) : BigInt(m.fen);
}

async function checkChain(cardId: string): Promise<void> {
  const entries = await entriesOf(t.pool, cardId);
  let balance = 0n;
  entries.forEach((e, i) => {
    expect(e.seq).toBe(i + 1);
    balance += parseAmount(e.amount, { allowNegative: true }).toFen();
    expect(e.balanceAfter).toBe(Amount.fromFen(balance).toString());
  });
}

describe('posting property', () => {
  it('ends every card at Σ loads − Σ debits with each record posted once', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async ({ cards: n, moves, limit }) => {
        const cards = await makeCards(t.pool, n);
        const terminal = freshTerminal();
        const day = Date.UTC(2026, 4, 1);
        const records = moves.map((m, i) => ({ m, sequence: i + 1 }));
        const post = (full: boolean) =>
          postAll(() => postTerminalDebits(t.pool, { limit, full, lookbackSeconds: 60 }));
        for (let round = 0; round < ROUNDS; round++) {
          const now = records.filter((r) => r.m.round === round);
          for (const { m } of now.filter((r) => r.m.kind === 'load')) {
            await loadCard(
              t.pool,
              cards[m.card]?.id ?? '',
              Amount.fromFen(BigInt(m.fen)).toString(),
            );
          }
          const arriving: GatewayRecord[] = now
            .filter((r) => r.m.kind !== 'load')
            .map(({ m, sequence }) => ({
              terminalId: terminal,
              sequence,
              cardNumber: cards[m.card]?.cardNumber ?? '',
              amount: Amount.fromFen(-signedFen(m)).toString(),
              occurredAt: new Date(day + m.minute * 60_000),
              ...(m.stale ? { receivedAt: new Date(Date.now() - 2 * 3600_000) } : {}),
            }));
          await insertGatewayRecords(t.pool, arriving);
          await post(false);
        }
        await post(true);

        for (const [i, card] of cards.entries()) {
          const total = moves.filter((m) => m.card === i).reduce((s, m) => s + signedFen(m), 0n);
          expect(await balanceOf(t.pool, card.id)).toBe(Amount.fromFen(total).toString());
          await checkChain(card.id);
        }
        const { rows } = await t.pool.query<{ n: number; distinct_n: number }>(
          `SELECT count(*)::int AS n, count(DISTINCT sequence)::int AS distinct_n
             FROM shadow_balance_entries WHERE terminal_id = $1`,
          [terminal],
        );
        const terminalMoves = moves.filter((m) => m.kind !== 'load').length;
        expect(rows[0]).toEqual({ n: terminalMoves, distinct_n: terminalMoves });
      }),
      { numRuns: 40 },
    );
  });
});
