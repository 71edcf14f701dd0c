import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GENESIS_HASH, buildBatch, signRecord, signRequest } from '@citycard/terminal-sdk/protocol';
import { buildGatewayApp, type BuiltGateway } from '../app.js';
import {
  enrolledTerminal,
  startDistributionApp,
  type DistributionTestApp,
} from './distribution.test-support.js';

/**
 * Distribution inside the assembled gateway: its routes answer beside ingest's, and the
 * per-terminal rate limit covers the ingest routes registered after it.
 */
let t: DistributionTestApp;
let gw: BuiltGateway;

beforeAll(async () => {
  t = await startDistributionApp();
  gw = await buildGatewayApp({
    ...t.deps,
    logLevel: 'silent',
    distribution: { rateLimits: { perSecond: 0.001, burst: 3 } },
  });
  await gw.app.ready();
});
afterAll(async () => {
  await gw.app.close();
  await t.close();
});

describe('the assembled gateway', () => {
  it('serves time, metrics and the staff routes of distribution', async () => {
    expect((await gw.app.inject({ method: 'GET', url: '/v1/time' })).statusCode).toBe(200);
    expect((await gw.app.inject({ method: 'GET', url: '/metrics' })).body).toContain(
      'gateway_records_total',
    );
    expect((await gw.app.inject({ method: 'GET', url: '/admin/operators' })).statusCode).toBe(401);
  });

  it('limits a terminal on the ingest routes too', async () => {
    const terminal = await enrolledTerminal(t);
    const statuses: number[] = [];
    const record = signRecord(
      {
        v: 1,
        terminalId: terminal.terminalId,
        sequence: 1,
        type: 'purchase',
        cardNumber: '3100999999999999',
        uid: '0A0B0C0D',
        purseCounter: 1,
        amount: '1.00',
        balanceBefore: '5.00',
        balanceAfter: '4.00',
        occurredAt: new Date().toISOString(),
        operatorId: terminal.operatorId,
        location: { shopId: 's1' },
      },
      terminal.macKey,
    );
    const batch = buildBatch({
      terminalId: terminal.terminalId,
      batchSequence: 1,
      macKeyId: 'k1',
      macKey: terminal.macKey,
      prevHash: GENESIS_HASH,
      records: [record],
      skipped: [],
      createdAt: new Date().toISOString(),
    });
    const body = JSON.stringify(batch);
    for (let i = 0; i < 5; i++) {
      const headers = signRequest(
        { terminalId: terminal.terminalId, macKey: terminal.macKey },
        { method: 'POST', path: '/v1/batches', body },
        new Date(),
      );
      const res = await gw.app.inject({
        method: 'POST',
        url: '/v1/batches',
        headers: { ...headers, 'content-type': 'application/json' },
        payload: body,
      });
      statuses.push(res.statusCode);
    }
    // The batch is stored once and replayed twice; then the terminal has used its burst.
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
  });
});
