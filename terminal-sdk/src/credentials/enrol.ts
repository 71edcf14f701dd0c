import { readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { createKeyAndCsr } from '@citycard/core/crypto';
import { AppError } from '@citycard/core/errors';
import { z } from 'zod';
import { writeFileAtomic } from '../journal/atomic-file.js';
import {
  PROTOCOL_PATHS,
  enrolmentResponseSchema,
  unwrapMacKey,
  type EnrolmentRequest,
} from '../protocol/index.js';
import type { GatewayClient } from '../uploader/gateway-client.js';
import { CREDENTIAL_FILES, ensurePrivateDir, saveCredentials } from './credential-files.js';
import { checkCredentials, makeCredentials, type TerminalCredentials } from './credentials.js';

export interface EnrolOptions {
  dir: string;
  client: GatewayClient;
  /** The operator's single-use enrolment token. */
  token: string;
  device?: EnrolmentRequest['device'];
}

const pendingSchema = z.object({ keyPem: z.string(), csrPem: z.string() });

/**
 * The key pair survives a lost answer: a retry sends the same CSR, which lets the gateway answer
 * the same enrolment again instead of refusing a used token.
 */
async function pendingKeyAndCsr(dir: string): Promise<{ keyPem: string; csrPem: string }> {
  const path = join(dir, CREDENTIAL_FILES.pending);
  try {
    return pendingSchema.parse(JSON.parse(await readFile(path, 'utf8')));
  } catch {
    const fresh = createKeyAndCsr({ commonName: 'citycard-terminal' });
    await writeFileAtomic(path, JSON.stringify(fresh), 0o600);
    return fresh;
  }
}

/** Enrols with the gateway and stores certificate, private key and MAC key (mode 0600). */
export async function enrolTerminal(options: EnrolOptions): Promise<TerminalCredentials> {
  await ensurePrivateDir(options.dir);
  const { keyPem, csrPem } = await pendingKeyAndCsr(options.dir);
  const body: EnrolmentRequest = { v: 1, token: options.token, csrPem };
  if (options.device) body.device = options.device;
  const { data } = await options.client.request(
    'POST',
    PROTOCOL_PATHS.enrol,
    enrolmentResponseSchema,
    {
      body,
    },
  );
  if (!data)
    throw new AppError('GATEWAY_RESPONSE_INVALID', { details: { path: PROTOCOL_PATHS.enrol } });
  const input = {
    terminalId: data.terminalId,
    operatorId: data.operatorId,
    macKeyId: data.macKeyId,
    certificatePem: data.certificatePem,
    caCertificatePem: data.caCertificatePem,
    keyPem,
    macKey: unwrapMacKey(keyPem, data.macKeyWrapped),
  };
  checkCredentials(input);
  const credentials = makeCredentials(input);
  await saveCredentials(options.dir, credentials);
  await unlink(join(options.dir, CREDENTIAL_FILES.pending)).catch(() => undefined);
  return credentials;
}
