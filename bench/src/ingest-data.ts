import { randomBytes, randomInt } from 'node:crypto';
import type pg from 'pg';
import { deriveKeyId, seal } from '@citycard/core/crypto';
import {
  GENESIS_HASH,
  buildBatch,
  signRecord,
  type Batch,
  type TransactionRecord,
} from '@citycard/terminal-sdk/protocol';
import { macKeyAad } from '@citycard/transaction-gateway/terminals';

/** The bench's terminals, cards and records, written as enrolment and a counter leave them. */
export const OPERATOR = 'bench-retail';

export interface Terminal {
  readonly id: string;
  readonly macKey: Buffer;
  sequence: number;
}
export interface Card {
  readonly cardNumber: string;
  readonly uid: string;
  counter: number;
  balanceFen: number;
}

/** An operator and enrolled terminals, written as enrolment leaves them (keys sealed). */
export async function enrolOperator(db: pg.Pool): Promise<void> {
  await db.query(
    `INSERT INTO gateway.operators (id, name, kind, card_code) VALUES ($1, 'Bench retail', 'retail', 9001)`,
    [OPERATOR],
  );
}

export async function enrolTerminals(
  db: pg.Pool,
  kek: Buffer,
  prefix: string,
  count: number,
): Promise<Terminal[]> {
  const terminals: Terminal[] = [];
  for (let i = 1; i <= count; i++) {
    const t = { id: `${prefix}${i}`, macKey: randomBytes(16), sequence: 0 };
    const sealed = seal(t.macKey, { id: deriveKeyId(kek), key: kek }, macKeyAad(t.id));
    await db.query(
      `INSERT INTO gateway.terminals (id, operator_id, status, certificate_pem, mac_key_id,
         mac_key_sealed, enrolled_at) VALUES ($1, $2, 'enrolled', 'bench', 'k1', $3, now())`,
      [t.id, OPERATOR, sealed],
    );
    await db.query('INSERT INTO gateway.terminal_ingest_state (terminal_id) VALUES ($1)', [t.id]);
    terminals.push(t);
  }
  return terminals;
}

const fen = (n: number): string => `${Math.floor(n / 100)}.${String(n % 100).padStart(2, '0')}`;

/** A purchase of 0.10 on the card: its counter and balance move as a real tap moves them. */
export function purchase(t: Terminal, card: Card): TransactionRecord {
  card.counter += 1;
  card.balanceFen -= 10;
  t.sequence += 1;
  return signRecord(
    {
      v: 1,
      terminalId: t.id,
      sequence: t.sequence,
      type: 'purchase',
      cardNumber: card.cardNumber,
      uid: card.uid,
      purseCounter: card.counter,
      amount: '0.10',
      balanceBefore: fen(card.balanceFen + 10),
      balanceAfter: fen(card.balanceFen),
      occurredAt: new Date().toISOString(),
      operatorId: OPERATOR,
      location: { shopId: 'bench-shop' },
    },
    t.macKey,
  );
}

/** Each terminal has cards of its own, so every counter arrives in order and is accepted. */
export function batchesFor(
  t: Terminal,
  index: number,
  cards: readonly Card[],
  shape: { terminalCount: number; batchesPerTerminal: number },
): Batch[] {
  const { terminalCount, batchesPerTerminal } = shape;
  const mine = cards.filter((_, i) => i % terminalCount === index);
  const batches: Batch[] = [];
  let prevHash = GENESIS_HASH;
  for (let b = 1; b <= batchesPerTerminal; b++) {
    const n = randomInt(200, 501);
    const records = Array.from({ length: n }, (_, i) => purchase(t, mine[i % mine.length] as Card));
    const batch = buildBatch({
      terminalId: t.id,
      batchSequence: b,
      macKeyId: 'k1',
      macKey: t.macKey,
      prevHash,
      records,
      skipped: [],
      createdAt: new Date().toISOString(),
    });
    prevHash = batch.headHash;
    batches.push(batch);
  }
  return batches;
}
