import type pg from 'pg';
import { withTransaction, type Queryable } from '@citycard/core/db';
import { AppError } from '@citycard/core/errors';

export interface RunHour {
  readonly operatorId: string;
  /** The local hour's start, ISO 8601 with the zone's offset then, e.g. 2026-11-27T08:00:00+08:00. */
  readonly hourStart: string;
  /** 0-23, local. */
  readonly localHour: number;
  readonly count: number;
  /** Two-place decimal string. */
  readonly gross: string;
}

interface HourRow {
  operator_id: string;
  hour_start: Date;
  local_start: string;
  n: number;
  gross: string;
}

/**
 * What a run cleared, per operator and local hour of occurrence, read back through its cleared
 * ranges, so the figures are exactly the transactions the run counted, late ones included, and
 * the run itself spends nothing on them. The range pieces are materialised first so the planner
 * can either hash them against one pass over the records or walk the primary key piece by piece,
 * whichever the table's size favours. date_trunc in the zone keeps DST and half-hour offsets right.
 */
const HOURS_SQL = `
WITH pieces AS MATERIALIZED (
  SELECT c.terminal_id, lower(p.piece) AS lo, upper(p.piece) AS hi
    FROM clearing.cleared_ranges c
    CROSS JOIN LATERAL unnest(c.sequences) AS p (piece)
   WHERE c.run_id = $1
), hours AS (
  SELECT t.operator_id, date_trunc('hour', t.occurred_at, $2) AS hour_start,
         count(*)::int AS n, sum(t.amount)::numeric(18,2)::text AS gross
    FROM pieces p
    JOIN gateway.accepted_transactions_contract t
      ON t.terminal_id = p.terminal_id AND t.sequence >= p.lo AND t.sequence < p.hi
   GROUP BY 1, 2
)
SELECT operator_id, hour_start, n, gross,
       to_char(hour_start AT TIME ZONE $2, 'YYYY-MM-DD"T"HH24:MI:SS') AS local_start
  FROM hours
 ORDER BY hour_start, operator_id COLLATE "C"`;

/** "+08:00" for a local wall-clock time and the instant it names. */
function offsetOf(localStart: string, instant: Date): string {
  const minutes = Math.round((Date.parse(`${localStart}Z`) - instant.getTime()) / 60_000);
  const abs = Math.abs(minutes);
  const hh = String(Math.floor(abs / 60)).padStart(2, '0');
  const mm = String(abs % 60).padStart(2, '0');
  return `${minutes < 0 ? '-' : '+'}${hh}:${mm}`;
}

/** One snapshot: a rerun superseding the run meanwhile cannot leave it looking empty. */
export function runHours(pool: pg.Pool, runId: string, timeZone: string): Promise<RunHour[]> {
  return withTransaction(pool, (tx) => readHours(tx, runId, timeZone), {
    isolation: 'repeatable read',
  });
}

async function readHours(db: Queryable, runId: string, timeZone: string): Promise<RunHour[]> {
  const { rows: runs } = await db.query<{ status: string }>(
    'SELECT status FROM clearing.runs WHERE id = $1::uuid',
    [runId],
  );
  const run = runs[0];
  if (run === undefined) throw new AppError('CLEARING_RUN_NOT_FOUND', { details: { runId } });
  if (run.status === 'superseded') {
    // Its cleared ranges went back with it; the run that replaced it holds them now.
    throw new AppError('CONFLICT', {
      message: 'A superseded run released what it cleared; ask the run that replaced it',
      details: { runId, status: run.status },
    });
  }
  const { rows } = await db.query<HourRow>(HOURS_SQL, [runId, timeZone]);
  return rows.map((r) => ({
    operatorId: r.operator_id,
    hourStart: `${r.local_start}${offsetOf(r.local_start, r.hour_start)}`,
    localHour: Number(r.local_start.slice(11, 13)),
    count: r.n,
    gross: r.gross,
  }));
}
