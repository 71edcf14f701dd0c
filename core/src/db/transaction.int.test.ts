import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { isAppError } from '../errors/index.js';
import { createPool, withTransaction } from './index.js';

let pool: pg.Pool;
const schema = `tx_${randomUUID().replaceAll('-', '').slice(0, 16)}`;

beforeAll(async () => {
  pool = createPool({
    url: process.env.DATABASE_URL ?? '',
    applicationName: 'citycard-test-tx',
    max: 4,
  });
  await pool.query(
    `CREATE SCHEMA ${schema}; CREATE TABLE ${schema}.acc (id int PRIMARY KEY, bal numeric(18,2))`,
  );
  await pool.query(`INSERT INTO ${schema}.acc VALUES (1, '100.00'), (2, '0.00')`);
});

afterAll(async () => {
  await pool.query(`DROP SCHEMA ${schema} CASCADE`);
  await pool.end();
});

const balance = async (id: number): Promise<string | undefined> =>
  (await pool.query<{ bal: string }>(`SELECT bal FROM ${schema}.acc WHERE id = $1`, [id])).rows[0]
    ?.bal;

describe('createPool', () => {
  it('returns numeric, numeric[] and int8 as exact strings and names the application', async () => {
    const { rows } = await pool.query<Record<string, unknown>>(
      `SELECT 0.10::numeric(18,2) + 0.20 AS n, ARRAY[0.1, 12345678901234567.89]::numeric[] AS na,
              9007199254740993::int8 AS big, current_setting('application_name') AS app`,
    );
    expect(rows[0]).toEqual({
      n: '0.30',
      na: ['0.1', '12345678901234567.89'],
      big: '9007199254740993',
      app: 'citycard-test-tx',
    });
  });
  it('survives an idle client whose connection is killed, and reconnects', async () => {
    const app = `citycard-test-idle-${randomUUID().slice(0, 8)}`;
    const warnings: string[] = [];
    const idle = createPool({
      url: process.env.DATABASE_URL ?? '',
      applicationName: app,
      log: { warn: (_o, m) => warnings.push(m) },
    });
    await idle.query('SELECT 1');
    await pool.query(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1',
      [app],
    );
    await expect.poll(() => warnings.length).toBeGreaterThan(0);
    expect((await idle.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    await idle.end();
  });
});

describe('withTransaction', () => {
  it('commits what fn did and returns its result', async () => {
    const out = await withTransaction(pool, async (tx) => {
      await tx.query(`UPDATE ${schema}.acc SET bal = bal - 10 WHERE id = 1`);
      await tx.query(`UPDATE ${schema}.acc SET bal = bal + 10 WHERE id = 2`);
      return 'moved';
    });
    expect(out).toBe('moved');
    expect([await balance(1), await balance(2)]).toEqual(['90.00', '10.00']);
  });

  it('rolls back and rethrows when fn throws', async () => {
    const boom = new Error('boom');
    await expect(
      withTransaction(pool, async (tx) => {
        await tx.query(`UPDATE ${schema}.acc SET bal = 0 WHERE id = 1`);
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(await balance(1)).toBe('90.00');
  });

  it('retries a serialization failure and then succeeds', async () => {
    let attempts = 0;
    const result = await withTransaction(
      pool,
      async (tx) => {
        attempts++;
        await tx.query(`SELECT bal FROM ${schema}.acc WHERE id = 2`);
        // A concurrent committed write to a row this serializable snapshot already read.
        if (attempts === 1) await pool.query(`UPDATE ${schema}.acc SET bal = bal + 1 WHERE id = 2`);
        await tx.query(`UPDATE ${schema}.acc SET bal = bal + 1 WHERE id = 2`);
        return attempts;
      },
      { isolation: 'serializable', retries: 3 },
    );
    expect(result).toBe(2);
    expect(await balance(2)).toBe('12.00');
  });

  it('gives up after the allowed retries with the PostgreSQL error', async () => {
    const err: unknown = await withTransaction(
      pool,
      async (tx) => {
        await tx.query(`SELECT bal FROM ${schema}.acc WHERE id = 2`);
        await pool.query(`UPDATE ${schema}.acc SET bal = bal + 0 WHERE id = 2`);
        await tx.query(`UPDATE ${schema}.acc SET bal = bal WHERE id = 2`);
      },
      { isolation: 'repeatable read', retries: 1 },
    ).catch((e: unknown) => e);
    expect((err as { code?: string }).code).toBe('40001');
  });

  it('turns an unreachable server into DB_UNAVAILABLE', async () => {
    const dead = createPool({
      url: 'postgres://postgres@127.0.0.1:1/none',
      applicationName: 'citycard-test-dead',
    });
    const err: unknown = await withTransaction(dead, () => Promise.resolve(1)).catch(
      (e: unknown) => e,
    );
    expect(isAppError(err) && err.code).toBe('DB_UNAVAILABLE');
    await dead.end();
  });
});
