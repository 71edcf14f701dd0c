import { randomBytes, randomUUID } from 'node:crypto';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool, migrate, withTransaction } from '@citycard/core/db';
import { Amount } from '@citycard/core/money';
import { service } from '../service.js';
import {
  insertStateChange,
  listStateChanges,
  setCardState,
  writeIssue,
  type CardRow,
} from './card.repository.js';
import { appendHotlist, hotlistSince, isHotlisted } from './hotlist.repository.js';
import { postShadowEntry, shadowBalance } from './shadow-balance.js';
import { insertBatch, insertStockCards } from './stock.repository.js';

// The cards migrations on their own (cards, and what personalisation adds to them), in a schema
// of their own, with stand-ins for the tables they point at (staff, cardholders, counters): the
// SQL layer is tested without the rest of the service.
let pool: pg.Pool;
let dir: string;
const staffId = randomUUID();
const holderId = randomUUID();
const now = new Date('2030-02-28T20:00:00Z');

beforeAll(async () => {
  const schema = `cards_${randomBytes(4).toString('hex')}`;
  dir = await mkdtemp(join(tmpdir(), 'cards-migrations-'));
  await writeFile(
    join(dir, '0001_stand_ins.sql'),
    `CREATE TABLE staff (id uuid PRIMARY KEY); CREATE TABLE cardholders (id uuid PRIMARY KEY);
     CREATE TABLE counters (id uuid PRIMARY KEY);`,
  );
  for (const file of ['0006_cards.sql', '0007_keys_agents_plans.sql']) {
    await copyFile(join(service.migrations.dir, file), join(dir, file));
  }
  const url = new URL(process.env.DATABASE_URL ?? '');
  url.searchParams.set('options', `-c search_path=${schema},public`);
  pool = createPool({ url: url.toString(), applicationName: 'cards-repository-test' });
  await migrate(pool, [{ schema, dir }]);
  await pool.query('INSERT INTO staff (id) VALUES ($1)', [staffId]);
  await pool.query('INSERT INTO cardholders (id) VALUES ($1)', [holderId]);
});

afterAll(async () => {
  await pool?.end();
  await rm(dir, { recursive: true, force: true });
});

const uid = () => randomBytes(7).toString('hex').toUpperCase();

async function stockCard(): Promise<string> {
  const batch = { id: randomUUID(), importedBy: staffId, lineCount: 1, requestId: 'r1', at: now };
  const u = uid();
  await withTransaction(pool, async (tx) => {
    await insertBatch(tx, batch);
    await insertStockCards(tx, batch, [u]);
  });
  const { rows } = await pool.query<{ id: string }>('SELECT id FROM cards WHERE uid = $1', [u]);
  return rows[0]?.id ?? '';
}

async function activeCard(): Promise<CardRow> {
  const id = await stockCard();
  const serial = randomBytes(4).readUInt32BE() % 1_000_000_000;
  const cardNumber = `310001${String(serial).padStart(9, '0')}0`;
  await writeIssue(
    pool,
    id,
    {
      cardNumber,
      productCode: 'standard',
      cardholderId: holderId,
      deposit: '20.00',
      validityYears: 10,
      replaces: null,
    },
    now,
  );
  return setCardState(pool, id, 'active', now);
}

const fen = (n: bigint) => Amount.fromFen(n);

describe('stock cards', () => {
  it('stores cards in stock with a first history row, and names the UIDs already taken', async () => {
    const taken = uid();
    const fresh = uid();
    const batch = { id: randomUUID(), importedBy: staffId, lineCount: 1, requestId: 'r', at: now };
    await insertBatch(pool, batch);
    expect(await insertStockCards(pool, batch, [taken])).toEqual(new Set());
    const batch2 = { ...batch, id: randomUUID(), lineCount: 2 };
    await insertBatch(pool, batch2);
    expect(await insertStockCards(pool, batch2, [taken, fresh])).toEqual(new Set([taken]));
    const { rows } = await pool.query<{ id: string; state: string }>(
      'SELECT id, state FROM cards WHERE uid = $1',
      [fresh],
    );
    expect(rows[0]?.state).toBe('stock');
    expect(await listStateChanges(pool, rows[0]?.id ?? '')).toMatchObject([
      { seq: 1, fromState: null, toState: 'stock', command: 'import', staffId },
    ]);
  });

  it('sets the expiry from the Shanghai calendar day of issue', async () => {
    const card = await activeCard();
    // 20:00 UTC on 28 February is already 1 March in Shanghai.
    expect(card.expiresOn).toBe('2040-03-01');
    expect(card.state).toBe('active');
  });

  it('keeps state changes append-only and numbers them per card', async () => {
    const card = await activeCard();
    const change = {
      fromState: 'active' as const,
      toState: 'frozen' as const,
      command: 'freeze' as const,
      reason: null,
      staffId,
      requestId: 'r2',
      at: now,
    };
    await insertStateChange(pool, card.id, change);
    await insertStateChange(pool, card.id, { ...change, fromState: 'frozen', toState: 'active' });
    expect((await listStateChanges(pool, card.id)).map((c) => c.seq)).toEqual([1, 2, 3]);
    await expect(
      pool.query('UPDATE card_state_changes SET reason = $2 WHERE card_id = $1', [card.id, 'x']),
    ).rejects.toThrow(/append-only/);
    await expect(
      pool.query('DELETE FROM card_state_changes WHERE card_id = $1', [card.id]),
    ).rejects.toThrow(/append-only/);
  });
});

describe('shadow balance', () => {
  it('adds up loads and debits and refuses a result below zero or above the maximum', async () => {
    const card = await activeCard();
    const post = (kind: 'load' | 'debit', amount: Amount) =>
      postShadowEntry(pool, { cardId: card.id, kind, amount, reference: `t-${randomUUID()}` });
    expect((await post('load', fen(10_000n))).balanceAfter.toString()).toBe('100.00');
    expect((await post('debit', fen(3_050n))).amount.toString()).toBe('-30.50');
    await expect(post('debit', fen(6_951n))).rejects.toMatchObject({
      code: 'SHADOW_BALANCE_NEGATIVE',
    });
    await expect(post('load', fen(93_051n))).rejects.toMatchObject({
      code: 'SHADOW_BALANCE_ABOVE_MAX',
      details: { maxBalance: '1000.00' },
    });
    expect((await post('load', fen(93_050n))).balanceAfter.toString()).toBe('1000.00');
    await expect(post('load', Amount.zero)).rejects.toMatchObject({ code: 'AMOUNT_OUT_OF_RANGE' });
    expect((await shadowBalance(pool, card.id)).toString()).toBe('1000.00');
    const { rows } = await pool.query<{ n: string }>(
      'SELECT count(*) AS n FROM shadow_balance_entries WHERE card_id = $1',
      [card.id],
    );
    expect(rows[0]?.n).toBe('3');
  });

  it('takes loads only on an active card but records money leaving any issued card', async () => {
    const card = await activeCard();
    await postShadowEntry(pool, {
      cardId: card.id,
      kind: 'load',
      amount: fen(500n),
      reference: 'a',
    });
    await setCardState(pool, card.id, 'blocked', now);
    await expect(
      postShadowEntry(pool, { cardId: card.id, kind: 'load', amount: fen(1n), reference: 'b' }),
    ).rejects.toMatchObject({ code: 'SHADOW_ENTRY_REFUSED', details: { state: 'blocked' } });
    const debit = await postShadowEntry(pool, {
      cardId: card.id,
      kind: 'debit',
      amount: fen(200n),
      reference: 'late tap',
    });
    expect(debit.balanceAfter.toString()).toBe('3.00');
    const stock = await stockCard();
    expect(await shadowBalance(pool, stock)).toEqual(Amount.zero);
    await expect(
      postShadowEntry(pool, {
        cardId: stock,
        kind: 'transfer_in',
        amount: fen(1n),
        reference: 'c',
      }),
    ).rejects.toMatchObject({ code: 'SHADOW_ENTRY_REFUSED' });
    await expect(
      pool.query('DELETE FROM shadow_balance_entries WHERE card_id = $1', [card.id]),
    ).rejects.toThrow(/append-only/);
  });

  it('lets a decrease through after the maximum was lowered', async () => {
    const card = await activeCard();
    await withTransaction(pool, async (tx) => {
      await postShadowEntry(tx, {
        cardId: card.id,
        kind: 'load',
        amount: fen(90_000n),
        reference: 'x',
      });
      await tx.query("UPDATE products SET max_balance = 500.00 WHERE code = 'standard'");
      const d = await postShadowEntry(tx, {
        cardId: card.id,
        kind: 'debit',
        amount: fen(100n),
        reference: 'y',
      });
      expect(d.balanceAfter.toString()).toBe('899.00');
      await expect(
        postShadowEntry(tx, { cardId: card.id, kind: 'load', amount: fen(1n), reference: 'z' }),
      ).rejects.toMatchObject({ code: 'SHADOW_BALANCE_ABOVE_MAX' });
      // Undo the product change: the rest of this file expects the seeded maximum.
      throw new Error('rollback');
    }).catch((err: unknown) => {
      if (!(err instanceof Error) || err.message !== 'rollback') throw err;
    });
  });
});

describe('hotlist', () => {
  it('versions entries, serves them after a version through the contract view', async () => {
    const card = await activeCard();
    const base = { cardId: card.id, cardNumber: card.cardNumber, uid: card.uid, at: now };
    const v1 = await appendHotlist(pool, { ...base, action: 'add', reason: 'frozen' });
    expect(await isHotlisted(pool, card.id)).toBe(true);
    const v2 = await appendHotlist(pool, { ...base, action: 'remove', reason: 'unfrozen' });
    expect(BigInt(v2)).toBeGreaterThan(BigInt(v1));
    expect(await isHotlisted(pool, card.id)).toBe(false);
    const since = await hotlistSince(pool, (BigInt(v1) - 1n).toString(), 10);
    expect(since.filter((e) => e.uid === card.uid)).toMatchObject([
      { version: v1, cardNumber: card.cardNumber, action: 'add', reason: 'frozen' },
      { version: v2, action: 'remove', reason: 'unfrozen' },
    ]);
    const { rows } = await pool.query<Record<string, unknown>>(
      'SELECT * FROM hotlist_contract WHERE version = $1',
      [v1],
    );
    expect(Object.keys(rows[0] ?? {}).sort()).toEqual(
      ['action', 'card_number', 'created_at', 'reason', 'uid', 'version'].sort(),
    );
    await expect(pool.query('DELETE FROM hotlist WHERE version = $1', [v1])).rejects.toThrow(
      /append-only/,
    );
  });
});

describe('balance transfers', () => {
  it('are released once and never changed or removed', async () => {
    const from = await activeCard();
    const to = await activeCard();
    const id = randomUUID();
    await pool.query(
      `INSERT INTO balance_transfers (id, from_card_id, to_card_id, hold_until, created_at)
       VALUES ($1, $2, $3, $4, $4)`,
      [id, from.id, to.id, now],
    );
    const release = `UPDATE balance_transfers SET released_at = $2, released_amount = 1.00,
      released_by = $3 WHERE id = $1`;
    await pool.query(release, [id, now, staffId]);
    await expect(pool.query(release, [id, now, staffId])).rejects.toThrow(/released, once/);
    await expect(pool.query('DELETE FROM balance_transfers WHERE id = $1', [id])).rejects.toThrow(
      /released, once/,
    );
  });
});
