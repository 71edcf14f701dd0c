import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { bootstrapAdmin } from '@citycard/card-issuance';
import { ANY_TYPE } from '@citycard/clearing/fees';
import { ISSUER_PARTY_ID } from '@citycard/clearing/parties';
import { withTransaction } from '@citycard/core/db';
import { SAMPLE_CITY_FARE_SET, SAMPLE_CITY_FARES, type FareSet } from '@citycard/terminal-sdk/fare';
import { cityModelFromFareSet, terminalSpecs } from '@citycard/terminal-sdk/simulator';
import { call, signIn, type Session } from './http.js';

/** Where the demo reaches each service, as the console and the terminals would. */
export interface ServiceUrls {
  readonly issuance: string;
  readonly gateway: string;
  readonly clearing: string;
}

/** The people of the demo city's back office, signed in. */
export interface CityStaff {
  readonly admin: Session;
  readonly clerks: readonly { session: Session; counterId: string }[];
  readonly supervisor: Session;
  /** Two finance users: one runs the day, the other approves it. */
  readonly finance: readonly [Session, Session];
}

export interface SeededCity {
  readonly staff: CityStaff;
  readonly branchId: string;
  readonly fareSet: FareSet;
  /** One single-use enrolment token per terminal, as each operator would hand them out. */
  readonly enrolmentTokens: Readonly<Record<string, string>>;
  readonly operators: readonly { id: string; name: string; kind: 'transit' | 'retail' }[];
}

/**
 * Fee schedules of the sample city: transit pays a small commission per ride, shops a larger
 * one with a fixed fee per purchase and a daily cap. Rates are per transaction amount.
 */
const FEES: Record<'transit' | 'retail', { rate: string; fixed: string; max: string | null }> = {
  transit: { rate: '0.0150', fixed: '0.00', max: null },
  retail: { rate: '0.0060', fixed: '0.02', max: '500.00' },
};

/** Counters open in the service hall, a clerk at each: the morning queue is served in parallel. */
export const COUNTERS = 6;

/** A password good enough for the policy; it lives in this process only. */
function password(): string {
  return `Demo-${randomBytes(12).toString('base64url')}`;
}

async function staffMember(
  urls: ServiceUrls,
  admin: Session,
  username: string,
  roles: readonly string[],
  branchId: string | null,
  counterId?: string,
): Promise<Session> {
  const secret = password();
  await call(urls.issuance, 'POST', '/staff', admin, {
    username,
    displayName: username,
    password: secret,
    roles,
    branchId,
  });
  return signIn(urls.issuance, username, secret, counterId);
}

async function seedStaff(
  urls: ServiceUrls,
  issuanceDb: pg.Pool,
): Promise<CityStaff & { branchId: string }> {
  const adminPassword = password();
  await withTransaction(issuanceDb, (tx) =>
    bootstrapAdmin(tx, { username: 'admin', password: adminPassword, displayName: 'City admin' }),
  );
  const admin = await signIn(urls.issuance, 'admin', adminPassword);
  const branch = await call<{ id: string }>(urls.issuance, 'POST', '/branches', admin, {
    code: 'CENTRAL',
    name: 'Central service hall',
    address: '1 People Square',
  });
  const counters: string[] = [];
  for (let n = 1; n <= COUNTERS; n++) {
    const counter = await call<{ id: string }>(
      urls.issuance,
      'POST',
      `/branches/${branch.id}/counters`,
      admin,
      { code: `C${n}`, name: `Counter ${n}` },
    );
    counters.push(counter.id);
  }
  const clerks = [];
  for (const [i, counterId] of counters.entries()) {
    const session = await staffMember(
      urls,
      admin,
      `clerk${i + 1}`,
      ['clerk'],
      branch.id,
      counterId,
    );
    clerks.push({ session, counterId });
  }
  const supervisor = await staffMember(urls, admin, 'supervisor', ['supervisor'], branch.id);
  const finance: [Session, Session] = [
    await staffMember(urls, admin, 'finance.li', ['finance'], null),
    await staffMember(urls, admin, 'finance.wang', ['finance'], null),
  ];
  return { admin, clerks, supervisor, finance, branchId: branch.id };
}

/** The gateway's registry: every operator of the fare set, every terminal, a token for each. */
async function seedGateway(
  urls: ServiceUrls,
  admin: Session,
  fareSet: FareSet,
): Promise<Record<string, string>> {
  for (const o of fareSet.operators) {
    await call(urls.gateway, 'POST', '/admin/operators', admin, {
      id: o.operatorId,
      name: o.name,
      kind: o.kind,
      cardCode: o.code,
    });
  }
  // The fare set terminals price with; the gateway re-prices every record against it.
  await call(urls.gateway, 'POST', '/admin/fare-sets', admin, SAMPLE_CITY_FARES);
  const tokens: Record<string, string> = {};
  for (const spec of terminalSpecs(cityModelFromFareSet(fareSet))) {
    await call(urls.gateway, 'POST', '/admin/terminals', admin, {
      id: spec.terminalId,
      operatorId: spec.operatorId,
      description: `${spec.kind} terminal`,
    });
    const token = await call<{ token: string }>(
      urls.gateway,
      'POST',
      `/admin/terminals/${encodeURIComponent(spec.terminalId)}/enrolment-tokens`,
      admin,
      { ttlHours: 24 },
    );
    tokens[spec.terminalId] = token.token;
  }
  return tokens;
}

/**
 * Clearing's parties (the issuer and every operator, with bank accounts) and fee schedules, put
 * in by the admin over clearing's API as an operator's finance office would.
 */
async function seedClearing(url: string, admin: Session, fareSet: FareSet): Promise<void> {
  const put = (id: string, body: Record<string, unknown>) =>
    call(url, 'PUT', `/v1/parties/${encodeURIComponent(id)}`, admin, body);
  await put(ISSUER_PARTY_ID, {
    kind: 'issuer',
    name: 'City Card Company',
    bankName: 'City Commercial Bank',
    bankAccountName: 'City Card Company settlement',
    bankAccountNumber: '6222-0000-0001',
  });
  for (const [i, o] of fareSet.operators.entries()) {
    await put(o.operatorId, {
      kind: 'operator',
      name: o.name,
      bankName: 'City Commercial Bank',
      bankAccountName: o.name,
      bankAccountNumber: `6222-1000-${String(i + 1).padStart(4, '0')}`,
      contactName: 'Settlement desk',
    });
    const fee = FEES[o.kind];
    await call(url, 'POST', '/v1/fee-schedules', admin, {
      operatorId: o.operatorId,
      effectiveFrom: '2020-01-01',
      fixedFee: fee.fixed,
      dailyMax: fee.max,
      rates: { [ANY_TYPE]: fee.rate },
    });
  }
}

/** Everything the city's back office needs before the first card: people, places, parties. */
export async function seedCity(
  urls: ServiceUrls,
  pools: { issuance: pg.Pool },
): Promise<SeededCity> {
  const fareSet = SAMPLE_CITY_FARE_SET;
  const { branchId, ...staff } = await seedStaff(urls, pools.issuance);
  const enrolmentTokens = await seedGateway(urls, staff.admin, fareSet);
  await seedClearing(urls.clearing, staff.admin, fareSet);
  return {
    staff,
    branchId,
    fareSet,
    enrolmentTokens,
    operators: fareSet.operators.map((o) => ({ id: o.operatorId, name: o.name, kind: o.kind })),
  };
}
