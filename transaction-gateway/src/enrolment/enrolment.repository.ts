import type { Queryable } from '@citycard/core/db';
import type { TerminalStatus } from '../terminals/index.js';

export interface TokenRow {
  operator_id: string;
  terminal_id: string;
  expires_at: Date;
  used_at: Date | null;
  csr_fingerprint: string | null;
  terminal_operator_id: string;
  terminal_status: TerminalStatus;
  terminal_csr_fingerprint: string | null;
  certificate_pem: string | null;
  mac_key_id: string | null;
  mac_key_sealed: string | null;
  enrolled_at: Date | null;
  operator_enabled: boolean;
}

/** The token and what it names, locked: two enrolments with one token run one after the other. */
export async function lockToken(db: Queryable, tokenHash: Buffer): Promise<TokenRow | undefined> {
  const { rows } = await db.query<TokenRow>(
    `SELECT k.operator_id, k.terminal_id, k.expires_at, k.used_at, k.csr_fingerprint,
            t.operator_id AS terminal_operator_id, t.status AS terminal_status,
            t.csr_fingerprint AS terminal_csr_fingerprint, t.certificate_pem,
            t.mac_key_id, t.mac_key_sealed, t.enrolled_at, o.enabled AS operator_enabled
       FROM enrolment_tokens k
       JOIN terminals t ON t.id = k.terminal_id
       JOIN operators o ON o.id = k.operator_id
      WHERE k.token_hash = $1
        FOR UPDATE OF k, t`,
    [tokenHash],
  );
  return rows[0];
}

export interface EnrolmentWrite {
  terminalId: string;
  tokenHash: Buffer;
  csrFingerprint: string;
  certSerial: string;
  certFingerprint: string;
  certificatePem: string;
  macKeyId: string;
  macKeySealed: string;
  device: unknown;
  at: Date;
}

export async function recordEnrolment(db: Queryable, e: EnrolmentWrite): Promise<void> {
  await db.query(
    `UPDATE terminals
        SET status = 'enrolled', cert_serial = $2, cert_fingerprint = $3, certificate_pem = $4,
            csr_fingerprint = $5, mac_key_id = $6, mac_key_sealed = $7, device = $8,
            enrolled_at = $9
      WHERE id = $1`,
    [
      e.terminalId,
      e.certSerial,
      e.certFingerprint,
      e.certificatePem,
      e.csrFingerprint,
      e.macKeyId,
      e.macKeySealed,
      e.device === undefined ? null : JSON.stringify(e.device),
      e.at,
    ],
  );
  await db.query(
    `UPDATE enrolment_tokens SET used_at = $2, csr_fingerprint = $3 WHERE token_hash = $1`,
    [e.tokenHash, e.at, e.csrFingerprint],
  );
  await db.query(
    `INSERT INTO terminal_ingest_state (terminal_id) VALUES ($1) ON CONFLICT DO NOTHING`,
    [e.terminalId],
  );
  await db.query(
    `INSERT INTO audit_events (at, action, subject, details)
     VALUES ($1, 'terminal.enrol', $2, $3)`,
    [
      e.at,
      `terminal:${e.terminalId}`,
      JSON.stringify({ certSerial: e.certSerial, macKeyId: e.macKeyId }),
    ],
  );
}
