import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { KeyEncryptionKey } from './envelope.js';
import { createKeyAndCsr } from './pki.js';
import { FilePkiStore } from './pki-store.js';
import { verifyCertificate } from './pki-verify.js';

const code = (c: string): unknown => expect.objectContaining({ code: c });
const kek: KeyEncryptionKey = { id: 'kek-1', key: randomBytes(32) };

let dir: string;
let csrPem: string;

beforeAll(() => {
  csrPem = createKeyAndCsr({ commonName: 'validator' }).csrPem;
});
beforeEach(async () => {
  dir = join(await mkdtemp(join(tmpdir(), 'citycard-pki-')), 'pki');
});
afterEach(async () => {
  await rm(join(dir, '..'), { recursive: true, force: true });
});

const request = { role: 'terminal' as const, subjectId: 'T-1', validityDays: 30 };

describe('FilePkiStore', () => {
  it('reports an empty directory as not initialised', async () => {
    const store = new FilePkiStore(dir, kek);
    await expect(store.caCertPem()).rejects.toEqual(code('PKI_NOT_INITIALISED'));
    await expect(store.issue({ csrPem, ...request })).rejects.toEqual(code('PKI_NOT_INITIALISED'));
    await expect(store.list()).rejects.toEqual(code('PKI_NOT_INITIALISED'));
    await expect(store.revokedSerials()).rejects.toEqual(code('PKI_NOT_INITIALISED'));
  });

  it('creates the CA once, with the key only sealed and every file private', async () => {
    const store = new FilePkiStore(dir, kek);
    const { certPem } = await store.init({ commonName: 'citycard platform CA' });
    expect(await store.caCertPem()).toBe(certPem);
    await expect(store.init({ commonName: 'again' })).rejects.toEqual(code('PKI_EXISTS'));

    const names = await readdir(dir);
    expect(names.sort()).toEqual(['ca.cert.pem', 'ca.key.sealed', 'issued.json']);
    for (const name of names) {
      expect((await stat(join(dir, name))).mode & 0o777).toBe(0o600);
      const text = await readFile(join(dir, name), 'utf8');
      expect(text).not.toContain('PRIVATE KEY');
    }
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    expect(await readFile(join(dir, 'ca.key.sealed'), 'utf8')).toMatch(/^v1\.kek-1\./);
  });

  it('issues, lists, revokes and verifies', async () => {
    const store = new FilePkiStore(dir, kek);
    await store.init({ commonName: 'citycard platform CA', validityDays: 100 });
    const a = await store.issue({ csrPem, ...request });
    const b = await store.issue({
      csrPem,
      role: 'service',
      subjectId: 'clearing',
      validityDays: 5,
    });
    const caCertPem = await store.caCertPem();
    expect(verifyCertificate({ caCertPem, certPem: a.certPem }).subjectId).toBe('T-1');
    expect((await store.verify(b.certPem)).role).toBe('service');

    const revoked = await store.revoke(a.serial.toUpperCase(), 'terminal stolen');
    expect(revoked).toMatchObject({
      serial: a.serial,
      status: 'revoked',
      revocationReason: 'terminal stolen',
    });
    const again = await store.revoke(a.serial, 'other reason');
    expect(again.revocationReason).toBe('terminal stolen');
    expect(await store.revokedSerials()).toEqual(new Set([a.serial]));
    await expect(store.verify(a.certPem)).rejects.toEqual(code('CERT_REVOKED'));
    await expect(store.revoke('00ff', 'x')).rejects.toEqual(code('NOT_FOUND'));

    const list = await store.list(new Date(Date.now() + 10 * 86_400_000));
    expect(list.map((c) => [c.serial, c.role, c.subjectId, c.status])).toEqual([
      [a.serial, 'terminal', 'T-1', 'revoked'],
      [b.serial, 'service', 'clearing', 'expired'],
    ]);
    expect((await store.list()).map((c) => c.status)).toEqual(['revoked', 'valid']);
    expect(JSON.parse(JSON.stringify(list[0]))).toMatchObject({ serial: a.serial });
  });

  it('keeps every certificate when issues run at the same time, also from two store objects', async () => {
    const one = new FilePkiStore(dir, kek);
    await one.init({ commonName: 'citycard platform CA' });
    const two = new FilePkiStore(dir, kek);
    const issued = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        (i % 2 ? one : two).issue({ csrPem, ...request, subjectId: `T-${i}` }),
      ),
    );
    const listed = await one.list();
    expect(listed.map((c) => c.serial).sort()).toEqual(issued.map((c) => c.serial).sort());
    expect((await readdir(dir)).filter((n) => n.startsWith('.'))).toEqual([]);
  });

  it('cannot issue with the wrong KEK, and rekeys to a new one', async () => {
    await new FilePkiStore(dir, kek).init({ commonName: 'citycard platform CA' });
    const wrong = new FilePkiStore(dir, { id: 'kek-1', key: randomBytes(32) });
    await expect(wrong.issue({ csrPem, ...request })).rejects.toEqual(code('ENVELOPE_INVALID'));

    const next: KeyEncryptionKey = { id: 'kek-2', key: randomBytes(32) };
    await new FilePkiStore(dir, next, [kek]).rekey();
    expect(await readFile(join(dir, 'ca.key.sealed'), 'utf8')).toMatch(/^v1\.kek-2\./);
    await expect(new FilePkiStore(dir, kek).issue({ csrPem, ...request })).rejects.toEqual(
      code('ENVELOPE_INVALID'),
    );
    const issued = await new FilePkiStore(dir, next).issue({ csrPem, ...request });
    expect(JSON.stringify(issued)).not.toContain('PRIVATE KEY');
  });

  it('refuses a bad CSR without recording anything', async () => {
    const store = new FilePkiStore(dir, kek);
    await store.init({ commonName: 'citycard platform CA' });
    await expect(store.issue({ csrPem: 'junk', ...request })).rejects.toEqual(code('CSR_INVALID'));
    expect(await store.list()).toEqual([]);
  });

  it('reports a corrupt registry instead of overwriting it', async () => {
    const store = new FilePkiStore(dir, kek);
    await store.init({ commonName: 'citycard platform CA' });
    await writeFile(join(dir, 'issued.json'), '{not json');
    await expect(store.list()).rejects.toEqual(code('INTERNAL'));
    await expect(store.issue({ csrPem, ...request })).rejects.toEqual(code('INTERNAL'));
    expect(await readFile(join(dir, 'issued.json'), 'utf8')).toBe('{not json');
  });

  it('takes over a lock left by a process that died', async () => {
    const store = new FilePkiStore(dir, kek);
    await store.init({ commonName: 'citycard platform CA' });
    const lock = join(dir, '.lock');
    await writeFile(lock, '');
    const old = new Date(Date.now() - 120_000);
    await utimes(lock, old, old);
    await store.issue({ csrPem, ...request });
    expect((await store.list()).length).toBe(1);
  });
});
