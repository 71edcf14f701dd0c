import { createHmac } from 'node:crypto';
import { join } from 'node:path';
import { AppError } from '@citycard/core/errors';
import { enrolTerminal } from '../credentials/index.js';
import { MAC_KEY_LENGTH, type HotlistEntry } from '../protocol/index.js';
import { startTestGateway, type TestGateway } from '../testing/index.js';
import { GatewayClient, type ClientTlsOptions } from '../uploader/index.js';
import type { TerminalSpec } from './city.js';

/** Enrolment tokens the operators handed out: one per terminal, or one per operator. */
export interface EnrolmentTokens {
  readonly terminals?: Readonly<Record<string, string>>;
  readonly operators?: Readonly<Record<string, string>>;
}

export type SimGatewayOption =
  /** The SDK's test gateway, in this process, records kept in memory (started when not given). */
  | { readonly kind: 'built-in'; readonly gateway?: TestGateway }
  | {
      readonly kind: 'remote';
      readonly url: string;
      readonly enrolmentTokens: EnrolmentTokens;
      /**
       * The gateway's mutual-TLS listener (https://): terminals enrol at `url`, then upload and
       * sync here with the certificate enrolment gave them.
       */
      readonly tlsUrl?: string;
      /** Reports a card lost where the gateway's hotlist comes from (issuance). */
      readonly reportLost?: (card: { cardNumber: string; uid: string }) => Promise<void>;
    };

/** 'enrol': the protocol's enrolment; 'seeded': test MAC keys from the seed (built-in only). */
export type TerminalKeyMode = 'enrol' | 'seeded';

export interface SimKeys {
  readonly terminalId: string;
  readonly operatorId: string;
  readonly macKeyId: string;
  readonly macKey: Buffer;
  /** The terminal's certificate, key and platform CA, when it talks to the gateway over mTLS. */
  readonly tls?: ClientTlsOptions;
}

export interface SimGateway {
  /** Where terminals upload and sync. */
  readonly url: string;
  readonly builtIn: TestGateway | undefined;
  keysFor(spec: TerminalSpec, dir: string): Promise<SimKeys>;
  reportLost(entry: HotlistEntry): Promise<void>;
  close(): Promise<void>;
}

/** A test MAC key for a simulated terminal, from the seed; never a key a gateway handed out. */
export function seededMacKey(seed: string | number, label: string): Buffer {
  return createHmac('sha256', `citycard simulator test mac keys/${seed}`)
    .update(label)
    .digest()
    .subarray(0, MAC_KEY_LENGTH);
}

function tokenFor(tokens: EnrolmentTokens, spec: TerminalSpec): string {
  const token = tokens.terminals?.[spec.terminalId] ?? tokens.operators?.[spec.operatorId];
  if (token === undefined) {
    throw new AppError('VALIDATION_FAILED', {
      message: 'No enrolment token for a simulated terminal',
      details: { terminalId: spec.terminalId, operatorId: spec.operatorId },
    });
  }
  return token;
}

async function enrol(url: string, dir: string, token: string, mtls = false): Promise<SimKeys> {
  const client = new GatewayClient({ baseUrl: url });
  const c = await enrolTerminal({ dir: join(dir, 'credentials'), client, token });
  const keys = {
    terminalId: c.terminalId,
    operatorId: c.operatorId,
    macKeyId: c.macKeyId,
    macKey: c.macKey,
  };
  if (!mtls) return keys;
  const tls = { certPem: c.certificatePem, keyPem: c.keyPem, caPem: c.caCertificatePem };
  // Not enumerable, like the credentials' own key: a logged SimKeys never shows it.
  return Object.defineProperty(keys, 'tls', { value: tls, enumerable: false });
}

/** Connects the simulator to the gateway it uploads to, starting the test gateway if asked. */
export async function openSimGateway(
  option: SimGatewayOption,
  mode: TerminalKeyMode,
  seed: string | number,
): Promise<SimGateway> {
  if (option.kind === 'remote') {
    if (mode === 'seeded') {
      throw new AppError('VALIDATION_FAILED', {
        message: 'Seeded terminal keys work only with the built-in test gateway',
      });
    }
    const mtls = option.tlsUrl !== undefined;
    return {
      url: option.tlsUrl ?? option.url,
      builtIn: undefined,
      keysFor: (spec, dir) => enrol(option.url, dir, tokenFor(option.enrolmentTokens, spec), mtls),
      reportLost: async (entry) => {
        if (!option.reportLost) {
          throw new AppError('VALIDATION_FAILED', {
            message: 'A lost card needs reportLost with a remote gateway',
          });
        }
        await option.reportLost({ cardNumber: entry.cardNumber ?? '', uid: entry.uid });
      },
      close: () => Promise.resolve(),
    };
  }
  const started = option.gateway === undefined;
  const gateway = option.gateway ?? (await startTestGateway());
  return {
    url: gateway.url,
    builtIn: gateway,
    keysFor: async (spec, dir) => {
      if (mode === 'enrol') {
        const token = gateway.distribution.issueToken(spec.terminalId, spec.operatorId);
        return enrol(gateway.url, dir, token);
      }
      const keys = {
        terminalId: spec.terminalId,
        operatorId: spec.operatorId,
        macKeyId: 'k1',
        macKey: seededMacKey(seed, spec.terminalId),
      };
      gateway.ledger.terminals.set(spec.terminalId, keys);
      return keys;
    },
    reportLost: (entry) => {
      gateway.distribution.changeHotlist('add', entry);
      return Promise.resolve();
    },
    close: () => (started ? gateway.close() : Promise.resolve()),
  };
}
