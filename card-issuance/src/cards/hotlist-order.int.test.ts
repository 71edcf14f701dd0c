import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTransaction } from '@citycard/core/db';
import { startIssuanceTestApp, type IssuanceTestApp } from '../testing/harness.js';
import { appendHotlist, hotlistSince, latestHotlistVersion } from './hotlist.repository.js';
import { atCounter, importStock, issueCard, registerHolder } from './test-support.js';

let t: IssuanceTestApp;

beforeAll(async () => {
  t = await startIssuanceTestApp();
});
afterAll(async () => {
  await t?.close();
});

describe('the hotlist delta', () => {
  it('comes in numeric version order across a power of ten (100 after 99, not before)', async () => {
    const admin = (await t.signIn('admin')).headers;
    const supervisor = (await t.signIn('supervisor')).headers;
    const clerk = await atCounter(t, admin, 'clerk', '100.00');
    const [uid] = await importStock(t, supervisor, 1);
    const holder = await registerHolder(t, clerk.headers);
    const card = await issueCard(t, clerk.headers, holder, uid ?? '');

    const since = await latestHotlistVersion(t.deps.db);
    // Enough entries that the versions gain a digit, where text order and numeric order part.
    const target = 10n ** BigInt(since.length) + 1n;
    let version = BigInt(since);
    for (let i = 0; version < target; i++) {
      const v = await withTransaction(t.deps.db, (tx) =>
        appendHotlist(tx, {
          cardId: card.id,
          cardNumber: card.cardNumber,
          uid: card.uid,
          action: i % 2 === 0 ? 'add' : 'remove',
          reason: i % 2 === 0 ? 'frozen' : 'unfrozen',
          at: new Date(),
        }),
      );
      version = BigInt(v);
    }

    const entries = await hotlistSince(t.deps.db, since, 100_000);
    const versions = entries.map((e) => BigInt(e.version));
    expect(versions.length).toBeGreaterThan(1);
    for (let i = 1; i < versions.length; i++) {
      expect(versions[i]! > versions[i - 1]!, `${versions[i - 1]} then ${versions[i]}`).toBe(true);
    }
  });
});
