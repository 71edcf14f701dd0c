import { fileURLToPath } from 'node:url';
import type { MigrationSource } from '@citycard/core/db';

/** What the platform needs to know to migrate and serve this service. */
export const service = {
  name: 'card-issuance',
  schema: 'issuance',
  defaultPort: 8081,
  migrations: {
    schema: 'issuance',
    // src/ and dist/ sit at the same depth, so this holds for sources and build output alike.
    dir: fileURLToPath(new URL('../migrations', import.meta.url)),
  } satisfies MigrationSource,
} as const;
