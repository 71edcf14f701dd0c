import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIssuanceTestApp } from '../testing/harness.js';
import {
  birthDateOf,
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

async function registered(name = uniqueName(), number = residentId('1982-08-19', 'M')) {
  const res = await t.app.inject({
    method: 'POST',
    url: '/cardholders',
    headers: as.clerk,
    payload: {
      name,
      document: { type: 'resident_id', number },
      dateOfBirth: birthDateOf(number),
      phone: '13912345678',
    },
  });
  expect(res.statusCode, res.body).toBe(201);
  return { number, cardholder: res.json<CardholderJson>() };
}

const patch = (id: string, payload: Record<string, unknown>, headers = as.clerk) =>
  t.app.inject({ method: 'PATCH', url: `/cardholders/${id}`, headers, payload });

interface HistoryJson {
  items: {
    version: number;
    changedBy: string;
    changedFields: string[];
    reason: string | null;
    previous: Record<string, unknown> | null;
  }[];
}
const history = async (id: string, headers = as.clerk) =>
  (await t.app.inject({ url: `/cardholders/${id}/history`, headers })).json<HistoryJson>();

async function auditActions(cardholderId: string): Promise<string[]> {
  const { rows } = await t.deps.db.query<{ action: string }>(
    `SELECT action FROM issuance.audit_log
     WHERE target_type = 'cardholder' AND target_id = $1 ORDER BY seq`,
    [cardholderId],
  );
  return rows.map((r) => r.action);
}

const searchById = (idNumber: string, headers = as.clerk) =>
  t.app.inject({ method: 'POST', url: '/cardholders/search', headers, payload: { idNumber } });

describe('changing a cardholder', () => {
  it('moves the version on and keeps what it replaced in the history', async () => {
    const { cardholder } = await registered();
    const res = await patch(cardholder.id, { version: 1, name: 'Renamed Person', phone: null });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ name: 'Renamed Person', phone: null, version: 2 });

    const { items } = await history(cardholder.id);
    expect(items.map((i) => i.version)).toEqual([1, 2]);
    expect(items[0]).toMatchObject({ previous: null, reason: null });
    expect(items[1]).toMatchObject({
      changedFields: ['name', 'phone'],
      previous: { name: cardholder.name, phone: '139****5678' },
    });
  });

  it('refuses a change made against an old version, changing nothing', async () => {
    const { cardholder } = await registered();
    expect((await patch(cardholder.id, { version: 1, name: 'First Edit' })).statusCode).toBe(200);
    const stale = await patch(cardholder.id, { version: 1, name: 'Second Edit' });
    expect(stale.statusCode).toBe(409);
    expect(stale.json()).toMatchObject({
      code: 'CARDHOLDER_VERSION_CONFLICT',
      details: { currentVersion: 2 },
    });
    const got = await t.app.inject({ url: `/cardholders/${cardholder.id}`, headers: as.clerk });
    expect(got.json()).toMatchObject({ name: 'First Edit', version: 2 });
    expect((await history(cardholder.id)).items).toHaveLength(2);
    expect(await auditActions(cardholder.id)).toEqual(['cardholder.register', 'cardholder.update']);
  });

  it('lets exactly one of two simultaneous changes or registrations through', async () => {
    const { cardholder } = await registered();
    const edits = await Promise.all(
      ['One', 'Two'].map((name) => patch(cardholder.id, { version: 1, name })),
    );
    expect(edits.map((r) => r.statusCode).sort()).toEqual([200, 409]);
    const number = residentId('1991-04-04', 'F');
    const payload = () => ({
      name: uniqueName(),
      document: { type: 'resident_id', number },
      dateOfBirth: '1991-04-04',
    });
    const both = await Promise.all(
      [payload(), payload()].map((p) =>
        t.app.inject({ method: 'POST', url: '/cardholders', headers: as.clerk, payload: p }),
      ),
    );
    expect(both.map((r) => r.statusCode).sort()).toEqual([201, 409]);
  });

  it('fixes a document only with a reason, and keeps the old number sealed', async () => {
    const { number, cardholder } = await registered();
    const fixed = residentId('1982-08-19', 'M');
    const change = { version: 1, document: { type: 'resident_id', number: fixed } };
    const noReason = await patch(cardholder.id, change);
    expect(noReason.statusCode).toBe(400);
    const leaky = await patch(cardholder.id, { ...change, reason: `typo, was ${number}` });
    expect(leaky.statusCode).toBe(400);
    expect(leaky.body).not.toContain(number);

    const res = await patch(cardholder.id, { ...change, reason: 'Digits swapped at registration' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      maskedIdNumber: `${fixed.slice(0, 6)}********${fixed.slice(-4)}`,
    });
    const last = (await history(cardholder.id)).items.at(-1);
    expect(last).toMatchObject({
      changedFields: ['id_number'],
      reason: 'Digits swapped at registration',
      previous: { maskedIdNumber: cardholder.maskedIdNumber },
    });
    const stored = await storedText(t.deps.db, cardholder.id);
    expect(stored).not.toContain(number);
    expect(stored).not.toContain(fixed);
    expect((await searchById(number)).json()).toEqual({ items: [], truncated: false });
    expect((await searchById(fixed)).json()).toMatchObject({ items: [{ id: cardholder.id }] });
  });

  it('refuses a document another cardholder holds, and a birth date the id contradicts', async () => {
    const first = await registered();
    const second = await registered();
    const taken = await patch(second.cardholder.id, {
      version: 1,
      document: { type: 'resident_id', number: first.number },
      reason: 'Wrong card presented',
    });
    expect(taken.statusCode).toBe(409);
    expect(taken.json()).toMatchObject({
      code: 'CARDHOLDER_EXISTS',
      details: { cardholderId: first.cardholder.id },
    });
    const date = await patch(second.cardholder.id, {
      version: 1,
      dateOfBirth: '1982-08-20',
      reason: 'Date corrected',
    });
    expect(date.json()).toMatchObject({
      code: 'ID_NUMBER_MISMATCH',
      details: { field: 'dateOfBirth' },
    });
    expect((await history(second.cardholder.id)).items).toHaveLength(1);
  });

  it('keeps the history append-only', async () => {
    const { cardholder } = await registered();
    for (const sql of [
      'UPDATE issuance.cardholder_history SET reason = $2 WHERE cardholder_id = $1',
      'DELETE FROM issuance.cardholder_history WHERE cardholder_id = $1 AND $2::text IS NOT NULL',
    ]) {
      await expect(t.deps.db.query(sql, [cardholder.id, 'x'])).rejects.toThrow(/append-only/);
    }
  });

  it('lets auditors read but not change, and keeps administrators out', async () => {
    const { cardholder } = await registered();
    const url = `/cardholders/${cardholder.id}`;
    expect((await t.app.inject({ url, headers: as.auditor })).statusCode).toBe(200);
    expect((await t.app.inject({ url: `${url}/history`, headers: as.auditor })).statusCode).toBe(
      200,
    );
    expect((await patch(cardholder.id, { version: 1, name: 'X' }, as.auditor)).statusCode).toBe(
      403,
    );
    expect((await patch(cardholder.id, { version: 1, name: 'Y' }, as.supervisor)).statusCode).toBe(
      200,
    );
    for (const role of ['admin', 'finance'] as const) {
      expect((await t.app.inject({ url, headers: as[role] })).statusCode).toBe(403);
      expect((await searchById(residentId(), as[role])).statusCode).toBe(403);
    }
  });

  it('answers 404 for an unknown cardholder', async () => {
    const url = '/cardholders/00000000-0000-4000-8000-000000000000';
    const res = await t.app.inject({ url, headers: as.clerk });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: 'CARDHOLDER_NOT_FOUND' });
  });
});

describe('searching cardholders', () => {
  it('finds by identity number exactly, through a POST body', async () => {
    const { number, cardholder } = await registered();
    const res = await searchById(number.toLowerCase(), as.auditor);
    expect(res.json()).toEqual({
      items: [
        {
          id: cardholder.id,
          name: cardholder.name,
          documentType: 'resident_id',
          maskedIdNumber: cardholder.maskedIdNumber,
          dateOfBirth: '1982-08-19',
          maskedPhone: '139****5678',
        },
      ],
      truncated: false,
    });
    const typo = await searchById(number.slice(0, 17) + (number.endsWith('1') ? '2' : '1'));
    expect(typo.json()).toMatchObject({
      code: 'ID_NUMBER_INVALID',
      details: { reason: 'check_digit' },
    });
  });

  it('refuses identity numbers in a URL', async () => {
    const { number } = await registered();
    const res = await t.app.inject({ url: `/cardholders?idNumber=${number}`, headers: as.clerk });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('POST /cardholders/search');
    expect(res.body).not.toContain(number);
  });

  it('finds by name prefix, case-insensitively, a page at a time', async () => {
    const family = uniqueName('Qx').replace(' ', '');
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await registered(`${family} Person ${i}`)).cardholder.id);
    const url = `/cardholders?name=${encodeURIComponent(family.toLowerCase())}&limit=2`;
    const page = await t.app.inject({ url, headers: as.clerk });
    expect(page.statusCode, page.body).toBe(200);
    const body = page.json<{ items: { id: string; maskedPhone: string }[]; truncated: boolean }>();
    expect(body.items.map((i) => i.id)).toEqual(ids.slice(0, 2));
    expect(body.truncated).toBe(true);
    expect(body.items[0]?.maskedPhone).toBe('139****5678');
    const wildcard = await t.app.inject({ url: '/cardholders?name=%25', headers: as.clerk });
    expect(wildcard.json()).toEqual({ items: [], truncated: false });
  });

  it('finds the holder of a card by its card number', async () => {
    const { cardholder } = await registered();
    const cardNumber = `310001${String(randomInt(0, 1e9)).padStart(10, '0')}`;
    await t.deps.db.query(
      `INSERT INTO issuance.cards (id, uid, imported_at, card_number, product_code, cardholder_id,
         state, issued_at, expires_on, updated_at)
       VALUES ($1, $2, now(), $3, 'standard', $4, 'personalised', now(), current_date + 3650, now())`,
      [randomUUID(), randomBytes(4).toString('hex').toUpperCase(), cardNumber, cardholder.id],
    );
    const spaced = cardNumber.replace(/(\d{4})(?=\d)/g, '$1 ');
    const byGet = await t.app.inject({
      url: `/cardholders?cardNumber=${encodeURIComponent(spaced)}`,
      headers: as.clerk,
    });
    expect(byGet.json()).toMatchObject({ items: [{ id: cardholder.id }], truncated: false });
    const byPost = await t.app.inject({
      method: 'POST',
      url: '/cardholders/search',
      headers: as.auditor,
      payload: { cardNumber },
    });
    expect(byPost.json()).toMatchObject({ items: [{ id: cardholder.id }] });
    const other = cardNumber.slice(0, 15) + (cardNumber.endsWith('9') ? '8' : '9');
    const none = await t.app.inject({ url: `/cardholders?cardNumber=${other}`, headers: as.clerk });
    expect(none.json()).toEqual({ items: [], truncated: false });
  });
});
