import { describe, expect, it } from 'vitest';
import { errorText } from '../i18n/errors';
import { ApiError, createApiClient } from './client';

interface Seen {
  url: string;
  init: RequestInit;
}

function client(answer: () => Response, token: string | null = 'tok') {
  const seen: Seen[] = [];
  let ended = 0;
  const api = createApiClient({
    token: () => token,
    onUnauthenticated: () => (ended += 1),
    fetch: (input, init) => {
      seen.push({ url: input instanceof Request ? input.url : String(input), init: init ?? {} });
      return Promise.resolve(answer());
    },
  });
  return { api, seen, ended: () => ended };
}

const json = (status: number, body: unknown) => () =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

describe('the API client', () => {
  it('calls the service under /api with the bearer token, JSON only with a body', async () => {
    const { api, seen } = client(json(200, { ok: true }));
    await api.get('clearing', '/v1/runs', { day: '2025-01-02', status: undefined });
    await api.post('issuance', '/cards/x/refund');
    await api.post('issuance', '/drawers/open', { openingFloat: '1.00' });
    expect(seen.map((s) => s.url)).toEqual([
      '/api/clearing/v1/runs?day=2025-01-02',
      '/api/issuance/cards/x/refund',
      '/api/issuance/drawers/open',
    ]);
    const headers = seen.map((s) => s.init.headers as Record<string, string>);
    expect(headers[0]?.authorization).toBe('Bearer tok');
    expect(headers[1]?.['content-type']).toBeUndefined();
    expect(headers[2]?.['content-type']).toBe('application/json');
    expect(seen[2]?.init.body).toBe('{"openingFloat":"1.00"}');
  });

  it("turns a service's {code, message} into a localized error", async () => {
    const { api } = client(
      json(403, {
        code: 'SETTLEMENT_SELF_APPROVAL',
        message: 'A finance user other…',
        requestId: 'r1',
      }),
    );
    const err = await api.post('clearing', '/v1/runs/x/approve').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ code: 'SETTLEMENT_SELF_APPROVAL', status: 403, requestId: 'r1' });
    expect(errorText(err, 'zh-CN')).toContain('须由另一位财务人员批准');
    expect(errorText(err, 'en')).toContain('another finance user must approve');
  });

  it("falls back to the service's message for a code it does not know", async () => {
    const { api } = client(json(409, { code: 'SOMETHING_NEW', message: 'Something new happened' }));
    const err = await api.get('gateway', '/v1/quarantine').catch((e: unknown) => e);
    expect(errorText(err, 'zh-CN')).toBe('Something new happened');
  });

  it('names the fields of a validation failure', async () => {
    const { api } = client(
      json(400, {
        code: 'VALIDATION_FAILED',
        message: 'The request is not valid',
        details: { issues: [{ path: 'body.amount', message: 'x' }] },
      }),
    );
    const err = await api.post('issuance', '/cards/x/loads', {}).catch((e: unknown) => e);
    expect(errorText(err, 'zh-CN')).toBe('输入内容有误 (amount)');
  });

  it('ends the session on a 401 to a signed-in call, not on a failed sign-in', async () => {
    const signedIn = client(
      json(401, { code: 'UNAUTHENTICATED', message: 'Authentication required' }),
    );
    await signedIn.api.get('issuance', '/auth/me').catch(() => undefined);
    expect(signedIn.ended()).toBe(1);
    const signingIn = client(json(401, { code: 'LOGIN_FAILED', message: 'wrong' }), null);
    await signingIn.api.post('issuance', '/auth/login', {}).catch(() => undefined);
    expect(signingIn.ended()).toBe(0);
  });

  it('says NETWORK when the console server cannot be reached', async () => {
    const api = createApiClient({
      token: () => null,
      onUnauthenticated: () => undefined,
      fetch: () => Promise.reject(new TypeError('fetch failed')),
    });
    await expect(api.get('issuance', '/products')).rejects.toMatchObject({ code: 'NETWORK' });
  });
});
