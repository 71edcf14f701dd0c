import { createHash, randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import { pino } from 'pino';
import { createPool, migrate, withTransaction } from '@citycard/core/db';
import { createLogger } from '@citycard/core/logging';
import { buildIssuanceApp } from '../app.js';
import type { Role } from '../auth/roles.js';
import { createStaff } from '../auth/staff.js';
import { defaultSettings, type IssuanceDeps, type IssuanceSettings } from '../deps.js';
import type { IssuanceRouter } from '../routes.js';
import { service } from '../service.js';

export interface TestAppOptions {
  readonly settings?: Partial<IssuanceSettings>;
  /** Share rate limits through Redis (process.env.REDIS_URL) instead of process memory. */
  readonly redisUrl?: string;
  /** Level of the captured log lines; default debug so a test sees everything that is logged. */
  readonly logLevel?: string;
}

export interface SignInOptions {
  readonly branchId?: string;
  readonly counterId?: string;
  /** Extra roles beside the first one. */
  readonly moreRoles?: readonly Role[];
}

export interface SignedIn {
  readonly staffId: string;
  readonly username: string;
  readonly password: string;
  readonly token: string;
  readonly headers: Record<string, string>;
}

export interface IssuanceTestApp {
  readonly app: FastifyInstance;
  readonly router: IssuanceRouter;
  readonly deps: IssuanceDeps;
  /** Creates a fresh member of staff with this role and signs them in through POST /auth/login. */
  signIn(role: Role, opts?: SignInOptions): Promise<SignedIn>;
  /** Moves deps.clock forward; the database's own now() is not affected. */
  advanceClock(seconds: number): void;
  /** Every log line written so far by the app and by deps.log, as JSON lines. */
  logs(): string;
  /** Sends another app's log lines (the agent listener's) to the same capture as logs(). */
  captureLogsOf(app: FastifyInstance): void;
  close(): Promise<void>;
}

const ERROR_LEVEL = 50;

function captureStream(lines: string[]): Writable {
  return new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      const text = chunk.toString();
      lines.push(text);
      // Errors still reach the console, so a failing test shows why the app answered 500.
      if (levelOf(text) >= ERROR_LEVEL) process.stderr.write(text);
      done();
    },
  });
}

function levelOf(line: string): number {
  return Number(/"level":(\d+)/.exec(line)?.[1] ?? 0);
}

/**
 * The card master keys live in the shared test schema and outlast any one test app, so every
 * app seals and opens them under the same fixed key.
 */
export const TEST_CARD_KEY_KEK = {
  id: 'test-card-keys',
  key: createHash('sha256').update('citycard test card-key KEK').digest(),
} as const;

export function databaseUrl(): string {
  const url = process.env.DATABASE_URL?.trim();
  if (!url) throw new Error('DATABASE_URL is not set: run the integration project');
  return url;
}

/** A pool whose connections see `schema` first, as the service's queries expect. */
export function testPool(schema: string = service.schema): pg.Pool {
  return createPool({
    url: databaseUrl(),
    applicationName: 'citycard-issuance-test',
    searchPath: [schema, 'public'],
  });
}

async function migrated(): Promise<pg.Pool> {
  const pool = testPool();
  await migrate(pool, [service.migrations]);
  return pool;
}

/**
 * A card-issuance app on the integration database, migrated, with fresh random keys and a clock
 * the test can move. Every call makes its own staff, so tests running side by side never share
 * an account.
 */
export async function startIssuanceTestApp(options: TestAppOptions = {}): Promise<IssuanceTestApp> {
  const lines: string[] = [];
  const stream = captureStream(lines);
  const level = options.logLevel ?? 'debug';
  const db = await migrated();
  let offsetMs = 0;
  const deps: IssuanceDeps = {
    db,
    log: createLogger({ name: service.name, level, destination: stream }),
    piiKek: { id: `test-${randomBytes(4).toString('hex')}`, key: randomBytes(32) },
    blindIndexKey: randomBytes(32),
    cardKeyKek: TEST_CARD_KEY_KEK,
    clock: () => new Date(Date.now() + offsetMs),
    settings: { ...defaultSettings, ...options.settings },
    redisUrl: options.redisUrl,
  };
  const { app, router } = await buildIssuanceApp(deps, level);
  // Fastify built its own pino logger on stdout; point it (and its request children) at the capture.
  (app.log as unknown as Record<symbol, unknown>)[pino.symbols.streamSym] = stream;
  await app.ready();
  return {
    app,
    router,
    deps,
    signIn: (role, opts = {}) => signIn(app, deps, role, opts),
    advanceClock(seconds) {
      offsetMs += seconds * 1000;
    },
    logs: () => lines.join(''),
    captureLogsOf(other) {
      (other.log as unknown as Record<symbol, unknown>)[pino.symbols.streamSym] = stream;
    },
    async close() {
      await app.close();
      await db.end();
    },
  };
}

export const randomUsername = (prefix = 'staff'): string =>
  `${prefix}_${randomBytes(6).toString('hex')}`;

async function signIn(
  app: FastifyInstance,
  deps: IssuanceDeps,
  role: Role,
  opts: SignInOptions,
): Promise<SignedIn> {
  const username = randomUsername(role);
  const password = randomBytes(12).toString('base64url');
  const roles = [role, ...(opts.moreRoles ?? [])];
  const { id } = await withTransaction(deps.db, (tx) =>
    createStaff(tx, {
      username,
      displayName: `Test ${role}`,
      password,
      roles,
      branchId: opts.branchId ?? null,
    }),
  );
  const res = await app.inject({
    method: 'POST',
    url: '/auth/login',
    payload: { username, password, ...(opts.counterId ? { counterId: opts.counterId } : {}) },
  });
  if (res.statusCode !== 200) throw new Error(`sign-in failed: ${res.statusCode} ${res.body}`);
  const { token } = res.json<{ token: string }>();
  return { staffId: id, username, password, token, headers: { authorization: `Bearer ${token}` } };
}
