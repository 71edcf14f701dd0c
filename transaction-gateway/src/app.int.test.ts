import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayTestApp, type GatewayTestApp } from './testing/index.js';

let gw: GatewayTestApp;

beforeAll(async () => {
  gw = await startGatewayTestApp();
});
afterAll(async () => {
  await gw.close();
});

describe('gateway app', () => {
  it('declares who may call each ingest, enrolment and quarantine route', () => {
    const rules = [...gw.built.terminal.routes(), ...gw.built.staff.routes()].map(
      (r) => `${r.method} ${r.url} ${JSON.stringify(r.access)}`,
    );
    expect(rules).toEqual([
      'POST /v1/batches ["terminal"]',
      'POST /v1/transactions ["terminal"]',
      'POST /v1/terminals/enrol "public"',
      'GET /v1/quarantine ["finance","auditor","admin"]',
      'POST /v1/quarantine/:terminalId/:sequence/decisions ["finance"]',
      'POST /v1/quarantine/decisions/:id/approve ["finance"]',
    ]);
  });

  it('serves health, readiness and the OpenAPI document', async () => {
    expect((await gw.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    expect((await gw.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
    const docs = await gw.app.inject({ method: 'GET', url: '/docs/json' });
    expect(docs.statusCode).toBe(200);
    expect(Object.keys(docs.json<{ paths: object }>().paths)).toEqual(
      expect.arrayContaining(['/v1/batches', '/v1/transactions', '/v1/terminals/enrol']),
    );
  });
});
