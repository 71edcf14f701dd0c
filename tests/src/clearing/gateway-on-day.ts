import { randomBytes } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import type pg from 'pg';
import { seal } from '@citycard/core/crypto';
import { createPool } from '@citycard/core/db';
import { createLogger } from '@citycard/core/logging';
import { Amount, parseAmount } from '@citycard/core/money';
import {
  buildGatewayApp,
  defaultGatewaySettings,
  type BuiltGateway,
} from '@citycard/transaction-gateway';
import { macKeyAad } from '@citycard/transaction-gateway/terminals';
import {
  addCard,
  addStaffSession,
  createContractDouble,
  testCa,
  TestTerminal,
  type TestCard,
  type TestStaff,
} from '@citycard/transaction-gateway/testing';
import { staticFareSets } from '@citycard/transaction-gateway/verification';
import { SAMPLE_CITY_FARE_SET } from '@citycard/terminal-sdk/fare';
import {
  PROTOCOL_PATHS,
  signRecord,
  signRequest,
  type TransactionRecord,
  type UnsignedRecord,
} from '@citycard/terminal-sdk/protocol';

/**
 * The real gateway (its app, ingest, verification and quarantine) on the real `gateway` schema of
 * a clearing test database, so the clearing run reads exactly what ingest stored. Issuance's
 * contract views are a double in a schema of their own; the clock is fixed at noon, Shanghai, so
 * every record falls in one business day whatever the hour the test runs.
 */
export interface GatewayDay {
  readonly built: BuiltGateway;
  readonly db: pg.Pool;
  /** The business day every record of the test falls in, YYYY-MM-DD. */
  readonly day: string;
  readonly now: () => Date;
  addOperator(id: string, kind: 'transit' | 'retail'): Promise<void>;
  addTerminal(operatorId: string): Promise<TestTerminal>;
  addCard(): Promise<TestCard>;
  staff(roles: readonly string[]): Promise<TestStaff>;
  postBatch(
    terminal: TestTerminal,
    records: readonly TransactionRecord[],
  ): Promise<LightMyRequestResponse>;
  asStaff(
    who: TestStaff,
    method: 'GET' | 'POST',
    url: string,
    body?: unknown,
  ): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

function noonInShanghai(): { at: Date; day: string } {
  const day = new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Asia/Shanghai',
    dateStyle: 'short',
  }).format(new Date());
  return { at: new Date(`${day}T12:00:00+08:00`), day };
}

export async function startGatewayOnDay(url: string): Promise<GatewayDay> {
  const db = createPool({
    url,
    applicationName: 'citycard-gateway-test',
    searchPath: ['gateway', 'public'],
  });
  const contractSchema = `issuance_double_${randomBytes(4).toString('hex')}`;
  await createContractDouble(db, contractSchema);
  const noon = noonInShanghai();
  const offset = noon.at.getTime() - Date.now();
  const now = (): Date => new Date(Date.now() + offset);
  const macKeyKek = { id: 'test-gateway-kek', key: randomBytes(32) };
  const built = await buildGatewayApp({
    db,
    log: createLogger({ name: 'gateway', level: 'warn' }),
    logLevel: 'warn',
    macKeyKek,
    ca: testCa(),
    clock: now,
    settings: defaultGatewaySettings,
    issuanceSchema: contractSchema,
    fareSets: staticFareSets([SAMPLE_CITY_FARE_SET]),
    distribution: { rateLimits: { perSecond: 1_000_000, burst: 1_000_000 } },
  });
  await built.app.ready();
  const inject = (
    method: 'GET' | 'POST',
    path: string,
    headers: Record<string, string>,
    text?: string,
  ) =>
    built.app.inject({
      method,
      url: path,
      ...(text === undefined ? {} : { payload: text }),
      headers: {
        ...headers,
        ...(text === undefined ? {} : { 'content-type': 'application/json' }),
      },
    });
  return {
    built,
    db,
    day: noon.day,
    now,
    async addOperator(id, kind) {
      await db.query(
        `INSERT INTO operators (id, name, kind, card_code)
         VALUES ($1, $1, $2, (SELECT COALESCE(max(card_code), 0) + 1 FROM operators))`,
        [id, kind],
      );
    },
    async addTerminal(operatorId) {
      const id = `t-${randomBytes(4).toString('hex')}`;
      const macKey = randomBytes(16);
      const macKeyId = `mk-${randomBytes(3).toString('hex')}`;
      await db.query(
        `INSERT INTO terminals (id, operator_id, status, certificate_pem, mac_key_id, mac_key_sealed,
                                enrolled_at)
         VALUES ($1, $2, 'enrolled', 'test: enrolled without a CSR', $3, $4, now())`,
        [id, operatorId, macKeyId, seal(macKey, macKeyKek, macKeyAad(id))],
      );
      return new TestTerminal({ id, operatorId, macKeyId, macKey }, now);
    },
    addCard: () => addCard(db, contractSchema),
    staff: (roles) => addStaffSession(db, contractSchema, roles),
    postBatch(terminal, records) {
      const text = JSON.stringify(terminal.batch(records));
      const path = PROTOCOL_PATHS.batches;
      const { id: terminalId, macKey } = terminal.credentials;
      const signed = signRequest(
        { terminalId, macKey },
        { method: 'POST', path, body: text },
        now(),
      );
      return inject('POST', path, signed, text);
    },
    asStaff(who, method, path, body) {
      return inject(
        method,
        path,
        who.headers,
        body === undefined ? undefined : JSON.stringify(body),
      );
    },
    async close() {
      await built.app.close();
      await db.query(`DROP SCHEMA ${contractSchema} CASCADE`);
      await db.end();
    },
  };
}

/** A card as a terminal sees it: its purse counter and balance move with every tap. */
export class Purse {
  constructor(
    readonly card: TestCard,
    public counter: number,
    public balance: Amount,
  ) {}

  /** The terminal's next record for this card, the purse moved on by it (or `skip` counters). */
  tap(
    terminal: TestTerminal,
    over: Partial<UnsignedRecord> = {},
    skip = 0,
    lost = Amount.zero,
  ): TransactionRecord {
    const draft = terminal.unsignedRecord(this.card, over);
    this.counter += 1 + skip;
    this.balance = this.balance.sub(lost);
    const amount = parseAmount(draft.amount);
    const record = {
      ...draft,
      purseCounter: this.counter,
      balanceBefore: this.balance.toString(),
      balanceAfter: this.balance.sub(amount).toString(),
    };
    this.balance = this.balance.sub(amount);
    return signRecord(record, terminal.credentials.macKey);
  }
}
