import type { Queryable } from '@citycard/core/db';
import { cardAnomaliesTotal } from '../metrics/index.js';
import type { Finding } from './continuity.js';

/** Kinds that can stop being true when more records arrive (a gap filled, a day completed). */
const RESOLVABLE = ['counter_gap', 'fare_day_mismatch'] as const;

/**
 * Stores what a run found for one card: new findings are inserted once (the key makes re-runs
 * idempotent); open resolvable findings that the run looked at (`inScope`) and no longer sees
 * are marked resolved. Returns the findings that are new.
 */
export async function recordFindings(
  db: Queryable,
  cardNumber: string,
  findings: readonly Finding[],
  now: Date,
  inScope: (kind: string, key: string) => boolean,
): Promise<Finding[]> {
  const fresh: Finding[] = [];
  for (const f of findings) {
    const { rowCount } = await db.query(
      `INSERT INTO card_anomalies (card_number, kind, key, terminal_id, sequence, purse_counter,
         details, detected_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (card_number, kind, key) DO NOTHING`,
      [
        cardNumber,
        f.kind,
        f.key,
        f.terminalId ?? null,
        f.sequence ?? null,
        f.purseCounter ?? null,
        f.details,
        now,
      ],
    );
    if (rowCount === 1) {
      fresh.push(f);
      cardAnomaliesTotal.inc({ kind: f.kind });
    }
  }
  const { rows } = await db.query<{ id: string; kind: string; key: string }>(
    `SELECT id::text, kind, key FROM card_anomalies
      WHERE card_number = $1 AND resolved_at IS NULL AND kind = ANY($2::text[])`,
    [cardNumber, RESOLVABLE],
  );
  const seen = new Set(findings.map((f) => `${f.kind}|${f.key}`));
  const gone = rows.filter((r) => inScope(r.kind, r.key) && !seen.has(`${r.kind}|${r.key}`));
  if (gone.length > 0) {
    await db.query(
      `UPDATE card_anomalies SET resolved_at = greatest($2, detected_at) WHERE id = ANY($1::bigint[])`,
      [gone.map((r) => r.id), now],
    );
  }
  return fresh;
}

export interface AnomalyOut {
  id: string;
  cardNumber: string;
  kind: string;
  terminalId: string | null;
  sequence: string | null;
  purseCounter: string | null;
  details: Record<string, unknown>;
  detectedAt: string;
  resolvedAt: string | null;
}

export async function listAnomalies(
  db: Queryable,
  filter: { cardNumber?: string | undefined; openOnly?: boolean },
): Promise<AnomalyOut[]> {
  const { rows } = await db.query<{
    id: string;
    card_number: string;
    kind: string;
    terminal_id: string | null;
    sequence: string | null;
    purse_counter: string | null;
    details: Record<string, unknown>;
    detected_at: Date;
    resolved_at: Date | null;
  }>(
    `SELECT id, card_number, kind, terminal_id, sequence, purse_counter, details, detected_at,
            resolved_at
       FROM card_anomalies
      WHERE ($1::text IS NULL OR card_number = $1) AND (NOT $2 OR resolved_at IS NULL)
      ORDER BY id DESC LIMIT 1000`,
    [filter.cardNumber ?? null, filter.openOnly ?? false],
  );
  return rows.map((r) => ({
    id: r.id,
    cardNumber: r.card_number,
    kind: r.kind,
    terminalId: r.terminal_id,
    sequence: r.sequence,
    purseCounter: r.purse_counter,
    details: r.details,
    detectedAt: r.detected_at.toISOString(),
    resolvedAt: r.resolved_at === null ? null : r.resolved_at.toISOString(),
  }));
}
