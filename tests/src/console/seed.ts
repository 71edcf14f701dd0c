import { randomBytes, randomInt } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import { bootstrapAdmin } from '@citycard/card-issuance';
import { residentIdCheckCharacter } from '@citycard/card-issuance/cardholders';
import { ANY_TYPE, createFeeSchedule } from '@citycard/clearing/fees';
import { ISSUER_PARTY_ID, saveParty } from '@citycard/clearing/parties';
import { addOperators, insertTransactions, type TestTransaction } from '@citycard/clearing/testing';
import { withTransaction } from '@citycard/core/db';
import type { Services } from './services.js';

export interface Account {
  readonly username: string;
  readonly password: string;
  readonly displayName: string;
}

export interface Counter {
  readonly branchId: string;
  readonly counterId: string;
  readonly admin: Account;
  readonly clerk: Account;
  readonly supervisor: Account;
  readonly financeMaker: Account;
  readonly financeChecker: Account;
}

type Headers = Record<string, string>;

async function call(
  app: FastifyInstance,
  method: 'GET' | 'POST',
  url: string,
  headers: Headers,
  payload?: unknown,
) {
  const res = await app.inject({
    method,
    url,
    headers,
    ...(payload === undefined ? {} : { payload: payload as object }),
  });
  if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
  return res.json<Record<string, unknown>>();
}

export async function signInHeaders(app: FastifyInstance, who: Account): Promise<Headers> {
  const { token } = await call(
    app,
    'POST',
    '/auth/login',
    {},
    { username: who.username, password: who.password },
  );
  return { authorization: `Bearer ${token as string}` };
}

const account = (role: string, displayName: string): Account => ({
  username: `${role}_${randomBytes(4).toString('hex')}`,
  password: randomBytes(12).toString('base64url'),
  displayName,
});

/** A branch with one counter, its staff, the counter's reader agent and a blank card in stock. */
export async function seedCounter(s: Services, stockUid: string): Promise<Counter> {
  const admin = account('admin', '管理员');
  await withTransaction(s.issuanceDeps.db, (tx) => bootstrapAdmin(tx, { ...admin }));
  const h = await signInHeaders(s.issuance, admin);
  const code = randomBytes(3).toString('hex').toUpperCase();
  const branch = await call(s.issuance, 'POST', '/branches', h, {
    code: `B${code}`,
    name: '人民广场网点',
  });
  const branchId = branch.id as string;
  const counter = await call(s.issuance, 'POST', `/branches/${branchId}/counters`, h, {
    code: 'C1',
    name: '1 号窗口',
  });
  const counterId = counter.id as string;
  const staff = {
    clerk: account('clerk', '王柜员'),
    supervisor: account('supervisor', '李主管'),
    financeMaker: account('finance', '赵财务'),
    financeChecker: account('finance', '钱复核'),
  };
  const roles: Record<keyof typeof staff, { roles: string[]; branchId?: string }> = {
    clerk: { roles: ['clerk'], branchId },
    supervisor: { roles: ['supervisor'], branchId },
    financeMaker: { roles: ['finance'] },
    financeChecker: { roles: ['finance'] },
  };
  for (const [key, who] of Object.entries(staff) as [keyof typeof staff, Account][]) {
    await call(s.issuance, 'POST', '/staff', h, { ...who, ...roles[key] });
  }
  await call(s.issuance, 'POST', '/reader-agents', h, { id: s.agentId, counterId });
  await call(s.issuance, 'POST', '/stock/batches', h, [stockUid]);
  return { branchId, counterId, admin, ...staff };
}

/** More blank cards into stock, as a delivery from the card factory. */
export async function addStock(
  s: Services,
  admin: Account,
  uids: readonly string[],
): Promise<void> {
  await call(s.issuance, 'POST', '/stock/batches', await signInHeaders(s.issuance, admin), uids);
}

/** A resident identity number that checks, born 1985-03-07 in Shanghai. */
export function residentId(): string {
  const body = `310101${'19850307'}${String(randomInt(100, 999))}`;
  return body + residentIdCheckCharacter(body);
}

const OPERATORS = { 'jiangbei-bus': '0.0125', 'riverside-mart': '0.03' } as const;

/**
 * A business day of accepted taps and purchases in the gateway, with the parties and fee schedules
 * clearing needs: what the finance users clear and approve.
 */
export async function seedDay(db: pg.Pool, day: string): Promise<TestTransaction[]> {
  const author = { by: 'finance-setup', now: new Date() };
  await addOperators(db, Object.keys(OPERATORS));
  await saveParty(db, { id: ISSUER_PARTY_ID, kind: 'issuer', name: '市民卡公司' }, author);
  for (const [id, rate] of Object.entries(OPERATORS)) {
    await saveParty(db, { id, kind: 'operator', name: id, bankAccountNumber: '6222-0001' }, author);
    await createFeeSchedule(
      db,
      {
        operatorId: id,
        effectiveFrom: '2020-01-01',
        fixedFee: '0.00',
        dailyMax: null,
        rates: { [ANY_TYPE]: rate },
      },
      author,
    );
  }
  const rows: TestTransaction[] = [];
  for (let i = 0; i < 24; i++) {
    const operatorId = i % 3 === 0 ? 'riverside-mart' : 'jiangbei-bus';
    const hour = String(6 + (i % 16)).padStart(2, '0');
    rows.push({
      terminalId: `${operatorId}-T1`,
      sequence: i + 1,
      operatorId,
      type: operatorId === 'riverside-mart' ? 'purchase' : 'transit_flat',
      amount: operatorId === 'riverside-mart' ? `${12 + i}.50` : '2.00',
      occurredAt: new Date(`${day}T${hour}:15:00+08:00`),
    });
  }
  await insertTransactions(db, rows);
  return rows;
}
