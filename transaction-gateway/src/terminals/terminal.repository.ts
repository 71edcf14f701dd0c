import type { Queryable } from '@citycard/core/db';

export const TERMINAL_STATUSES = ['registered', 'enrolled', 'disabled', 'retired'] as const;
export type TerminalStatus = (typeof TERMINAL_STATUSES)[number];

export interface TerminalRow {
  id: string;
  operator_id: string;
  status: TerminalStatus;
  mac_key_id: string | null;
  mac_key_sealed: string | null;
  /** SHA-256 of the DER of the certificate the last enrolment issued (lower-case hex). */
  cert_fingerprint: string | null;
  operator_enabled: boolean;
}

export async function findTerminal(db: Queryable, id: string): Promise<TerminalRow | undefined> {
  const { rows } = await db.query<TerminalRow>(
    `SELECT t.id, t.operator_id, t.status, t.mac_key_id, t.mac_key_sealed,
            t.cert_fingerprint, o.enabled AS operator_enabled
       FROM terminals t JOIN operators o ON o.id = t.operator_id
      WHERE t.id = $1`,
    [id],
  );
  return rows[0];
}

/** The associated data a terminal's sealed MAC key is bound to: a key moved to another row fails. */
export const macKeyAad = (terminalId: string): string => `terminal-mac-key:${terminalId}`;
