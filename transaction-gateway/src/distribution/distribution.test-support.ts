import { randomBytes, randomInt } from 'node:crypto';
import type { FastifyInstance, InjectOptions } from 'fastify';
import type pg from 'pg';
import { seal } from '@citycard/core/crypto';
import { createPool, migrate } from '@citycard/core/db';
import { createHttpApp } from '@citycard/core/http';
import { createLogger } from '@citycard/core/logging';
import { signRequest } from '@citycard/terminal-sdk/protocol';
import { defaultGatewaySettings } from '../deps.js';
import { service } from '../service.js';
import { createContractDouble } from '../testing/contract-double.js';
import { testCa } from '../testing/test-ca.js';
import { macKeyAad } from '../terminals/index.js';
import {
  registerDistribution,
  type DistributionDeps,
  type DistributionOptions,
  type DistributionRouters,
} from './register.js';

export interface DistributionTestApp {
  readonly app: FastifyInstance;
  readonly routers: DistributionRouters;
  readonly deps: DistributionDeps;
  readonly db: pg.Pool;
  /** The test's own copy of issuance's contract views. */
  readonly issuance: string;
  advanceClock(seconds: number): void;
  close(): Promise<void>;
}

export const databaseUrl = (): string => {
  const url = process.env.DATABASE_URL?.trim();
  if (!url) throw new Error('DATABASE_URL is not set: run the integration project');
  return url;
};

export function gatewayPool(): pg.Pool {
  return createPool({
    url: databaseUrl(),
    applicationName: 'citycard-gateway-distribution-test',
    searchPath: [service.schema, 'public'],
  });
}

/**
 * The distribution routes alone on a fresh app, against the migrated gateway schema and a
 * contract double of its own, so hotlist versions and staff sessions belong to this test only.
 */
export async function startDistributionApp(
  options: Partial<DistributionOptions> = {},
): Promise<DistributionTestApp> {
  const db = gatewayPool();
  await migrate(db, [service.migrations]);
  const issuance = `gw_issuance_${randomBytes(5).toString('hex')}`;
  await createContractDouble(db, issuance);
  let offsetMs = 0;
  const deps: DistributionDeps = {
    db,
    log: createLogger({ name: 'gateway-test', level: 'silent' }),
    macKeyKek: { id: 'test-gateway-kek', key: randomBytes(32) },
    ca: testCa(),
    clock: () => new Date(Date.now() + offsetMs),
    settings: defaultGatewaySettings,
    issuanceSchema: issuance,
    distribution: options,
  };
  const app = await createHttpApp({ name: service.name, logLevel: 'silent' });
  const routers = await registerDistribution(app, deps);
  await app.ready();
  return {
    app,
    routers,
    deps,
    db,
    issuance,
    advanceClock(seconds) {
      offsetMs += seconds * 1000;
    },
    async close() {
      await app.close();
      await db.query(`DROP SCHEMA ${issuance} CASCADE`);
      await db.end();
    },
  };
}

export const randomId = (prefix: string): string => `${prefix}-${randomBytes(5).toString('hex')}`;

export interface TestTerminal {
  readonly terminalId: string;
  readonly operatorId: string;
  readonly macKey: Buffer;
}

/** An operator and an enrolled terminal, written as enrolment leaves them. */
export async function enrolledTerminal(t: DistributionTestApp): Promise<TestTerminal> {
  const operatorId = randomId('op');
  const terminalId = randomId('term');
  const macKey = randomBytes(16);
  await t.db.query(
    `INSERT INTO operators (id, name, kind, card_code)
     VALUES ($1, 'Test operator', 'transit', $2)`,
    [operatorId, randomInt(1, 65_536)],
  );
  await t.db.query(
    `INSERT INTO terminals (id, operator_id, status, certificate_pem, mac_key_id, mac_key_sealed,
       enrolled_at) VALUES ($1, $2, 'enrolled', 'test', 'k1', $3, now())`,
    [terminalId, operatorId, seal(macKey, t.deps.macKeyKek, macKeyAad(terminalId))],
  );
  return { terminalId, operatorId, macKey };
}

/** A GET signed as the terminal, as its SDK would send it. */
export function signedGet(
  t: DistributionTestApp,
  terminal: TestTerminal,
  url: string,
  headers: Record<string, string> = {},
): InjectOptions {
  const signed = signRequest(
    { terminalId: terminal.terminalId, macKey: terminal.macKey },
    { method: 'GET', path: url, body: '' },
    t.deps.clock(),
  );
  return { method: 'GET', url, headers: { ...signed, ...headers } };
}
