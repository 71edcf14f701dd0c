import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { createPool } from './index.js';

const url = process.env.DATABASE_URL ?? '';
const schema = `pool_test_${randomBytes(4).toString('hex')}`;
const pool = createPool({ url, applicationName: 'pool-test', searchPath: [schema, 'public'] });

afterAll(async () => {
  await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await pool.end();
});

describe('createPool', () => {
  it("puts the service's schema first on every connection's search path", async () => {
    await pool.query(`CREATE SCHEMA ${schema}`);
    await pool.query('CREATE TABLE things (amount numeric(18,2), n bigint)');
    await pool.query("INSERT INTO things VALUES ('1234567890123456.78', 9007199254740993)");
    const { rows } = await pool.query<{ amount: string; n: string; schema: string }>(
      `SELECT amount, n, (SELECT table_schema FROM information_schema.tables WHERE table_name = 'things' AND table_schema = '${schema}') AS schema FROM things`,
    );
    expect(rows).toEqual([{ amount: '1234567890123456.78', n: '9007199254740993', schema }]);
  });

  it('refuses a search path that is not a list of plain schema names', () => {
    expect(() =>
      createPool({ url, applicationName: 'x', searchPath: ['a; DROP TABLE x'] }),
    ).toThrow(/invalid schema/);
  });
});
