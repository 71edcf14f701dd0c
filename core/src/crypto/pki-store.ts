import { mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { AppError } from '../errors/index.js';
import { open, seal, type KeyEncryptionKey } from './envelope.js';
import {
  CERT_ROLES,
  createCa,
  issueCertificate,
  type CertRole,
  type IssuedCertificate,
} from './pki.js';
import { verifyCertificate, type VerifiedCertificate } from './pki-verify.js';
import { acquireLock, isMissing, replaceFile, createFile } from './private-files.js';

const CA_CERT = 'ca.cert.pem';
const CA_KEY = 'ca.key.sealed';
const REGISTRY = 'issued.json';
const LOCK = '.lock';
// Binds the sealed CA key to its purpose, so no other sealed secret can be swapped in for it.
const CA_KEY_AAD = 'citycard/pki/ca-key';

const recordSchema = z.object({
  serial: z.string(),
  role: z.enum(CERT_ROLES),
  subjectId: z.string(),
  issuedAt: z.string(),
  notAfter: z.string(),
  fingerprintSha256: z.string(),
  certPem: z.string(),
  revokedAt: z.string().optional(),
  revocationReason: z.string().optional(),
});
const registrySchema = z.object({ version: z.literal(1), certificates: z.array(recordSchema) });
type StoredRecord = z.infer<typeof recordSchema>;
type Registry = z.infer<typeof registrySchema>;

export type CertStatus = 'valid' | 'expired' | 'revoked';

export interface IssuedCertificateRecord {
  readonly serial: string;
  readonly role: CertRole;
  readonly subjectId: string;
  readonly issuedAt: Date;
  readonly notAfter: Date;
  readonly fingerprintSha256: string;
  readonly status: CertStatus;
  readonly revokedAt?: Date;
  readonly revocationReason?: string;
}

export interface IssueRequest {
  readonly csrPem: string;
  readonly role: CertRole;
  readonly subjectId: string;
  readonly validityDays: number;
}

function normaliseSerial(serial: string): string {
  return serial.replace(/:/g, '').toLowerCase();
}

/**
 * The platform CA kept in a directory: certificate in the clear, key only sealed under the KEK,
 * and a registry of everything issued. Changes hold a lock file so that concurrent commands do
 * not lose each other's updates.
 */
export class FilePkiStore {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly dir: string,
    private readonly kek: KeyEncryptionKey,
    private readonly previousKeks: readonly KeyEncryptionKey[] = [],
  ) {}

  async init(options: { commonName: string; validityDays?: number }): Promise<{ certPem: string }> {
    return this.exclusive(async () => {
      if (await this.exists()) throw new AppError('PKI_EXISTS', { details: { dir: this.dir } });
      const ca = createCa({
        commonName: options.commonName,
        validityDays: options.validityDays ?? 3650,
      });
      // A key left by an init that died before its certificate was written signed nothing: replace it.
      await replaceFile(this.dir, CA_KEY, seal(Buffer.from(ca.keyPem), this.kek, CA_KEY_AAD));
      await replaceFile(this.dir, REGISTRY, JSON.stringify({ version: 1, certificates: [] }));
      // The certificate is written last: its presence is what marks the store as initialised.
      await createFile(this.dir, CA_CERT, ca.certPem);
      return { certPem: ca.certPem };
    });
  }

  async caCertPem(): Promise<string> {
    try {
      return await readFile(join(this.dir, CA_CERT), 'utf8');
    } catch (error) {
      if (isMissing(error))
        throw new AppError('PKI_NOT_INITIALISED', { details: { dir: this.dir } });
      throw error;
    }
  }

  async issue(request: IssueRequest): Promise<IssuedCertificate> {
    return this.exclusive(async () => {
      const caCertPem = await this.caCertPem();
      const registry = await this.readRegistry();
      const caKey = await this.openCaKey();
      const issued = issueCertificate({ ...request, caCertPem, caKeyPem: caKey.toString('utf8') });
      caKey.fill(0);
      registry.certificates.push({
        serial: issued.serial,
        role: request.role,
        subjectId: request.subjectId,
        issuedAt: new Date().toISOString(),
        notAfter: issued.notAfter.toISOString(),
        fingerprintSha256: issued.fingerprintSha256,
        certPem: issued.certPem,
      });
      await replaceFile(this.dir, REGISTRY, JSON.stringify(registry, null, 2));
      return issued;
    });
  }

  /** Revokes by serial (hex, colons allowed). Revoking twice keeps the first date and reason. */
  async revoke(serial: string, reason: string): Promise<IssuedCertificateRecord> {
    const wanted = normaliseSerial(serial);
    return this.exclusive(async () => {
      await this.caCertPem();
      const registry = await this.readRegistry();
      const record = registry.certificates.find((c) => c.serial === wanted);
      if (!record) throw new AppError('NOT_FOUND', { message: 'No certificate with that serial' });
      if (record.revokedAt === undefined) {
        record.revokedAt = new Date().toISOString();
        record.revocationReason = reason.slice(0, 200);
        await replaceFile(this.dir, REGISTRY, JSON.stringify(registry, null, 2));
      }
      return toPublic(record, new Date());
    });
  }

  async revokedSerials(): Promise<Set<string>> {
    await this.caCertPem();
    const registry = await this.readRegistry();
    return new Set(registry.certificates.filter((c) => c.revokedAt).map((c) => c.serial));
  }

  async list(at: Date = new Date()): Promise<IssuedCertificateRecord[]> {
    await this.caCertPem();
    const registry = await this.readRegistry();
    return registry.certificates.map((record) => toPublic(record, at));
  }

  /** Verifies a client certificate against this CA and its current revocations. */
  async verify(certPem: string, at?: Date): Promise<VerifiedCertificate> {
    const [caCertPem, revokedSerials] = await Promise.all([
      this.caCertPem(),
      this.revokedSerials(),
    ]);
    return verifyCertificate({ caCertPem, certPem, revokedSerials, ...(at ? { at } : {}) });
  }

  /** Seals the CA key again under the current KEK, after which previous KEKs may be retired. */
  async rekey(): Promise<void> {
    await this.exclusive(async () => {
      const caKey = await this.openCaKey();
      try {
        await replaceFile(this.dir, CA_KEY, seal(caKey, this.kek, CA_KEY_AAD));
      } finally {
        caKey.fill(0);
      }
    });
  }

  private async exists(): Promise<boolean> {
    try {
      await stat(join(this.dir, CA_CERT));
      return true;
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
  }

  private async openCaKey(): Promise<Buffer> {
    let sealed: string;
    try {
      sealed = await readFile(join(this.dir, CA_KEY), 'utf8');
    } catch (error) {
      if (isMissing(error))
        throw new AppError('PKI_NOT_INITIALISED', { details: { dir: this.dir } });
      throw error;
    }
    return open(sealed.trim(), [this.kek, ...this.previousKeks], CA_KEY_AAD);
  }

  private async readRegistry(): Promise<Registry> {
    let text: string;
    try {
      text = await readFile(join(this.dir, REGISTRY), 'utf8');
    } catch (error) {
      if (isMissing(error)) return { version: 1, certificates: [] };
      throw error;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    const parsed = registrySchema.safeParse(json);
    if (!parsed.success) {
      throw new AppError('INTERNAL', { message: 'The PKI registry file is not valid' });
    }
    return parsed.data;
  }

  /** Runs one change at a time within this process, and under the lock file across processes. */
  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(async () => {
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
      const release = await acquireLock(join(this.dir, LOCK));
      try {
        return await work();
      } finally {
        await release();
      }
    });
    this.queue = run.catch(() => undefined);
    return run;
  }
}

function toPublic(record: StoredRecord, at: Date): IssuedCertificateRecord {
  const notAfter = new Date(record.notAfter);
  const revokedAt = record.revokedAt === undefined ? undefined : new Date(record.revokedAt);
  const status: CertStatus = revokedAt ? 'revoked' : at > notAfter ? 'expired' : 'valid';
  return {
    serial: record.serial,
    role: record.role,
    subjectId: record.subjectId,
    issuedAt: new Date(record.issuedAt),
    notAfter,
    fingerprintSha256: record.fingerprintSha256,
    status,
    ...(revokedAt ? { revokedAt, revocationReason: record.revocationReason ?? '' } : {}),
  };
}
