import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScratchDatabase, type ScratchDatabase } from '@citycard/core/db';
import { parseAmount, sumAmounts, type Amount } from '@citycard/core/money';
import { verifyAuditChain } from './audit/verify.js';
import { residentId, uniqueName } from './cardholders/test-support.js';
import { makeBranch } from './drawers/test-support.js';
import { startIssuanceTestApp, type IssuanceTestApp } from './testing/harness.js';

/**
 * One clerk's day at the counter, end to end through the HTTP API: open the drawer, register
 * three people, issue their cards with deposits, report one lost and replace it, refund another,
 * close the drawer. It runs in a database of its own so that the audit chain it verifies is
 * exactly the one this day wrote.
 */
let t: IssuanceTestApp;
let serverUrl: string;
let own: ScratchDatabase;

beforeAll(async () => {
  serverUrl = process.env.DATABASE_URL ?? '';
  own = await createScratchDatabase({
    serverUrl,
    prefix: 'citycard_counter_day',
    applicationName: 'citycard-counter-day-test',
  });
  process.env.DATABASE_URL = own.url;
  t = await startIssuanceTestApp();
});

afterAll(async () => {
  await t.close();
  process.env.DATABASE_URL = serverUrl;
  await own.close();
});

type Json = Record<string, unknown>;

async function call<T = Json>(
  method: 'GET' | 'POST',
  url: string,
  headers: Record<string, string>,
  payload?: unknown,
  status = [200, 201],
): Promise<T> {
  const res = await t.app.inject({
    method,
    url,
    headers,
    ...(payload === undefined ? {} : { payload: payload as Json }),
  });
  expect(status, `${method} ${url}: ${res.body}`).toContain(res.statusCode);
  return res.json<T>();
}

describe('a counter day', () => {
  it('balances the drawer to the fen, hotlists exactly what it should and keeps the audit chain intact', async () => {
    // The branch, the staff and the stock.
    const adminUser = await t.signIn('admin');
    const place = await makeBranch(t, adminUser.headers, 1);
    const counterId = place.counterIds[0] ?? '';
    const clerk = await t.signIn('clerk', { branchId: place.branchId, counterId });
    const supervisor = await t.signIn('supervisor', { branchId: place.branchId });
    const uids = Array.from({ length: 4 }, () => randomBytes(4).toString('hex').toUpperCase());
    await call('POST', '/stock/batches', adminUser.headers, uids);
    const products = await call<{
      items?: { code: string; deposit: string }[];
      products?: { code: string; deposit: string }[];
    }>('GET', '/products', clerk.headers);
    const deposit = (code: string): Amount =>
      parseAmount(
        (products.items ?? products.products ?? []).find((p) => p.code === code)?.deposit,
      );

    // The clerk opens the drawer with a float.
    const float = parseAmount('300.00');
    await call('POST', '/drawers/open', clerk.headers, { openingFloat: float.toString() });

    // Three people register and get their cards, each paying their product's deposit.
    const people = [
      { product: 'standard', dateOfBirth: '1984-05-17' },
      { product: 'student', dateOfBirth: '2009-09-01' },
      { product: 'senior', dateOfBirth: '1950-02-28' },
    ];
    const cards: { id: string; cardNumber: string; product: string }[] = [];
    for (const [i, person] of people.entries()) {
      const holder = await call<{ id: string }>('POST', '/cardholders', clerk.headers, {
        name: uniqueName('Resident'),
        document: { type: 'resident_id', number: residentId(person.dateOfBirth) },
        dateOfBirth: person.dateOfBirth,
      });
      const card = await call<{ id: string; cardNumber: string; state: string }>(
        'POST',
        '/cards/issue',
        clerk.headers,
        {
          uid: uids[i],
          cardholderId: holder.id,
          productCode: person.product,
        },
      );
      expect(card.state).toBe('personalised');
      await call('POST', `/cards/${card.id}/activate`, clerk.headers, {});
      cards.push({ id: card.id, cardNumber: card.cardNumber, product: person.product });
    }
    const [lost, refunded] = cards as [(typeof cards)[0], (typeof cards)[0], (typeof cards)[0]];

    // The first card is reported lost and replaced: the deposit moves with the card, no cash.
    await call('POST', `/cards/${lost.id}/report-lost`, clerk.headers, {
      reason: 'lost on the bus',
    });
    const replaced = await call<{ replacement: { id: string; state: string } }>(
      'POST',
      `/cards/${lost.id}/replace`,
      clerk.headers,
      {
        newUid: uids[3],
        reason: 'replacement for a lost card',
      },
    );
    expect(replaced.replacement.state).toBe('personalised');

    // The second card is handed back and refunded in cash: its deposit (no balance was loaded).
    const payout = await call<{ paidOut: { deposit: string; balance: string; total: string } }>(
      'POST',
      `/cards/${refunded.id}/refund`,
      clerk.headers,
      { reason: 'moving away' },
    );
    expect(payout.paidOut).toEqual({
      deposit: deposit('student').toString(),
      balance: '0.00',
      total: deposit('student').toString(),
    });

    // The drawer should hold the float plus the deposits taken minus what was paid out.
    const taken = sumAmounts(people.map((p) => deposit(p.product)));
    const expected = float.add(taken).sub(parseAmount(payout.paidOut.total));
    const current = await call<{ expectedCash: string }>('GET', '/drawers/current', clerk.headers);
    expect(current.expectedCash).toBe(expected.toString());
    const closed = await call<{
      id: string;
      expectedCash: string;
      difference: string;
      result: string;
    }>('POST', '/drawers/current/close', clerk.headers, {
      countedCash: expected.toString(),
    });
    expect(closed).toMatchObject({
      expectedCash: expected.toString(),
      difference: '0.00',
      result: 'balanced',
    });

    // The supervisor sees the closed drawer, balanced.
    const seen = await call<{ difference: string; result: string }>(
      'GET',
      `/drawers/${closed.id}`,
      supervisor.headers,
    );
    expect(seen).toMatchObject({ difference: '0.00', result: 'balanced' });

    // Hotlist: the lost card (reported lost, then replaced) and the refunded card; nothing else.
    const hotlist = await call<{ entries: { cardNumber: string | null; action: string }[] }>(
      'GET',
      '/hotlist?sinceVersion=0',
      supervisor.headers,
    );
    const added = new Set(
      hotlist.entries.filter((e) => e.action === 'add').map((e) => e.cardNumber),
    );
    expect([...added].sort()).toEqual([lost.cardNumber, refunded.cardNumber].sort());
    expect(hotlist.entries.filter((e) => e.action === 'remove')).toEqual([]);

    // Every change is in the audit log, and the chain verifies from its first row.
    const verdict = await verifyAuditChain(t.deps.db);
    expect(verdict.ok, JSON.stringify(verdict)).toBe(true);
    expect(verdict.checked).toBeGreaterThan(15);
    const viaApi = await call<{ ok: boolean }>(
      'GET',
      '/audit/verify',
      (await t.signIn('auditor')).headers,
    );
    expect(viaApi.ok).toBe(true);
  });
});
