import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIssuanceTestApp, type IssuanceTestApp } from '../testing/harness.js';
import {
  atCounter,
  auditActions,
  importStock,
  injector,
  randomUid,
  registerHolder,
  type Headers,
  type Inject,
} from './test-support.js';

let t: IssuanceTestApp;
let inject: Inject;
let admin: Headers;
let supervisor: Headers;
let clerk: Headers;
let auditor: Headers;

beforeAll(async () => {
  t = await startIssuanceTestApp();
  inject = injector(t);
  admin = (await t.signIn('admin')).headers;
  supervisor = (await t.signIn('supervisor')).headers;
  clerk = (await t.signIn('clerk')).headers;
  auditor = (await t.signIn('auditor')).headers;
});
afterAll(async () => {
  await t?.close();
});

async function stored(uids: readonly string[]): Promise<number> {
  const { rows } = await t.deps.db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM cards WHERE uid = ANY($1::text[])',
    [uids.map((u) => u.toUpperCase())],
  );
  return rows[0]?.n ?? 0;
}

async function batchCount(): Promise<number> {
  const { rows } = await t.deps.db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM stock_batches',
  );
  return rows[0]?.n ?? 0;
}

const postText = (headers: Headers, text: string) =>
  t.app.inject({
    method: 'POST',
    url: '/stock/batches',
    headers: { ...headers, 'content-type': 'text/plain' },
    payload: text,
  });

describe('importing card stock', () => {
  it('takes text, one UID a line, from a supervisor; or a JSON array from an admin', async () => {
    const text = [randomUid(4).toLowerCase(), '', randomUid(7)];
    const res = await postText(supervisor, `${text.join('\n')}\n`);
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ lineCount: 2 });
    expect(await stored([text[0] ?? '', text[2] ?? ''])).toBe(2);
    const batchId = res.json<{ batchId: string }>().batchId;
    expect(await auditActions(t.deps.db, batchId)).toEqual(['stock.import']);
    const json = await inject('POST', '/stock/batches', admin, [randomUid(), randomUid()]);
    expect(json.statusCode).toBe(201);
  });

  it('refuses the whole batch over one bad line, naming every offending line', async () => {
    const [inStock] = await importStock(t, supervisor, 1);
    const fresh = [randomUid(), randomUid(4)];
    const lines = [fresh[0], 'XYZ', fresh[1], fresh[0]?.toLowerCase(), inStock, '04AABBCCDDEE'];
    const batches = await batchCount();
    const res = await postText(supervisor, lines.join('\n'));
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({
      code: 'STOCK_BATCH_REJECTED',
      details: {
        problemCount: 4,
        problems: [
          { line: 2, reason: 'malformed' },
          { line: 4, reason: 'duplicate_in_batch', firstLine: 1 },
          { line: 5, reason: 'already_in_stock' },
          { line: 6, reason: 'malformed' },
        ],
      },
    });
    expect(await stored(fresh)).toBe(0);
    expect(await batchCount()).toBe(batches);
  });

  it('keeps two overlapping batches sent at once from both landing', async () => {
    const shared = randomUid();
    const mine = [randomUid(), shared];
    const theirs = [shared, randomUid()];
    const answers = await Promise.all(
      [mine, theirs].map((uids) => inject('POST', '/stock/batches', supervisor, uids)),
    );
    expect(answers.map((a) => a.statusCode).sort()).toEqual([201, 400]);
    const lost = answers.findIndex((a) => a.statusCode === 400);
    expect(answers[lost]?.json()).toMatchObject({
      details: { problems: [{ line: lost === 0 ? 2 : 1, reason: 'already_in_stock' }] },
    });
    expect(await stored([...mine, ...theirs])).toBe(2);
  });

  it('refuses an empty batch and callers without the role', async () => {
    const empty = await postText(supervisor, '\n\n');
    expect(empty.json()).toMatchObject({ code: 'STOCK_BATCH_REJECTED' });
    const notJson = await inject('POST', '/stock/batches', supervisor, { uids: [randomUid()] });
    expect(notJson.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
    for (const headers of [clerk, auditor]) {
      expect((await inject('POST', '/stock/batches', headers, [randomUid()])).statusCode).toBe(403);
    }
  });
});

describe('products', () => {
  it('are listed to anyone signed in', async () => {
    const res = await inject('GET', '/products', auditor);
    expect(res.statusCode).toBe(200);
    const items = res.json<{ items: { code: string; deposit: string; productDigits: string }[] }>()
      .items;
    expect(items.map((p) => [p.code, p.productDigits, p.deposit])).toEqual(
      expect.arrayContaining([
        ['standard', '01', '20.00'],
        ['student', '02', '20.00'],
        ['senior', '03', '0.00'],
        ['disabled', '04', '0.00'],
        ['staff', '05', '0.00'],
      ]),
    );
    expect((await t.app.inject({ method: 'GET', url: '/products' })).statusCode).toBe(401);
  });

  it('are changed by an administrator only, audited, and an inactive one is not issued', async () => {
    const patch = (headers: Headers, body: unknown) =>
      inject('PATCH', '/products/staff', headers, body);
    expect((await patch(supervisor, { active: false })).statusCode).toBe(403);
    const bad = await patch(admin, { maxBalance: '21474836.48' });
    expect(bad.json()).toMatchObject({ code: 'AMOUNT_OUT_OF_RANGE' });
    expect((await patch(admin, {})).statusCode).toBe(400);
    expect((await patch(admin, { deposit: '-1.00' })).statusCode).toBe(400);
    expect((await inject('PATCH', '/products/gold', admin, { active: true })).statusCode).toBe(404);

    const off = await patch(admin, { active: false, concessionRef: 'STAFF_V2' });
    expect(off.json()).toMatchObject({ active: false, concessionRef: 'STAFF_V2', deposit: '0.00' });
    try {
      const desk = await atCounter(t, admin);
      const [uid] = await importStock(t, supervisor, 1);
      const holder = await registerHolder(t, desk.headers);
      const res = await inject('POST', '/cards/issue', desk.headers, {
        uid,
        cardholderId: holder,
        productCode: 'staff',
      });
      expect(res.json()).toMatchObject({ code: 'PRODUCT_INACTIVE' });
    } finally {
      await patch(admin, { active: true, concessionRef: 'STAFF' });
    }
    const audited = await auditActions(t.deps.db, 'staff');
    expect(audited.filter((a) => a === 'product.update').length).toBeGreaterThanOrEqual(2);
  });
});
