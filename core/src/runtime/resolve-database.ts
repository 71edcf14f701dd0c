import { startEmbeddedPostgres, type EmbeddedReuse, type RuntimeLog } from './embedded-postgres.js';

export interface ResolveDatabaseOptions {
  databaseUrl?: string | undefined;
  /** Where the embedded server keeps its data when no URL is given. */
  dataDir: string;
  log?: RuntimeLog;
}

export interface ResolvedDatabase {
  url: string;
  embedded: boolean;
  reused?: EmbeddedReuse;
  /** Stops the embedded server; does nothing for an external database. */
  stop(): Promise<void>;
}

/** An explicit DATABASE_URL wins; without one the platform runs on its own embedded PostgreSQL. */
export async function resolveDatabase(options: ResolveDatabaseOptions): Promise<ResolvedDatabase> {
  const url = options.databaseUrl?.trim();
  if (url) return { url, embedded: false, stop: () => Promise.resolve() };
  const server = await startEmbeddedPostgres({
    dataDir: options.dataDir,
    ...(options.log ? { log: options.log } : {}),
  });
  return { url: server.url, embedded: true, reused: server.reused, stop: () => server.stop() };
}
