import { randomBytes } from 'node:crypto';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type pg from 'pg';
import { seal } from '@citycard/core/crypto';
import { createPool, migrate } from '@citycard/core/db';
import { createLogger } from '@citycard/core/logging';
import { SAMPLE_CITY_FARE_SET } from '@citycard/terminal-sdk/fare';
import { PROTOCOL_PATHS, signRequest } from '@citycard/terminal-sdk/protocol';
import { buildGatewayApp, type BuiltGateway } from '../app.js';
import { defaultGatewaySettings, type GatewayDeps, type GatewaySettings } from '../deps.js';
import type { DistributionDeps } from '../distribution/index.js';
import { service } from '../service.js';
import { macKeyAad } from '../terminals/index.js';
import { staticFareSets } from '../verification/index.js';
import {
  addCard,
  addStaffSession,
  createContractDouble,
  hotlistCard,
  type AddCardOptions,
  type TestCard,
  type TestStaff,
} from './contract-double.js';
import { testCa } from './test-ca.js';
import { TestTerminal, type TerminalCredentials } from './test-terminal.js';

export interface GatewayTestOptions {
  readonly settings?: Partial<GatewaySettings>;
  readonly logLevel?: string;
  readonly distribution?: DistributionDeps['distribution'];
}

export interface GatewayTestApp {
  readonly app: FastifyInstance;
  readonly built: BuiltGateway;
  readonly deps: GatewayDeps;
  /** The app's pool: the test's own gateway schema first on its search_path. */
  readonly db: pg.Pool;
  readonly schema: string;
  /** Where the issuance contract double lives. */
  readonly contractSchema: string;
  /** An enrolled terminal of operator 'jiangbei-bus' with a known MAC key. */
  readonly terminal: TestTerminal;
  addOperator(id: string, kind?: 'transit' | 'retail'): Promise<void>;
  /** A terminal enrolled directly in the database (no CSR), with a fresh MAC key. */
  addTerminal(operatorId?: string): Promise<TestTerminal>;
  /** A registered (not enrolled) terminal and a single-use enrolment token for it. */
  addEnrolmentToken(opts?: { operatorId?: string; ttlSeconds?: number }): Promise<{
    terminalId: string;
    token: string;
  }>;
  addCard(opts?: AddCardOptions): Promise<TestCard>;
  hotlist(card: TestCard, at: Date, action?: 'add' | 'remove'): Promise<void>;
  staff(roles: readonly string[]): Promise<TestStaff>;
  /** POSTs a body (object or exact text) signed as the terminal. */
  post(
    url: string,
    body: unknown,
    as?: TerminalCredentials,
    at?: Date,
  ): Promise<LightMyRequestResponse>;
  postBatch(body: unknown, as?: TestTerminal): Promise<LightMyRequestResponse>;
  /** Row counts of every table ingest writes, to prove that a refusal wrote nothing. */
  counts(): Promise<Record<string, number>>;
  advanceClock(seconds: number): void;
  close(): Promise<void>;
}

export function databaseUrl(): string {
  const url = process.env.DATABASE_URL?.trim();
  if (!url) throw new Error('DATABASE_URL is not set: run the integration project');
  return url;
}

const INGEST_TABLES = [
  'transactions',
  'batches',
  'record_conflicts',
  'skipped_sequences',
  'sequence_gaps',
  'outbox',
  'quarantine_decisions',
  'audit_events',
] as const;

async function prepareSchemas(): Promise<{ db: pg.Pool; schema: string; contractSchema: string }> {
  const suffix = randomBytes(5).toString('hex');
  const schema = `gateway_t${suffix}`;
  const contractSchema = `issuance_t${suffix}`;
  const db = createPool({
    url: databaseUrl(),
    applicationName: 'citycard-gateway-test',
    searchPath: [schema, 'public'],
  });
  // 0001 comments on the schema by its production name, so that name must exist too.
  await db.query('CREATE SCHEMA IF NOT EXISTS gateway');
  await migrate(db, [{ schema, dir: service.migrations.dir }]);
  await createContractDouble(db, contractSchema);
  return { db, schema, contractSchema };
}

/**
 * A gateway on the integration database in schemas of its own (gateway tables, and a double of
 * issuance's contract views), with operator 'jiangbei-bus', one enrolled terminal, the sample
 * city's fare set, an in-memory CA and a clock the test can move.
 */
export async function startGatewayTestApp(opts: GatewayTestOptions = {}): Promise<GatewayTestApp> {
  const { db, schema, contractSchema } = await prepareSchemas();
  let offsetMs = 0;
  const clock = (): Date => new Date(Date.now() + offsetMs);
  const level = opts.logLevel ?? 'warn';
  const deps: DistributionDeps = {
    db,
    log: createLogger({ name: service.name, level }),
    logLevel: level,
    macKeyKek: { id: 'test-gateway-kek', key: randomBytes(32) },
    ca: testCa(),
    clock,
    // Refused requests are the point of many tests: their warn lines would only be noise here.
    settings: { ...defaultGatewaySettings, terminalRequestLogLevel: 'error', ...opts.settings },
    issuanceSchema: contractSchema,
    fareSets: staticFareSets([SAMPLE_CITY_FARE_SET]),
    distribution: { rateLimits: { perSecond: 1_000_000, burst: 1_000_000 }, ...opts.distribution },
  };
  const built = await buildGatewayApp(deps);
  await built.app.ready();
  const addOperator = async (id: string, kind: 'transit' | 'retail' = 'transit') => {
    await db.query(
      `INSERT INTO operators (id, name, kind, card_code)
       VALUES ($1, $1, $2, (SELECT COALESCE(max(card_code), 0) + 1 FROM operators))`,
      [id, kind],
    );
  };
  const addTerminal = async (operatorId = 'jiangbei-bus'): Promise<TestTerminal> => {
    const id = `t-${randomBytes(4).toString('hex')}`;
    const macKey = randomBytes(16);
    const macKeyId = `mk-${randomBytes(3).toString('hex')}`;
    await db.query(
      `INSERT INTO terminals (id, operator_id, status, certificate_pem, mac_key_id, mac_key_sealed,
                              enrolled_at)
       VALUES ($1, $2, 'enrolled', 'test: enrolled without a CSR', $3, $4, now())`,
      [id, operatorId, macKeyId, seal(macKey, deps.macKeyKek, macKeyAad(id))],
    );
    return new TestTerminal({ id, operatorId, macKeyId, macKey }, clock);
  };
  await addOperator('jiangbei-bus');
  const terminal = await addTerminal();
  const post = (url: string, body: unknown, as = terminal.credentials, at = clock()) => {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    const signed = signRequest(
      { terminalId: as.id, macKey: as.macKey },
      { method: 'POST', path: url, body: text },
      at,
    );
    return built.app.inject({
      method: 'POST',
      url,
      payload: text,
      headers: { ...signed, 'content-type': 'application/json' },
    });
  };
  return {
    app: built.app,
    built,
    deps,
    db,
    schema,
    contractSchema,
    terminal,
    addOperator,
    addTerminal,
    async addEnrolmentToken(o = {}) {
      const terminalId = `t-${randomBytes(4).toString('hex')}`;
      const operatorId = o.operatorId ?? 'jiangbei-bus';
      const token = randomBytes(24).toString('base64url');
      await db.query(`INSERT INTO terminals (id, operator_id) VALUES ($1, $2)`, [
        terminalId,
        operatorId,
      ]);
      await db.query(
        `INSERT INTO enrolment_tokens (token_hash, operator_id, terminal_id, expires_at)
         VALUES (sha256($1::bytea), $2, $3, $4)`,
        [
          Buffer.from(token),
          operatorId,
          terminalId,
          new Date(clock().getTime() + (o.ttlSeconds ?? 3600) * 1000),
        ],
      );
      return { terminalId, token };
    },
    addCard: (o) => addCard(db, contractSchema, o),
    hotlist: (card, at, action) => hotlistCard(db, contractSchema, card, at, action),
    staff: (roles) => addStaffSession(db, contractSchema, roles),
    post,
    postBatch: (body, as = terminal) => post(PROTOCOL_PATHS.batches, body, as.credentials),
    async counts() {
      const out: Record<string, number> = {};
      for (const table of INGEST_TABLES) {
        const { rows } = await db.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`);
        out[table] = Number(rows[0]?.n ?? 0);
      }
      return out;
    },
    advanceClock(seconds) {
      offsetMs += seconds * 1000;
    },
    async close() {
      await built.app.close();
      await db.query(`DROP SCHEMA ${schema} CASCADE; DROP SCHEMA ${contractSchema} CASCADE`);
      await db.query(`DELETE FROM citycard_meta.schema_migrations WHERE schema = $1`, [schema]);
      await db.end();
    },
  };
}
