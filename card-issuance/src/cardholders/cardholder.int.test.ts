import { randomInt, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIssuanceTestApp } from '../testing/harness.js';
import { getCardholder } from './cardholder.repository.js';
import { residentIdCheckCharacter } from './id-number.js';
import { openIdNumber } from './pii.js';
import {
  birthDateOf,
  countByName,
  residentId,
  storedText,
  uniqueName,
  type CardholderJson,
} from './test-support.js';

type TestApp = Awaited<ReturnType<typeof startIssuanceTestApp>>;
type Headers = Record<string, string>;

let t: TestApp;
const as: Record<'clerk' | 'supervisor' | 'auditor' | 'admin' | 'finance', Headers> = {
  clerk: {},
  supervisor: {},
  auditor: {},
  admin: {},
  finance: {},
};

beforeAll(async () => {
  t = await startIssuanceTestApp();
  for (const role of Object.keys(as) as (keyof typeof as)[]) {
    as[role] = (await t.signIn(role)).headers;
  }
});
afterAll(async () => {
  await t?.close();
});

async function register(body: Record<string, unknown>, headers = as.clerk) {
  return t.app.inject({ method: 'POST', url: '/cardholders', headers, payload: body });
}

async function registerResident(number = residentId(), extra: Record<string, unknown> = {}) {
  const res = await register({
    name: uniqueName(),
    document: { type: 'resident_id', number },
    dateOfBirth: birthDateOf(number),
    phone: '13800138000',
    ...extra,
  });
  expect(res.statusCode, res.body).toBe(201);
  return { number, cardholder: res.json<CardholderJson>() };
}

describe('registering a cardholder', () => {
  it('stores the id number sealed and answers it masked, never in plain text', async () => {
    const number = residentId('1990-12-31', 'M');
    const { cardholder } = await registerResident(number.replace(/X$/, 'x'));
    expect(cardholder).toMatchObject({
      documentType: 'resident_id',
      maskedIdNumber: `${number.slice(0, 6)}********${number.slice(-4)}`,
      dateOfBirth: '1990-12-31',
      sex: 'M',
      phone: '13800138000',
      version: 1,
    });
    const got = await t.app.inject({ url: `/cardholders/${cardholder.id}`, headers: as.clerk });
    expect(got.statusCode).toBe(200);
    expect(got.json()).toEqual(cardholder);
    expect(got.body).not.toContain(number);

    const raw = await storedText(t.deps.db, cardholder.id);
    expect(raw).not.toContain(number);
    expect(raw).not.toContain(number.slice(6, 14));
    const { rows } = await t.deps.db.query<{ sealed: string }>(
      'SELECT id_number_sealed AS sealed FROM issuance.cardholders WHERE id = $1',
      [cardholder.id],
    );
    expect(openIdNumber(t.deps, cardholder.id, rows[0]?.sealed ?? '')).toBe(number);
    expect(() => openIdNumber(t.deps, randomUUID(), rows[0]?.sealed ?? '')).toThrow();

    await expect(getCardholder(t.deps.db, cardholder.id)).resolves.toEqual({
      id: cardholder.id,
      name: cardholder.name,
      dateOfBirth: '1990-12-31',
      maskedIdNumber: cardholder.maskedIdNumber,
    });
  });

  it('refuses a document already registered, however it is typed, naming the holder', async () => {
    const { number, cardholder } = await registerResident(residentId('1970-01-01', 'F'));
    const fullWidth = [...number]
      .map((c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0))
      .join('');
    for (const typed of [number, ` ${number.toLowerCase()} `, fullWidth]) {
      const name = uniqueName();
      const res = await register({
        name,
        document: { type: 'resident_id', number: typed },
        dateOfBirth: '1970-01-01',
      });
      expect(res.statusCode).toBe(409);
      expect(res.json()).toMatchObject({
        code: 'CARDHOLDER_EXISTS',
        details: { cardholderId: cardholder.id },
      });
      expect(await countByName(t.deps.db, name)).toBe(0);
    }
  });

  const valid = residentId('1985-03-07');
  const withCheck = (body: string) => body + residentIdCheckCharacter(body);
  it.each([
    ['length', valid.slice(0, 17)],
    ['characters', `${valid.slice(0, 8)}A${valid.slice(9)}`],
    ['check_digit', valid.slice(0, 17) + (valid.endsWith('0') ? '1' : '0')],
    ['region', withCheck(`990101${valid.slice(6, 17)}`)],
    ['birth_date', withCheck(`${valid.slice(0, 6)}19850230${valid.slice(14, 17)}`)],
    ['birth_date', withCheck(`${valid.slice(0, 6)}21000101${valid.slice(14, 17)}`)],
  ])('refuses a resident id with a bad %s, storing nothing', async (reason, number) => {
    const name = uniqueName();
    const res = await register({
      name,
      document: { type: 'resident_id', number },
      dateOfBirth: '1985-03-07',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({
      code: 'ID_NUMBER_INVALID',
      details: { reason, field: 'document.number' },
    });
    expect(res.body).not.toContain(number);
    expect(await countByName(t.deps.db, name)).toBe(0);
  });

  it('refuses a date of birth or sex that disagrees with the resident id', async () => {
    const number = residentId('1985-03-07', 'F');
    for (const [extra, field] of [
      [{ dateOfBirth: '1985-03-08' }, 'dateOfBirth'],
      [{ dateOfBirth: '1985-03-07', sex: 'M' }, 'sex'],
    ] as const) {
      const name = uniqueName();
      const res = await register({ name, document: { type: 'resident_id', number }, ...extra });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ code: 'ID_NUMBER_MISMATCH', details: { field } });
      expect(await countByName(t.deps.db, name)).toBe(0);
    }
  });

  it('tells passports of different states apart, and needs the state', async () => {
    const number = `E${randomInt(1_000_000, 9_999_999)}`;
    const passport = (country?: string) =>
      register({
        name: uniqueName(),
        document: { type: 'passport', number, ...(country ? { country } : {}) },
        dateOfBirth: '1979-05-01',
        sex: 'X',
      });
    const deu = await passport('DEU');
    expect(deu.statusCode).toBe(201);
    expect(deu.json()).toMatchObject({ maskedIdNumber: `E${number[1]}****${number.slice(-2)}` });
    expect((await passport('FRA')).statusCode).toBe(201);
    expect((await passport('deu')).json()).toMatchObject({ code: 'CARDHOLDER_EXISTS' });
    expect((await passport()).json()).toMatchObject({
      code: 'ID_NUMBER_INVALID',
      details: { reason: 'country' },
    });
  });

  it('lets clerks and supervisors register, and nobody else', async () => {
    const body = () => ({
      name: uniqueName(),
      document: { type: 'other', number: randomUUID().slice(0, 12), label: 'Officer card' },
      dateOfBirth: '1960-02-29',
    });
    expect((await register(body(), as.supervisor)).statusCode).toBe(201);
    for (const role of ['auditor', 'admin', 'finance'] as const) {
      expect((await register(body(), as[role])).statusCode).toBe(403);
    }
    expect((await register(body(), {})).statusCode).toBe(401);
  });

  it('writes no identity number to any log line, whatever the request did with it', async () => {
    const { number, cardholder } = await registerResident(residentId('1999-09-09', 'M'));
    const typo = number.slice(0, 17) + (number.endsWith('0') ? '1' : '0');
    await register({
      name: uniqueName(),
      document: { type: 'resident_id', number },
      dateOfBirth: '1999-09-09',
    });
    await register({
      name: uniqueName(),
      document: { type: 'resident_id', number: typo },
      dateOfBirth: '1999-09-09',
    });
    for (const idNumber of [number, typo]) {
      await t.app.inject({
        method: 'POST',
        url: '/cardholders/search',
        headers: as.clerk,
        payload: { idNumber },
      });
      await t.app.inject({ url: `/cardholders?idNumber=${idNumber}`, headers: as.clerk });
    }
    await t.app.inject({ url: `/cardholders/${cardholder.id}/history`, headers: as.clerk });
    const logs = t.logs();
    expect(logs).toContain('/cardholders');
    expect(logs).not.toContain(number);
    expect(logs).not.toContain(typo);
  });
});
