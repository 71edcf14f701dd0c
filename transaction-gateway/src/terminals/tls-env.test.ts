import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { gatewayTlsEnv } from './tls-env.js';

const schema = z.object(gatewayTlsEnv);

describe('the mutual-TLS environment', () => {
  it('is off unless asked for', () => {
    expect(schema.parse({})).toEqual({
      GATEWAY_TLS_HOSTNAMES: [],
      GATEWAY_REQUIRE_CLIENT_CERT: false,
    });
  });

  it('reads the port, the host names and the flag', () => {
    const env = schema.parse({
      GATEWAY_TLS_PORT: '8443',
      GATEWAY_TLS_HOSTNAMES: ' gw.example , ,gw2.example',
      GATEWAY_REQUIRE_CLIENT_CERT: 'true',
    });
    expect(env).toEqual({
      GATEWAY_TLS_PORT: 8443,
      GATEWAY_TLS_HOSTNAMES: ['gw.example', 'gw2.example'],
      GATEWAY_REQUIRE_CLIENT_CERT: true,
    });
  });

  it('refuses a flag it cannot read rather than guessing', () => {
    expect(schema.safeParse({ GATEWAY_REQUIRE_CLIENT_CERT: 'yes' }).success).toBe(false);
    expect(schema.safeParse({ GATEWAY_TLS_PORT: '70000' }).success).toBe(false);
  });
});
