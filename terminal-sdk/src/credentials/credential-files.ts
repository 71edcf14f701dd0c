import { chmod, mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '@citycard/core/errors';
import { z } from 'zod';
import { writeFileAtomic } from '../journal/atomic-file.js';
import { idString } from '../protocol/index.js';
import { checkCredentials, makeCredentials, type TerminalCredentials } from './credentials.js';

export const CREDENTIAL_FILES = {
  identity: 'terminal.json',
  key: 'terminal-key.pem',
  certificate: 'terminal-cert.pem',
  ca: 'ca-cert.pem',
  macKey: 'mac-key.hex',
  pending: 'enrolment-pending.json',
} as const;

const identitySchema = z.object({
  terminalId: idString,
  operatorId: idString,
  macKeyId: idString,
});

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT';
}

/** Creates the directory owner-only; a directory others can read is tightened. */
export async function ensurePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
}

export async function saveCredentials(dir: string, c: TerminalCredentials): Promise<void> {
  await ensurePrivateDir(dir);
  const write = (name: string, content: string) => writeFileAtomic(join(dir, name), content, 0o600);
  await write(CREDENTIAL_FILES.key, c.keyPem);
  await write(CREDENTIAL_FILES.certificate, c.certificatePem);
  await write(CREDENTIAL_FILES.ca, c.caCertificatePem);
  await write(CREDENTIAL_FILES.macKey, c.macKey.toString('hex'));
  // Written last: its presence means the rest is complete.
  const { terminalId, operatorId, macKeyId } = c;
  await write(CREDENTIAL_FILES.identity, JSON.stringify({ terminalId, operatorId, macKeyId }));
}

async function readPrivate(dir: string, name: string): Promise<string> {
  const path = join(dir, name);
  try {
    const { mode } = await stat(path);
    if ((mode & 0o077) !== 0) {
      throw new AppError('CREDENTIALS_INVALID', {
        message: 'A credential file is readable by others than its owner',
        details: { file: name },
      });
    }
    return await readFile(path, 'utf8');
  } catch (error) {
    if (isMissing(error)) throw new AppError('CREDENTIALS_MISSING', { details: { file: name } });
    throw error;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Loads and checks what enrolment stored; CREDENTIALS_MISSING before enrolment. */
export async function loadCredentials(dir: string): Promise<TerminalCredentials> {
  const identityText = await readPrivate(dir, CREDENTIAL_FILES.identity);
  const identity = identitySchema.safeParse(parseJson(identityText));
  const macKeyHex = (await readPrivate(dir, CREDENTIAL_FILES.macKey)).trim();
  if (!identity.success || !/^[0-9a-f]{32}$/.test(macKeyHex)) {
    throw new AppError('CREDENTIALS_INVALID', {
      message: 'The stored identity or MAC key is damaged',
    });
  }
  const credentials = makeCredentials({
    ...identity.data,
    keyPem: await readPrivate(dir, CREDENTIAL_FILES.key),
    certificatePem: await readPrivate(dir, CREDENTIAL_FILES.certificate),
    caCertificatePem: await readPrivate(dir, CREDENTIAL_FILES.ca),
    macKey: Buffer.from(macKeyHex, 'hex'),
  });
  checkCredentials(credentials);
  return credentials;
}
