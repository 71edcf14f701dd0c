import { scryptSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hashPassword, needsRehash, verifyPassword } from './password.js';

describe('password hashing', () => {
  it('verifies the right password and refuses a wrong one', async () => {
    const hash = await hashPassword('correct horse battery');
    expect(await verifyPassword('correct horse battery', hash)).toBe(true);
    expect(await verifyPassword('correct horse batterz', hash)).toBe(false);
    expect(await verifyPassword('', hash)).toBe(false);
  });

  it('salts every hash and carries its parameters, never the password', async () => {
    const [a, b] = await Promise.all([
      hashPassword('same password'),
      hashPassword('same password'),
    ]);
    expect(a).not.toBe(b);
    expect(a).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(a).not.toContain('same password');
    expect(needsRehash(a)).toBe(false);
  });

  it('checks against the parameters stored with the hash', async () => {
    const hash = await hashPassword('older parameters');
    // Same salt and password under weaker parameters: a different, self-consistent hash.
    const parts = hash.split('$');
    const salt = Buffer.from(parts[4] ?? '', 'base64url');
    const key = scryptSync('older parameters', salt, 32, { N: 1024, r: 8, p: 1 });
    const weak = `scrypt$1024$8$1$${parts[4]}$${key.toString('base64url')}`;
    expect(await verifyPassword('older parameters', weak)).toBe(true);
    expect(needsRehash(weak)).toBe(true);
  });

  it('treats a malformed or hostile stored hash as no match', async () => {
    for (const stored of [
      '',
      'plain',
      'scrypt$1000$8$1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5',
      `scrypt$${2 ** 30}$8$1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5`,
      'scrypt$1024$999$1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5',
    ]) {
      expect(await verifyPassword('anything at all', stored)).toBe(false);
    }
  });
});
