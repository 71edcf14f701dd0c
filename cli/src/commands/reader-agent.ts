import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import pino from 'pino';
import { z } from 'zod';
import { loadConfig, runtimeEnv } from '@citycard/core/config';
import { runPlan, VirtualClassicCard, type ReaderHub } from '@citycard/core/card';
import { AppError } from '@citycard/core/errors';
import { createLogger } from '@citycard/core/logging';
import {
  DEFAULT_AGENT_PORT,
  IssuanceClient,
  startReaderAgent,
} from '@citycard/reader-agent/daemon';
import { positiveInt } from '../options.js';
import { untilSignal } from '../signals.js';

interface ReaderAgentCliOptions {
  issuanceUrl: string;
  cert: string;
  key: string;
  ca: string;
  port: number;
  allowedOrigin: string[];
  tokenFile?: string;
  spoolFile?: string;
  timeout: number;
  virtual?: boolean;
}

const envSchema = z.object({
  CITYCARD_DATA_DIR: runtimeEnv.CITYCARD_DATA_DIR,
  LOG_LEVEL: runtimeEnv.LOG_LEVEL,
});

function port(value: string): number {
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65_535) {
    throw new InvalidArgumentError('expected a TCP port (0–65535)');
  }
  return Number(value);
}

/** A page origin exactly as a browser sends it: scheme, host and port, nothing else. */
function origin(value: string, previous: string[] | undefined): string[] {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError('expected an origin such as http://localhost:5173');
  }
  if (!['http:', 'https:'].includes(url.protocol) || url.pathname !== '/' || url.search !== '') {
    throw new InvalidArgumentError('expected an origin such as http://localhost:5173');
  }
  // Commander passes the default list as `previous` on the first use: a given option replaces it.
  const list = previous === defaultOrigins ? [] : (previous ?? []);
  return [...list, url.origin];
}
const defaultOrigins = ['http://localhost:5173'];

/** A demo hub: one in-process reader holding one blank (transport-keyed) card. */
async function virtualHub(): Promise<{ hub: ReaderHub; uid: string }> {
  const { VirtualReaderHub } = await import('@citycard/reader-agent/virtual');
  const uid = randomBytes(4);
  // Not 0x08 (random UID) nor 0x88 (cascade tag): a plausible fixed single-size UID.
  uid[0] = 0x40 | ((uid[0] ?? 0) & 0x3f);
  const hub = new VirtualReaderHub();
  hub.plug('Virtual Reader 0').insert(VirtualClassicCard.blank(uid));
  return { hub, uid: uid.toString('hex').toUpperCase() };
}

/** Loaded on demand: a machine without the native PC/SC addon can still run --virtual. */
async function pcscHub(): Promise<ReaderHub> {
  let open: () => Promise<ReaderHub>;
  try {
    const { PcscReaderHub } = await import('@citycard/reader-agent/pcsc');
    open = () => PcscReaderHub.open();
  } catch (err) {
    throw new AppError('PCSC_UNAVAILABLE', {
      message: 'The PC/SC layer could not be loaded here; use --virtual for a demo',
      cause: err,
    });
  }
  return open();
}

async function openHub(virtual: boolean): Promise<ReaderHub> {
  if (!virtual) return pcscHub();
  const demo = await virtualHub();
  console.error(`virtual reader "Virtual Reader 0" holds a blank card, UID ${demo.uid}`);
  return demo.hub;
}

async function run(opts: ReaderAgentCliOptions): Promise<void> {
  const env = loadConfig(envSchema);
  const log = createLogger({
    name: 'reader-agent',
    level: env.LOG_LEVEL,
    destination: pino.destination(2),
  });
  const dir = path.resolve(env.CITYCARD_DATA_DIR, 'reader-agent');
  const [ca, cert, key] = await Promise.all([opts.ca, opts.cert, opts.key].map((f) => readFile(f)));
  const issuance = new IssuanceClient({
    baseUrl: opts.issuanceUrl,
    ...{ ca: ca as Buffer, cert: cert as Buffer, key: key as Buffer },
    timeoutMs: opts.timeout,
  });
  try {
    const hub = await openHub(opts.virtual === true);
    try {
      const agent = await startReaderAgent({
        hub,
        issuance,
        runPlan: (card, plan) => runPlan(card, plan),
        log,
        port: opts.port,
        allowedOrigins: opts.allowedOrigin,
        tokenFile: path.resolve(opts.tokenFile ?? path.join(dir, 'token')),
        spoolFile: path.resolve(opts.spoolFile ?? path.join(dir, 'pending-reports.json')),
      });
      console.error(`reader agent on ${agent.url}; bearer token in ${agent.tokenFile}`);
      const signal = await untilSignal();
      log.info({ signal }, 'shutting down');
      await agent.close();
    } finally {
      await hub.close();
    }
  } finally {
    issuance.close();
    // The TLS agent reads the key for every new connection: only now may it go.
    key?.fill(0);
  }
}

export function registerReaderAgent(program: Command): void {
  program
    .command('reader-agent')
    .description(
      'the counter daemon: card readers on a local API (127.0.0.1) for the console, plans from issuance',
    )
    .option('--issuance-url <url>', "issuance's agent API (mutual TLS)", 'https://127.0.0.1:8444')
    .requiredOption('--cert <file>', "this agent's client certificate (PEM, role reader-agent)")
    .requiredOption('--key <file>', "this agent's private key (PEM)")
    .requiredOption('--ca <file>', 'the platform CA certificate (PEM)')
    .option('--port <n>', 'local API port on 127.0.0.1', port, DEFAULT_AGENT_PORT)
    .option(
      '--allowed-origin <origin>',
      'console origin allowed to call (repeatable)',
      origin,
      defaultOrigins,
    )
    .option(
      '--token-file <file>',
      'where to write the bearer token (0600); default in CITYCARD_DATA_DIR',
    )
    .option('--spool-file <file>', 'undelivered reports; default in CITYCARD_DATA_DIR')
    .option('--timeout <ms>', 'issuance request timeout', positiveInt, 10_000)
    .option('--virtual', 'an in-process reader with a blank card instead of PC/SC (demos)')
    .action(run);
}
