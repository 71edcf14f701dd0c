import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FilePendingTapStore } from './file-pending-store.js';
import type { PendingTap } from './pending-taps.js';

const dirs: string[] = [];
async function freshDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'citycard-pending-'));
  dirs.push(dir);
  return dir;
}
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

function tap(uid: string, counter: number): PendingTap {
  return {
    uid,
    kind: 'purse',
    draft: {
      type: 'transit_flat',
      cardNumber: '3100000000000017',
      uid,
      purseCounter: counter,
      amount: '2.00',
      balanceBefore: '10.00',
      balanceAfter: '8.00',
      occurredAt: '2026-11-27T08:00:00+08:00',
      operatorId: 'jiangbei-bus',
      location: { routeId: 'J1' },
    },
    counter,
    balanceAfterFen: 800,
    committed: null,
    recorded: false,
    followUp: [{ block: 8, data: '00'.repeat(16) }],
  };
}

describe('pending taps on disk', () => {
  it('are there again after a restart, exactly as put, until deleted', async () => {
    const dir = await freshDir();
    const store = new FilePendingTapStore(dir);
    store.put(tap('04A1B2C3', 2));
    store.put(tap('04D5E6F7', 5));
    store.put({ ...tap('04A1B2C3', 2), committed: true });

    const reopened = new FilePendingTapStore(dir);
    expect(reopened.list()).toHaveLength(2);
    expect(reopened.get('04A1B2C3')).toEqual({ ...tap('04A1B2C3', 2), committed: true });
    reopened.delete('04A1B2C3');
    expect(new FilePendingTapStore(dir).list().map((t) => t.uid)).toEqual(['04D5E6F7']);
    expect((await readdir(dir)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('keeps its files private to the terminal', async () => {
    const dir = await freshDir();
    new FilePendingTapStore(dir).put(tap('04A1B2C3', 1));
    const mode = (await stat(join(dir, '04A1B2C3.pending.json'))).mode & 0o777;
    expect(mode).toBe(0o600);
  });

  it('refuses a UID that is not hex, so no file name escapes the directory', async () => {
    const store = new FilePendingTapStore(await freshDir());
    expect(() => store.put(tap('../../etc', 1))).toThrow(/hex UID/);
  });

  it('hands out copies, so a caller cannot change what is stored', async () => {
    const store = new FilePendingTapStore(await freshDir());
    store.put(tap('04A1B2C3', 1));
    const got = store.get('04A1B2C3')!;
    got.committed = true;
    expect(store.get('04A1B2C3')!.committed).toBeNull();
  });
});
