import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../testing/index.js';
import { openSimGateway } from './sim-gateway.js';

let gateway: TestGateway;
let dir: string;

beforeAll(async () => {
  gateway = await startTestGateway();
  dir = await mkdtemp(join(tmpdir(), 'citycard-sim-gateway-'));
});
afterAll(async () => {
  await gateway.close();
  await rm(dir, { recursive: true, force: true });
});

describe('a remote gateway with a mutual-TLS listener', () => {
  it('enrols at the plain URL and hands terminals their certificate for the TLS one', async () => {
    const spec = { terminalId: 'bus-1', operatorId: 'jiangbei-bus', kind: 'bus', ref: 1 } as const;
    const token = gateway.distribution.issueToken(spec.terminalId, spec.operatorId);
    const sim = await openSimGateway(
      {
        kind: 'remote',
        url: gateway.url,
        tlsUrl: 'https://gateway.example:8443',
        enrolmentTokens: { terminals: { [spec.terminalId]: token } },
      },
      'enrol',
      1,
    );
    expect(sim.url).toBe('https://gateway.example:8443');
    const keys = await sim.keysFor(spec, join(dir, spec.terminalId));
    const tls = keys.tls;
    if (tls === undefined) throw new Error('no TLS material');
    const cert = new X509Certificate(tls.certPem);
    expect(cert.verify(new X509Certificate(tls.caPem).publicKey)).toBe(true);
    expect(cert.subjectAltName).toContain(`urn:citycard:terminal:${keys.terminalId}`);
    expect(JSON.stringify(keys)).not.toContain('PRIVATE KEY');
    await sim.close();
  });

  it('gives no TLS material without a TLS URL', async () => {
    const spec = { terminalId: 'bus-2', operatorId: 'jiangbei-bus', kind: 'bus', ref: 2 } as const;
    const token = gateway.distribution.issueToken(spec.terminalId, spec.operatorId);
    const sim = await openSimGateway(
      { kind: 'remote', url: gateway.url, enrolmentTokens: { terminals: { 'bus-2': token } } },
      'enrol',
      1,
    );
    expect(sim.url).toBe(gateway.url);
    expect((await sim.keysFor(spec, join(dir, spec.terminalId))).tls).toBeUndefined();
  });
});
