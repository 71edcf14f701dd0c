import { describe, expect, it } from 'vitest';
import { issuanceHttpOptionsFromEnv } from './issuance-env.js';

describe('issuance HTTP environment', () => {
  it('trusts no proxy unless told', () => {
    expect(issuanceHttpOptionsFromEnv({})).toEqual({ trustProxy: [] });
    expect(issuanceHttpOptionsFromEnv({ ISSUANCE_TRUST_PROXY: '' })).toEqual({ trustProxy: [] });
  });

  it('takes addresses, CIDR ranges and named ranges', () => {
    const env = { ISSUANCE_TRUST_PROXY: '127.0.0.1, 10.0.0.0/8,::1, fd00::/8 ,loopback' };
    expect(issuanceHttpOptionsFromEnv(env).trustProxy).toEqual([
      '127.0.0.1',
      '10.0.0.0/8',
      '::1',
      'fd00::/8',
      'loopback',
    ]);
  });

  it.each([
    '*',
    'true',
    'console.internal',
    '10.0.0.0/33',
    '::1/129',
    '10.0.0.1/8/1',
    '10.0.0.0/x',
  ])('refuses %s', (value) => {
    let thrown: unknown;
    try {
      issuanceHttpOptionsFromEnv({ ISSUANCE_TRUST_PROXY: value });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toMatchObject({
      code: 'CONFIG_INVALID',
      details: { problems: [{ variable: 'ISSUANCE_TRUST_PROXY' }] },
    });
  });
});
