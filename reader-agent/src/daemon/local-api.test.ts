import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runPlan } from '@citycard/core/card';
import { startReaderAgent, type RunningReaderAgent } from './reader-agent.js';
import { call } from './test-client.js';
import { VirtualReaderHub } from '../virtual/index.js';
import { captureLog, FakeIssuance } from './test-support.js';

const CONSOLE = 'http://localhost:5173';

describe('local API security', () => {
  let dir: string;
  let agent: RunningReaderAgent;
  let logs: ReturnType<typeof captureLog>;
  const bearer = (): Record<string, string> => ({ authorization: `Bearer ${agent.token}` });

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'reader-agent-'));
    logs = captureLog();
    const hub = new VirtualReaderHub();
    hub.plug('Reader A');
    agent = await startReaderAgent({
      hub,
      issuance: new FakeIssuance(),
      runPlan: (card, plan) => runPlan(card, plan),
      log: logs.log,
      port: 0,
      allowedOrigins: [CONSOLE],
      tokenFile: join(dir, 'agent', 'token'),
      spoolFile: join(dir, 'agent', 'reports.json'),
    });
  });

  afterEach(async () => {
    await agent.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('writes the token to a file only its owner can read, and never logs it', async () => {
    const file = join(dir, 'agent', 'token');
    expect((await readFile(file, 'utf8')).trim()).toBe(agent.token);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(agent.token.length).toBeGreaterThanOrEqual(40);
    await call(agent.port, '/v1/readers', { headers: bearer() });
    await call(agent.port, `/v1/events?token=${agent.token}`, { method: 'POST' });
    expect(logs.text()).not.toContain(agent.token);
  });

  it('listens on the loopback address only', () => {
    expect(agent.url).toBe(`http://127.0.0.1:${agent.port}`);
  });

  it('answers the readers to a caller with the token', async () => {
    const res = await call(agent.port, '/v1/readers', { headers: bearer() });
    expect(res.status).toBe(200);
    expect(res.json<unknown>()).toEqual([{ name: 'Reader A', card: null }]);
  });

  it('refuses a request without a token with 401 and the usual error body', async () => {
    const res = await call(agent.port, '/v1/readers');
    expect(res.status).toBe(401);
    const body = res.json();
    expect(body).toMatchObject({ code: 'UNAUTHENTICATED', retryable: false });
    expect(typeof body.requestId).toBe('string');
    expect(typeof body.message).toBe('string');
  });

  it('refuses a wrong token, and a token in the query outside the event stream', async () => {
    const wrong = await call(agent.port, '/v1/readers', {
      headers: { authorization: `Bearer ${agent.token.slice(0, -1)}x` },
    });
    expect(wrong.status).toBe(401);
    const basic = await call(agent.port, '/v1/readers', {
      headers: { authorization: `Basic ${agent.token}` },
    });
    expect(basic.status).toBe(401);
    const query = await call(agent.port, `/v1/readers?token=${agent.token}`);
    expect(query.status).toBe(401);
  });

  it('refuses a Host that is not this agent on loopback (DNS rebinding)', async () => {
    for (const host of [
      'evil.example',
      `evil.example:${agent.port}`,
      `127.0.0.1:${agent.port + 1}`,
    ]) {
      const res = await call(agent.port, '/v1/readers', { headers: { ...bearer(), host } });
      expect(res.status, host).toBe(403);
      expect(res.json().code).toBe('AGENT_ORIGIN_REFUSED');
    }
    const local = await call(agent.port, '/v1/readers', {
      headers: { ...bearer(), host: `localhost:${agent.port}` },
    });
    expect(local.status).toBe(200);
  });

  it('refuses a foreign Origin even with the token, and answers CORS to the console', async () => {
    const foreign = await call(agent.port, '/v1/readers', {
      headers: { ...bearer(), origin: 'https://evil.example' },
    });
    expect(foreign.status).toBe(403);
    expect(foreign.json().code).toBe('AGENT_ORIGIN_REFUSED');
    expect(foreign.headers['access-control-allow-origin']).toBeUndefined();
    const nullOrigin = await call(agent.port, '/v1/readers', {
      headers: { ...bearer(), origin: 'null' },
    });
    expect(nullOrigin.status).toBe(403);
    const ok = await call(agent.port, '/v1/readers', { headers: { ...bearer(), origin: CONSOLE } });
    expect(ok.status).toBe(200);
    expect(ok.headers['access-control-allow-origin']).toBe(CONSOLE);
  });

  it('answers a preflight from the console without a token, and not from elsewhere', async () => {
    const preflight = {
      origin: CONSOLE,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'authorization',
      'access-control-request-private-network': 'true',
    };
    const ok = await call(agent.port, '/v1/readers/Reader%20A/read', {
      method: 'OPTIONS',
      headers: preflight,
    });
    expect(ok.status).toBe(204);
    expect(ok.headers['access-control-allow-headers']).toContain('authorization');
    expect(ok.headers['access-control-allow-private-network']).toBe('true');
    const foreign = await call(agent.port, '/v1/readers/Reader%20A/read', {
      method: 'OPTIONS',
      headers: { ...preflight, origin: 'http://localhost:5174' },
    });
    expect(foreign.status).toBe(403);
  });

  it('answers NOT_FOUND for an unknown route, after authentication', async () => {
    expect((await call(agent.port, '/v1/nothing')).status).toBe(401);
    const res = await call(agent.port, '/v1/nothing', { headers: bearer() });
    expect(res.status).toBe(404);
    expect(res.json().code).toBe('NOT_FOUND');
  });

  it('says so when its port is taken, and leaves no token behind', async () => {
    const second = startReaderAgent({
      hub: new VirtualReaderHub(),
      issuance: new FakeIssuance(),
      runPlan: (card, plan) => runPlan(card, plan),
      log: logs.log,
      port: agent.port,
      allowedOrigins: [CONSOLE],
      tokenFile: join(dir, 'second', 'token'),
      spoolFile: join(dir, 'second', 'reports.json'),
    });
    await expect(second).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    await expect(stat(join(dir, 'second', 'token'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('removes the token file when it stops', async () => {
    await agent.close();
    await expect(stat(join(dir, 'agent', 'token'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
