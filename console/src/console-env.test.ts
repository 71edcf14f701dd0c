import { describe, expect, it } from 'vitest';
import { consoleOptionsFromEnv, DEFAULT_CONSOLE_PORT } from './console-env.js';

describe('console environment', () => {
  it('defaults to the ports of citycard serve all', () => {
    const o = consoleOptionsFromEnv({});
    expect(o).toMatchObject({
      host: '127.0.0.1',
      port: DEFAULT_CONSOLE_PORT,
      issuanceUrl: 'http://127.0.0.1:8081',
      gatewayUrl: 'http://127.0.0.1:8082',
      clearingUrl: 'http://127.0.0.1:8083',
    });
    expect(o.webRoot).toMatch(/web[/\\]dist$/);
  });

  it('takes a list of reader agent origins and its own port', () => {
    const o = consoleOptionsFromEnv({
      CONSOLE_PORT: '9000',
      CONSOLE_READER_AGENT_ORIGINS: 'http://127.0.0.1:8090, http://localhost:8091',
    });
    expect(o.port).toBe(9000);
    expect(o.readerAgentOrigins).toEqual(['http://127.0.0.1:8090', 'http://localhost:8091']);
  });
});
