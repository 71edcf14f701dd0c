import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type pg from 'pg';
import { service } from '../service.js';
import { testPool } from './harness.js';

export interface IsolatedSchema {
  readonly schema: string;
  /** Every connection has the schema first on its search_path. */
  readonly db: pg.Pool;
  drop(): Promise<void>;
}

/**
 * A fresh schema holding only the staff and audit tables, for tests that tamper with the audit
 * chain: the shared issuance schema's chain must keep verifying for every other test.
 */
export async function isolatedAuditSchema(): Promise<IsolatedSchema> {
  const schema = `audit_test_${randomBytes(5).toString('hex')}`;
  const db = testPool(schema);
  await db.query(`CREATE SCHEMA ${schema}`);
  for (const file of ['0002_staff.sql', '0003_audit.sql']) {
    await db.query(await readFile(join(service.migrations.dir, file), 'utf8'));
  }
  return {
    schema,
    db,
    async drop() {
      await db.query(`DROP SCHEMA ${schema} CASCADE`);
      await db.end();
    },
  };
}
