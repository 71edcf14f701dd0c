import { createHash, randomBytes } from 'node:crypto';
import { open, seal } from '@citycard/core/crypto';
import { withTransaction } from '@citycard/core/db';
import { AppError } from '@citycard/core/errors';
import {
  MAC_KEY_LENGTH,
  wrapMacKey,
  type EnrolmentRequest,
  type EnrolmentResponse,
} from '@citycard/terminal-sdk/protocol';
import type { GatewayDeps } from '../deps.js';
import { macKeyAad } from '../terminals/index.js';
import { lockToken, recordEnrolment, type TokenRow } from './enrolment.repository.js';

const sha256 = (data: string | Buffer): Buffer => createHash('sha256').update(data).digest();

const invalidToken = (): AppError => new AppError('ENROLMENT_TOKEN_INVALID');

/** The same CSR with its used token again: the terminal lost the first answer. */
function isRetry(row: TokenRow, csrFingerprint: string): boolean {
  return (
    row.used_at !== null &&
    row.csr_fingerprint === csrFingerprint &&
    row.terminal_csr_fingerprint === csrFingerprint &&
    row.terminal_status === 'enrolled'
  );
}

function usable(row: TokenRow | undefined, now: Date): row is TokenRow {
  return (
    row !== undefined &&
    row.operator_enabled &&
    row.terminal_operator_id === row.operator_id &&
    row.expires_at > now &&
    (row.terminal_status === 'registered' || row.terminal_status === 'enrolled')
  );
}

async function answer(
  deps: GatewayDeps,
  row: { terminalId: string; operatorId: string; certificatePem: string; macKeyId: string },
  macKey: Buffer,
): Promise<EnrolmentResponse> {
  return {
    v: 1,
    terminalId: row.terminalId,
    operatorId: row.operatorId,
    certificatePem: row.certificatePem,
    caCertificatePem: await deps.ca.caCertPem(),
    macKeyId: row.macKeyId,
    macKeyWrapped: wrapMacKey(row.certificatePem, macKey),
    gatewayTime: deps.clock().toISOString(),
  };
}

/**
 * Enrols the terminal a single-use token names: signs its CSR with the platform CA and gives it a
 * fresh MAC key wrapped to the certificate's key. The terminal id comes from the token only.
 */
export async function enrol(deps: GatewayDeps, req: EnrolmentRequest): Promise<EnrolmentResponse> {
  const tokenHash = sha256(req.token);
  const csrFingerprint = sha256(req.csrPem.trim()).toString('hex');
  return withTransaction(deps.db, async (tx) => {
    const now = deps.clock();
    const row = await lockToken(tx, tokenHash);
    if (!usable(row, now)) throw invalidToken();
    if (row.used_at !== null) {
      if (!isRetry(row, csrFingerprint) || row.certificate_pem === null) throw invalidToken();
      if (row.mac_key_sealed === null || row.mac_key_id === null) throw invalidToken();
      const macKey = open(row.mac_key_sealed, [deps.macKeyKek], macKeyAad(row.terminal_id));
      const { certificate_pem: certificatePem, mac_key_id: macKeyId } = row;
      return answer(
        deps,
        { terminalId: row.terminal_id, operatorId: row.operator_id, certificatePem, macKeyId },
        macKey,
      );
    }
    const issued = await deps.ca.issue({
      csrPem: req.csrPem,
      role: 'terminal',
      subjectId: row.terminal_id,
      validityDays: deps.settings.certificateValidityDays,
    });
    const macKey = randomBytes(MAC_KEY_LENGTH);
    const macKeyId = `mk-${randomBytes(6).toString('hex')}`;
    await recordEnrolment(tx, {
      terminalId: row.terminal_id,
      tokenHash,
      csrFingerprint,
      certSerial: issued.serial,
      certFingerprint: issued.fingerprintSha256,
      certificatePem: issued.certPem,
      macKeyId,
      macKeySealed: seal(macKey, deps.macKeyKek, macKeyAad(row.terminal_id)),
      device: req.device,
      at: now,
    });
    const terminal = { terminalId: row.terminal_id, operatorId: row.operator_id };
    return answer(deps, { ...terminal, certificatePem: issued.certPem, macKeyId }, macKey);
  });
}
