import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runPlan, type VirtualClassicCard } from '@citycard/core/card';
import { createKeyAndCsr, FilePkiStore, type KeyEncryptionKey } from '@citycard/core/crypto';
import { createLogger } from '@citycard/core/logging';
import { IssuanceClient, startReaderAgent } from '@citycard/reader-agent/daemon';
import { lockVpcdReaders, startVpcdCard, type PcscdGate } from '@citycard/reader-agent/testing';
import type { VpcdCard } from '@citycard/reader-agent/vpcd';
import { VirtualReaderHub } from '@citycard/reader-agent/virtual';
import { freePort } from '../gateway/gateway-process.js';
import { CityProcess, START_TIMEOUT_MS, type Env } from './processes.js';

/** The vpcd reader the counter's cards are put on (its twin stays free for the PC/SC tests). */
const VPCD_READER = 'Virtual PCD 00 01';
const VIRTUAL_READER = 'Counter reader';

/** The reader agent at the counter and the reader a clerk lays each card on. */
export interface CounterReader {
  readonly agentUrl: string;
  readonly token: string;
  readonly readerName: string;
  /** Lays the card on the reader; resolves once the agent sees it there. */
  present(chip: VirtualClassicCard): Promise<void>;
  /** Takes it off; resolves once the agent sees the reader empty. */
  take(): Promise<void>;
  close(): Promise<void>;
}

interface AgentCredentials {
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
}

/** The agent's certificate from the platform CA, as `citycard pki issue` would give it. */
async function agentCredentials(
  dataDir: string,
  kek: KeyEncryptionKey,
  agentId: string,
  dir: string,
): Promise<AgentCredentials> {
  const store = new FilePkiStore(path.join(dataDir, 'pki'), { id: 'kek-1', key: kek.key });
  const { keyPem, csrPem } = createKeyAndCsr({ commonName: agentId });
  const cert = await store.issue({
    csrPem,
    role: 'reader-agent',
    subjectId: agentId,
    validityDays: 1,
  });
  const files = {
    caFile: path.join(dir, 'ca.pem'),
    certFile: path.join(dir, 'agent.pem'),
    keyFile: path.join(dir, 'agent-key.pem'),
  };
  await writeFile(files.caFile, await store.caCertPem());
  await writeFile(files.certFile, cert.certPem);
  await writeFile(files.keyFile, keyPem, { mode: 0o600 });
  return files;
}

interface ReaderView {
  readonly name: string;
  readonly card: { readonly uid: string } | null;
}

/** Waits until the agent's reader holds the card with this UID (null: holds none). */
async function untilAgentSees(
  agentUrl: string,
  token: string,
  reader: string,
  uid: string | null,
): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const res = await fetch(`${agentUrl}/v1/readers`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const views = (await res.json()) as ReaderView[];
    const view = views.find((v) => v.name === reader);
    if (view !== undefined && (view.card?.uid ?? null) === uid) return;
    if (Date.now() > deadline) {
      throw new Error(`the agent's reader ${reader} does not show card ${uid ?? 'none'}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const uidOf = (chip: VirtualClassicCard): string => chip.identity.uid.toString('hex').toUpperCase();

/** `citycard reader-agent` as its own process on PC/SC, the cards on a vpcd reader of pcscd. */
async function agentOverPcscd(
  env: Env,
  issuanceAgentUrl: string,
  creds: AgentCredentials,
  dir: string,
): Promise<CounterReader> {
  const release = await lockVpcdReaders();
  const port = await freePort();
  const tokenFile = path.join(dir, 'agent.token');
  const agent = new CityProcess(
    'reader-agent',
    [
      'reader-agent',
      ...['--issuance-url', issuanceAgentUrl, '--cert', creds.certFile, '--key', creds.keyFile],
      ...['--ca', creds.caFile, '--port', String(port), '--token-file', tokenFile],
      ...['--spool-file', path.join(dir, 'agent.spool.json')],
    ],
    env,
  );
  try {
    await agent.line((l) => l.startsWith('reader agent on '), 'its local API', START_TIMEOUT_MS);
  } catch (err) {
    await agent.stop();
    await release();
    throw err;
  }
  const token = (await readFile(tokenFile, 'utf8')).trim();
  const agentUrl = `http://127.0.0.1:${port}`;
  let card: VpcdCard | undefined;
  return {
    agentUrl,
    token,
    readerName: VPCD_READER,
    async present(chip) {
      card = await startVpcdCard(chip, VPCD_READER);
      await untilAgentSees(agentUrl, token, VPCD_READER, uidOf(chip));
    },
    async take() {
      await card?.remove();
      card = undefined;
      await untilAgentSees(agentUrl, token, VPCD_READER, null);
    },
    async close() {
      await card?.remove();
      await agent.stop();
      await release();
    },
  };
}

/** Without pcscd: the reader agent in this process, over an in-process virtual reader. */
async function agentInProcess(
  issuanceAgentUrl: string,
  creds: AgentCredentials,
  dir: string,
): Promise<CounterReader> {
  const [ca, cert, key] = await Promise.all([
    readFile(creds.caFile),
    readFile(creds.certFile),
    readFile(creds.keyFile),
  ]);
  const hub = new VirtualReaderHub();
  const reader = hub.plug(VIRTUAL_READER);
  const agent = await startReaderAgent({
    hub,
    issuance: new IssuanceClient({ baseUrl: issuanceAgentUrl, ca, cert, key }),
    runPlan,
    log: createLogger({ name: 'reader-agent', level: 'warn' }),
    port: 0,
    allowedOrigins: [],
    tokenFile: path.join(dir, 'agent.token'),
    spoolFile: path.join(dir, 'agent.spool.json'),
  });
  return {
    agentUrl: agent.url,
    token: agent.token,
    readerName: VIRTUAL_READER,
    async present(chip) {
      reader.insert(chip);
      await untilAgentSees(agent.url, agent.token, VIRTUAL_READER, uidOf(chip));
    },
    async take() {
      reader.remove();
      await untilAgentSees(agent.url, agent.token, VIRTUAL_READER, null);
    },
    async close() {
      await agent.close();
      await hub.close();
    },
  };
}

/**
 * The counter's reader agent: over pcscd when it runs here (CITYCARD_REQUIRE_PCSCD=1 makes its
 * absence a failure), otherwise in this process over a virtual reader.
 */
export async function openCounterReader(options: {
  readonly env: Env;
  readonly dataDir: string;
  readonly kek: KeyEncryptionKey;
  readonly issuanceAgentUrl: string;
  readonly agentId: string;
  readonly dir: string;
  readonly pcscd: PcscdGate;
}): Promise<CounterReader> {
  const creds = await agentCredentials(options.dataDir, options.kek, options.agentId, options.dir);
  if (options.pcscd.available) {
    return agentOverPcscd(options.env, options.issuanceAgentUrl, creds, options.dir);
  }
  return agentInProcess(options.issuanceAgentUrl, creds, options.dir);
}
