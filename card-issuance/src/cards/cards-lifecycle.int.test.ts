import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIssuanceTestApp, type IssuanceTestApp } from '../testing/harness.js';
import { cardNumberProblem, composeCardNumber, MAX_SERIAL } from './card-number.js';
import type { CardDetail, CardResult } from './card.schemas.js';
import {
  atCounter,
  auditActions,
  cashFor,
  getCard,
  hotlistFor,
  importStock,
  injector,
  issueCard,
  registerHolder,
  snapshot,
  type Counter,
  type Headers,
  type Inject,
} from './test-support.js';

let t: IssuanceTestApp;
let inject: Inject;
let admin: Headers;
let supervisor: Headers;
let auditor: Headers;
let clerk: Counter;

beforeAll(async () => {
  t = await startIssuanceTestApp();
  inject = injector(t);
  admin = (await t.signIn('admin')).headers;
  supervisor = (await t.signIn('supervisor')).headers;
  auditor = (await t.signIn('auditor')).headers;
  clerk = await atCounter(t, admin);
});
afterAll(async () => {
  await t?.close();
});

async function newCard(productCode = 'standard'): Promise<CardResult> {
  const [uid] = await importStock(t, supervisor, 1);
  const holder = await registerHolder(t, clerk.headers);
  return issueCard(t, clerk.headers, holder, uid ?? '', productCode);
}

async function activeCard(): Promise<CardResult> {
  const card = await newCard();
  const res = await inject('POST', `/cards/${card.id}/activate`, clerk.headers);
  expect(res.statusCode, res.body).toBe(200);
  return res.json<CardResult>();
}

describe('issuing a card', () => {
  it('binds a stock card to a holder, numbers it and takes the deposit into the drawer', async () => {
    const [uid] = await importStock(t, supervisor, 1);
    const holder = await registerHolder(t, clerk.headers);
    const card = await issueCard(t, clerk.headers, holder, uid ?? '');
    expect(card).toMatchObject({
      uid,
      state: 'personalised',
      cardholderId: holder,
      productCode: 'standard',
      deposit: '20.00',
      version: 2,
    });
    expect(card.cardNumber).toMatch(/^310001\d{10}$/);
    expect(cardNumberProblem(card.cardNumber ?? '')).toBeUndefined();
    expect(card.expiresOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(await cashFor(t.deps.db, card.id)).toEqual([
      { drawerId: clerk.drawerId, kind: 'deposit_taken', amount: '20.00' },
    ]);
    expect(await auditActions(t.deps.db, card.id)).toEqual(['card.issue']);
    const detail = await getCard(t, auditor, card.id);
    expect(detail.history.map((h) => [h.command, h.toState])).toEqual([
      ['import', 'stock'],
      ['issue', 'personalised'],
    ]);
  });

  it('takes no cash for a product without a deposit', async () => {
    const card = await newCard('senior');
    expect(card).toMatchObject({ deposit: '0.00', productCode: 'senior' });
    expect(card.cardNumber?.slice(4, 6)).toBe('03');
    expect(await cashFor(t.deps.db, card.id)).toEqual([]);
  });

  it('refuses without an open drawer, an unknown card, holder or product, and a used card', async () => {
    const [uid] = await importStock(t, supervisor, 1);
    const holder = await registerHolder(t, clerk.headers);
    const { rows } = await t.deps.db.query<{ id: string }>('SELECT id FROM cards WHERE uid = $1', [
      uid,
    ]);
    const cardId = rows[0]?.id ?? '';
    const before = await snapshot(t.deps.db, cardId);
    const noDrawer = (await t.signIn('clerk')).headers;
    const body = { uid, cardholderId: holder, productCode: 'standard' };
    const cases: [Headers, Record<string, unknown>, number, string][] = [
      [noDrawer, body, 409, 'DRAWER_NOT_OPEN'],
      [clerk.headers, { ...body, uid: 'AABBCCDD' }, 404, 'CARD_NOT_FOUND'],
      [clerk.headers, { ...body, cardholderId: randomUUID() }, 404, 'CARDHOLDER_NOT_FOUND'],
      [clerk.headers, { ...body, productCode: 'platinum' }, 404, 'PRODUCT_NOT_FOUND'],
      [clerk.headers, { ...body, uid: 'not-hex' }, 400, 'VALIDATION_FAILED'],
    ];
    for (const [headers, payload, status, code] of cases) {
      const res = await inject('POST', '/cards/issue', headers, payload);
      expect([res.statusCode, res.json<{ code: string }>().code], code).toEqual([status, code]);
    }
    expect(await snapshot(t.deps.db, cardId)).toBe(before);
    const issued = await issueCard(t, clerk.headers, holder, uid ?? '');
    const again = await inject('POST', '/cards/issue', clerk.headers, body);
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({
      code: 'CARD_TRANSITION_ILLEGAL',
      details: { from: 'personalised', command: 'issue' },
    });
    expect(await cashFor(t.deps.db, issued.id)).toHaveLength(1);
  });

  it('lets exactly one of two clerks issue the same stock card at once', async () => {
    const other = await atCounter(t, admin);
    const [uid] = await importStock(t, supervisor, 1);
    const holder = await registerHolder(t, clerk.headers);
    const body = { uid, cardholderId: holder, productCode: 'standard' };
    const answers = await Promise.all(
      [clerk, other].map((c) => inject('POST', '/cards/issue', c.headers, body)),
    );
    expect(answers.map((a) => a.statusCode).sort()).toEqual([201, 409]);
    const won = answers.find((a) => a.statusCode === 201)?.json<CardResult>();
    expect(await cashFor(t.deps.db, won?.id ?? '')).toHaveLength(1);
    expect(await hotlistFor(t.deps.db, won?.id ?? '')).toEqual([]);
  });

  it('is counter work: auditors and administrators may not issue', async () => {
    for (const headers of [auditor, admin]) {
      const res = await inject('POST', '/cards/issue', headers, {});
      expect(res.statusCode).toBe(403);
    }
  });
});

describe('the lifecycle through the routes', () => {
  it('activates, freezes, unfreezes, reports lost and blocks, hotlisting as it goes', async () => {
    const card = await newCard();
    const step = async (path: string, headers: Headers, payload?: unknown) => {
      const res = await inject('POST', `/cards/${card.id}/${path}`, headers, payload);
      expect(res.statusCode, res.body).toBe(200);
      return res.json<CardResult>().state;
    };
    expect(await step('activate', clerk.headers)).toBe('active');
    expect(await hotlistFor(t.deps.db, card.id)).toEqual([]);
    expect(await step('freeze', clerk.headers, { reason: 'Holder asked' })).toBe('frozen');
    expect(await step('unfreeze', clerk.headers)).toBe('active');
    expect(await step('report-lost', clerk.headers)).toBe('lost_reported');
    const byClerk = await inject('POST', `/cards/${card.id}/block`, clerk.headers, {
      reason: 'Fraud',
    });
    expect(byClerk.statusCode).toBe(403);
    const noReason = await inject('POST', `/cards/${card.id}/block`, supervisor, {});
    expect(noReason.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(await step('block', supervisor, { reason: 'Fraud suspected' })).toBe('blocked');

    const listed = await hotlistFor(t.deps.db, card.id);
    expect(listed.map((h) => [h.action, h.reason, h.cardNumber])).toEqual([
      ['add', 'frozen', card.cardNumber],
      ['remove', 'unfrozen', card.cardNumber],
      ['add', 'lost', card.cardNumber],
      ['add', 'blocked', card.cardNumber],
    ]);
    const detail = await getCard(t, clerk.headers, card.id);
    expect(detail.history.map((h) => h.command)).toEqual([
      'import',
      'issue',
      'activate',
      'freeze',
      'unfreeze',
      'report_lost',
      'block',
    ]);
    expect(detail.history.at(-1)).toMatchObject({
      reason: 'Fraud suspected',
      fromState: 'lost_reported',
    });
    expect(await auditActions(t.deps.db, card.id)).toEqual([
      'card.issue',
      'card.activate',
      'card.freeze',
      'card.unfreeze',
      'card.report_lost',
      'card.block',
    ]);
  });

  it('refuses an illegal command with 409, its state and command, and changes nothing', async () => {
    const card = await activeCard();
    const before = await snapshot(t.deps.db, card.id);
    for (const [path, command] of [
      ['activate', 'activate'],
      ['unfreeze', 'unfreeze'],
    ] as const) {
      const res = await inject('POST', `/cards/${card.id}/${path}`, clerk.headers);
      expect(res.statusCode).toBe(409);
      expect(res.json()).toMatchObject({
        code: 'CARD_TRANSITION_ILLEGAL',
        details: { from: 'active', command },
      });
    }
    const cancel = await inject('POST', `/cards/${card.id}/cancel`, supervisor);
    expect(cancel.json()).toMatchObject({ details: { from: 'active', command: 'cancel' } });
    expect(await snapshot(t.deps.db, card.id)).toBe(before);
    const unknown = await inject('POST', `/cards/${randomUUID()}/freeze`, clerk.headers);
    expect([unknown.statusCode, unknown.json<{ code: string }>().code]).toEqual([
      404,
      'CARD_NOT_FOUND',
    ]);
  });

  it('keeps card numbers out of free-text reasons', async () => {
    const card = await activeCard();
    const res = await inject('POST', `/cards/${card.id}/freeze`, clerk.headers, {
      reason: `wrong card ${card.cardNumber}`,
    });
    expect(res.statusCode).toBe(400);
  });
});

describe('looking a card up', () => {
  it('by id or number, with a masked holder, its balance and history', async () => {
    const card = await activeCard();
    const byId = await getCard(t, auditor, card.id);
    const res = await inject('GET', `/cards/by-number/${card.cardNumber}`, clerk.headers);
    expect(res.statusCode).toBe(200);
    const byNumber = res.json<CardDetail>();
    expect(byNumber).toEqual(byId);
    expect(byId).toMatchObject({
      state: 'active',
      product: { code: 'standard', concessionRef: 'FULL' },
      depositHeld: true,
      shadowBalance: '0.00',
      transfers: [],
    });
    expect(byId.cardholder?.maskedName).toMatch(/^张 \*{8}$/);
    expect(byId.cardholder?.maskedIdNumber).toContain('****');
    const history = await inject('GET', `/cards/${card.id}/history`, auditor);
    expect(history.json<{ items: unknown[] }>().items).toEqual(byId.history);
  });

  it('answers a malformed number with its precise code, an unknown one with 404', async () => {
    const n = (await activeCard()).cardNumber ?? '';
    const wrongDigit = `${n.slice(0, 15)}${(Number(n[15]) + 1) % 10}`;
    const unissued = composeCardNumber({
      cityCode: '3100',
      productDigits: '01',
      serial: MAX_SERIAL,
    });
    const cases: [string, number, string][] = [
      [n.slice(0, 15), 400, 'CARD_NUMBER_LENGTH_INVALID'],
      [`${n.slice(0, 15)}X`, 400, 'CARD_NUMBER_NOT_DIGITS'],
      [wrongDigit, 400, 'CARD_NUMBER_CHECK_DIGIT_INVALID'],
      [unissued, 404, 'CARD_NOT_FOUND'],
    ];
    for (const [number, status, code] of cases) {
      const res = await inject('GET', `/cards/by-number/${number}`, clerk.headers);
      expect([res.statusCode, res.json<{ code: string }>().code]).toEqual([status, code]);
      expect(res.body).not.toContain(number);
    }
    expect(t.logs()).not.toContain(n);
    const admins = await inject('GET', `/cards/by-number/${n}`, admin);
    expect(admins.statusCode).toBe(403);
  });
});
