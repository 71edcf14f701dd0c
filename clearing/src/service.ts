import { fileURLToPath } from 'node:url';
import type { MigrationSource } from '@citycard/core/db';

/** What the platform needs to know to migrate and serve this service. */
export const service = {
  name: 'clearing',
  schema: 'clearing',
  defaultPort: 8083,
  migrations: {
    schema: 'clearing',
    // src/ and dist/ sit at the same depth, so this holds for sources and build output alike.
    dir: fileURLToPath(new URL('../migrations', import.meta.url)),
  } satisfies MigrationSource,
} as const;
