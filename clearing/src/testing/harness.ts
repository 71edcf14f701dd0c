import { fileURLToPath } from 'node:url';
import {
  createScratchDatabase,
  type MigrationSource,
  type ScratchDatabase,
} from '@citycard/core/db';
import { service } from '../service.js';

// Services never import each other: the harness applies their migrations from the folders.
// src/testing and dist/testing sit at the same depth, so these hold for both.
const folder = (pkg: string): string =>
  fileURLToPath(new URL(`../../../${pkg}/migrations`, import.meta.url));

/** Every migration clearing's contracts rest on, in the order they must be applied. */
export const CLEARING_TEST_MIGRATIONS: readonly MigrationSource[] = [
  { schema: 'issuance', dir: folder('card-issuance') },
  { schema: 'gateway', dir: folder('transaction-gateway') },
  service.migrations,
];

export type ClearingTestDb = ScratchDatabase;

function serverUrl(): string {
  const url = process.env.DATABASE_URL?.trim();
  if (!url) throw new Error('DATABASE_URL is not set: run the integration project');
  return url;
}

/**
 * A database of its own with issuance, gateway and clearing migrated. A clearing run takes every
 * uncleared transaction of the database, so tests never share one; close() drops it. Connections
 * see clearing first on their search_path; other schemas are named in full.
 */
export function createClearingTestDb(): Promise<ClearingTestDb> {
  return createScratchDatabase({
    serverUrl: serverUrl(),
    prefix: 'clearing_test',
    applicationName: 'citycard-clearing-test',
    searchPath: ['clearing', 'public'],
    migrations: CLEARING_TEST_MIGRATIONS,
  });
}
