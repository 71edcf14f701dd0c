import { fileURLToPath } from 'node:url';
import type { MigrationSource } from '@citycard/core/db';

/** What the platform needs to know to migrate and serve this service. */
export const service = {
  name: 'transaction-gateway',
  schema: 'gateway',
  defaultPort: 8082,
  /**
   * Each statement on the gateway's connections stops after this. A record is stamped received as
   * it is decided and written in one statement, so it is committed within about this long of its
   * stamp, or not at all: clearing's take relies on it (its look-back is far longer).
   */
  statementTimeoutMs: 60_000,
  migrations: {
    schema: 'gateway',
    // src/ and dist/ sit at the same depth, so this holds for sources and build output alike.
    dir: fileURLToPath(new URL('../migrations', import.meta.url)),
  } satisfies MigrationSource,
} as const;
