import { mkdtemp, readdir, rm, stat, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../testing/index.js';
import { GatewayClient } from '../uploader/index.js';
import { enrolTerminal, loadCredentials } from './index.js';

let gateway: TestGateway;
const dirs: string[] = [];

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'credentials-'));
  dirs.push(dir);
  return join(dir, 'terminal');
}

beforeAll(async () => {
  gateway = await startTestGateway();
});
afterAll(async () => {
  await gateway.close();
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('enrolment and credentials', () => {
  it('enrols with a token, stores owner-only files and loads them back', async () => {
    const dir = await tempDir();
    const token = gateway.distribution.issueToken('T-100', 'bus-north');
    const client = new GatewayClient({ baseUrl: gateway.url });
    const enrolled = await enrolTerminal({ dir, client, token });
    expect(enrolled).toMatchObject({
      terminalId: 'T-100',
      operatorId: 'bus-north',
      macKeyId: 'k1',
    });
    expect(enrolled.macKey).toEqual(gateway.ledger.terminals.get('T-100')?.macKey);
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    for (const name of await readdir(dir)) {
      expect((await stat(join(dir, name))).mode & 0o777, name).toBe(0o600);
    }
    const loaded = await loadCredentials(dir);
    expect(loaded.macKey).toEqual(enrolled.macKey);
    expect(loaded.keyPem).toBe(enrolled.keyPem);
  });

  it('never shows the private key or MAC key when serialised or inspected', async () => {
    const dir = await tempDir();
    const token = gateway.distribution.issueToken('T-101', 'bus-north');
    const c = await enrolTerminal({
      dir,
      client: new GatewayClient({ baseUrl: gateway.url }),
      token,
    });
    const shown = JSON.stringify(c) + inspect(c, { depth: 5 });
    expect(shown).not.toContain('PRIVATE KEY');
    expect(shown).not.toContain(c.macKey.toString('hex'));
    expect(shown).toContain('T-101');
  });

  it('survives a lost answer: the retry with the same key gets the same enrolment', async () => {
    const dir = await tempDir();
    const token = gateway.distribution.issueToken('T-102', 'metro');
    const client = new GatewayClient({ baseUrl: gateway.url });
    gateway.faults.dropNextResponses = 1;
    await expect(enrolTerminal({ dir, client, token })).rejects.toMatchObject({
      code: 'GATEWAY_UNREACHABLE',
    });
    const c = await enrolTerminal({ dir, client, token });
    expect(c.terminalId).toBe('T-102');
  });

  it('refuses a used token from another key, and a missing or exposed store', async () => {
    const token = gateway.distribution.issueToken('T-103', 'metro');
    const client = new GatewayClient({ baseUrl: gateway.url });
    const dir = await tempDir();
    await enrolTerminal({ dir, client, token });
    await expect(enrolTerminal({ dir: await tempDir(), client, token })).rejects.toMatchObject({
      code: 'ENROLMENT_TOKEN_INVALID',
    });
    await expect(loadCredentials(await tempDir())).rejects.toMatchObject({
      code: 'CREDENTIALS_MISSING',
    });
    await chmod(join(dir, 'mac-key.hex'), 0o644);
    await expect(loadCredentials(dir)).rejects.toMatchObject({ code: 'CREDENTIALS_INVALID' });
  });
});
