import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors/index.js';
import { REDACTED_KEYS, redact } from './redact.js';

const PAN = '3100123456789012';
const ID = '11010519491231002X';

describe('redact', () => {
  it('masks and hides known keys at any depth, in arrays too', () => {
    const input = {
      batch: {
        terminals: [{ card: { cardNumber: PAN, holder: { idNumber: ID, token: 'tok-1' } } }],
      },
      a: { b: { c: { d: { e: { f: { password: 'hunter2', keep: 'ok' } } } } } },
    };
    expect(redact(input)).toEqual({
      batch: {
        terminals: [
          {
            card: {
              cardNumber: '************9012',
              holder: { idNumber: '110105********002X', token: '[redacted]' },
            },
          },
        ],
      },
      a: { b: { c: { d: { e: { f: { password: '[redacted]', keep: 'ok' } } } } } },
    });
  });

  it('matches keys whatever their case or separators', () => {
    const out = redact({
      CardNumber: PAN,
      CARD_NO: PAN,
      'card-number': PAN,
      PAN,
      Authorization: 'Bearer x',
      KEY_A: 'aa',
    });
    expect(out).toEqual({
      CardNumber: '************9012',
      CARD_NO: '************9012',
      'card-number': '************9012',
      PAN: '************9012',
      Authorization: '[redacted]',
      KEY_A: '[redacted]',
    });
  });

  it('hides compound secret names and whole objects under a secret or card key', () => {
    const out = redact({
      clientSecret: 's',
      apiToken: 't',
      kek: { version: 2, bytes: 'x' },
      pan: { raw: PAN },
    });
    expect(out).toEqual({
      clientSecret: '[redacted]',
      apiToken: '[redacted]',
      kek: '[redacted]',
      pan: '[redacted]',
    });
  });

  it('never prints binary data, under a secret key or not', () => {
    const key = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
    const out = redact({
      masterKey: key,
      keyB: new Uint8Array(16),
      diversified: key,
      nested: [key],
    });
    expect(out).toEqual({
      masterKey: '[redacted]',
      keyB: '[redacted]',
      diversified: '[binary 16 bytes]',
      nested: ['[binary 16 bytes]'],
    });
  });

  it('leaves the caller’s object untouched', () => {
    const input = { user: { password: 'p', cards: [{ cardNumber: PAN }] }, when: new Date(0) };
    const before = structuredClone(input);
    redact(input);
    expect(input).toEqual(before);
  });

  it('keeps message, stack and code of errors, and redacts their details and cause', () => {
    const cause = Object.assign(new Error('db down'), { code: 'ECONNREFUSED' });
    const err = new AppError('VALIDATION_FAILED', { details: { cardNumber: PAN }, cause });
    const out = redact({ err }) as { err: Record<string, unknown> };
    expect(out.err).toMatchObject({
      type: 'AppError',
      message: 'The request is not valid',
      code: 'VALIDATION_FAILED',
      details: { cardNumber: '************9012' },
      cause: { type: 'Error', message: 'db down', code: 'ECONNREFUSED' },
    });
    expect(out.err.stack).toContain('AppError');
  });

  it('cuts cycles and bounds depth, array length and string length', () => {
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    expect(redact(cyclic)).toEqual({ name: 'loop', self: '[circular]' });

    let deep: Record<string, unknown> = { token: 'x' };
    for (let i = 0; i < 50; i++) deep = { next: deep };
    expect(JSON.stringify(redact(deep))).toContain('[depth limit]');

    const long = redact(Array.from({ length: 500 }, (_, i) => i)) as unknown[];
    expect(long).toHaveLength(101);
    expect(long.at(-1)).toBe('[400 more items]');
    expect((redact('x'.repeat(100_000)) as string).length).toBeLessThan(10_000);
  });

  it('keeps a __proto__ key as data', () => {
    const out = redact(JSON.parse('{"__proto__": {"token": "t"}}')) as object;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(JSON.stringify(out)).toBe('{"__proto__":{"token":"[redacted]"}}');
  });

  it('converts Maps, Sets, bigints and toJSON values', () => {
    const out = redact({
      m: new Map([['secret', 's']]),
      s: new Set([1n]),
      d: { toJSON: () => '12.30' },
    });
    expect(out).toEqual({ m: { secret: '[redacted]' }, s: ['1'], d: '12.30' });
  });

  it('lets no secret value through whatever the nesting', () => {
    const secretKey = fc.constantFrom(...REDACTED_KEYS);
    const secret = fc.constant('zz-hidden-value-9876');
    const tree = fc.letrec((tie) => ({
      node: fc.oneof(
        { maxDepth: 6 },
        fc.string({ maxLength: 4 }),
        fc.record({ k: secretKey, v: secret }).map(({ k, v }) => ({ [k]: v })),
        fc.dictionary(fc.string({ maxLength: 6 }), tie('node'), { maxKeys: 3 }),
        fc.array(tie('node'), { maxLength: 3 }),
      ),
    })).node;
    fc.assert(
      fc.property(tree, (value) => {
        expect(JSON.stringify(redact(value)) ?? '').not.toContain('-hidden-');
      }),
    );
  });
});
