import type { Queryable } from '@citycard/core/db';
import { AppError } from '@citycard/core/errors';
import { Rate, parseAmount } from '@citycard/core/money';
import type { ClearingResult } from './compute.js';
import type { FloatCarry } from './float-check.js';
import { floatDetailOf, type StoredFloatDetail } from './float-detail.js';
import { canonicalJson } from './hash.js';
import type {
  FloatCheck,
  IssuanceTotals,
  ListRunsFilter,
  NetPosition,
  RuleVersions,
  Run,
  RunDetail,
  RunLine,
  RunStatus,
  SubsidyLine,
} from './run.types.js';

const money = (v: string): ReturnType<typeof parseAmount> =>
  parseAmount(v, { allowNegative: true });

export interface NewRun {
  readonly id: string;
  readonly day: string;
  readonly cutoff: Date;
  readonly startedBy: string;
  readonly startedAt: Date;
  readonly inputHash: string;
  readonly outputHash: string;
  readonly floatCheck: FloatCheck;
  readonly supersedes: string | null;
  /** The earliest accepted_at the take read from; null: it read every stored record. */
  readonly takeFloor: Date | null;
  /** The snapshots whose unseen loads and cash the take read too; null: it read everything. */
  readonly takeSince: readonly string[] | null;
  readonly floatCarry: FloatCarry | null;
}

export async function insertRun(db: Queryable, run: NewRun, result: ClearingResult): Promise<void> {
  const sum = (f: (l: RunLine) => ReturnType<typeof money>) =>
    result.lines.reduce((s, l) => s.add(f(l)), money('0.00')).toString();
  await db.query(
    `INSERT INTO clearing.runs (id, business_day, status, cutoff, started_by, started_at, input_hash,
       output_hash, rule_versions, transaction_count, total_gross, total_commission, total_subsidy,
       total_net, float_ledger, float_shadow, float_ok, issuance, supersedes, status_changed_at,
       float_detail, take_floor, float_snapshot, float_totals, take_snapshot, take_since)
     VALUES ($1, $2, 'computed', $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
             $18, $5, $19, $20, $21::pg_snapshot, $22::jsonb, pg_current_snapshot(),
             $23::pg_snapshot[])`,
    [
      run.id,
      run.day,
      run.cutoff,
      run.startedBy,
      run.startedAt,
      run.inputHash,
      run.outputHash,
      JSON.stringify(result.ruleVersions),
      result.lines.reduce((n, l) => n + l.count, 0),
      sum((l) => l.gross),
      sum((l) => l.commission),
      sum((l) => l.subsidy),
      sum((l) => l.net),
      run.floatCheck.ledgerFloat.toString(),
      run.floatCheck.shadowTotal.toString(),
      run.floatCheck.ok,
      JSON.stringify(result.issuance),
      run.supersedes,
      run.floatCheck.detail === null ? null : canonicalJson(run.floatCheck.detail),
      run.takeFloor,
      run.floatCarry?.snapshot ?? null,
      run.floatCarry === null ? null : JSON.stringify(run.floatCarry.totals),
      run.takeSince,
    ],
  );
  await insertLines(db, run.id, result);
}

async function insertLines(db: Queryable, runId: string, result: ClearingResult): Promise<void> {
  const l = result.lines;
  await db.query(
    `INSERT INTO clearing.run_lines (run_id, operator_id, count, gross, commission, subsidy,
       adjustments, net, late_count, late_gross, fee_schedule_id, fee_schedule_version)
     SELECT $1, * FROM unnest($2::text[], $3::bigint[], $4::numeric[], $5::numeric[],
       $6::numeric[], $7::numeric[], $8::numeric[], $9::bigint[], $10::numeric[], $11::uuid[],
       $12::int[])`,
    [
      runId,
      l.map((x) => x.operatorId),
      l.map((x) => x.count),
      l.map((x) => x.gross.toString()),
      l.map((x) => x.commission.toString()),
      l.map((x) => x.subsidy.toString()),
      l.map((x) => x.adjustments.toString()),
      l.map((x) => x.net.toString()),
      l.map((x) => x.lateCount),
      l.map((x) => x.lateGross.toString()),
      l.map((x) => x.feeScheduleId),
      l.map((x) => x.feeScheduleVersion),
    ],
  );
  const t = l.flatMap((x) => x.byType.map((b) => ({ op: x.operatorId, ...b })));
  await db.query(
    `INSERT INTO clearing.run_type_lines (run_id, operator_id, transaction_type, count, gross,
       commission)
     SELECT $1, * FROM unnest($2::text[], $3::text[], $4::bigint[], $5::numeric[], $6::numeric[])`,
    [
      runId,
      t.map((x) => x.op),
      t.map((x) => x.type),
      t.map((x) => x.count),
      t.map((x) => x.gross.toString()),
      t.map((x) => x.commission.toString()),
    ],
  );
  const s = result.subsidies;
  await db.query(
    `INSERT INTO clearing.run_subsidies (run_id, operator_id, rider_category_id, count, discount,
       rate, subsidy)
     SELECT $1, * FROM unnest($2::text[], $3::text[], $4::bigint[], $5::numeric[], $6::numeric[],
       $7::numeric[])`,
    [
      runId,
      s.map((x) => x.operatorId),
      s.map((x) => x.riderCategoryId),
      s.map((x) => x.count),
      s.map((x) => x.discount.toString()),
      s.map((x) => x.rate),
      s.map((x) => x.subsidy.toString()),
    ],
  );
  const p = result.positions;
  await db.query(
    `INSERT INTO clearing.run_positions (run_id, party_id, kind, position)
     SELECT $1, * FROM unnest($2::text[], $3::text[], $4::numeric[])`,
    [runId, p.map((x) => x.partyId), p.map((x) => x.kind), p.map((x) => x.position.toString())],
  );
}

interface RunRow {
  id: string;
  day: string;
  status: RunStatus;
  cutoff: Date;
  started_by: string;
  started_at: Date;
  input_hash: string;
  output_hash: string;
  rule_versions: RuleVersions;
  transaction_count: string;
  total_gross: string;
  total_commission: string;
  total_subsidy: string;
  total_net: string;
  float_ledger: string;
  float_shadow: string;
  float_ok: boolean;
  issuance: Record<string, string | number>;
  supersedes: string | null;
  float_detail: StoredFloatDetail | null;
}

const RUN_COLUMNS = `id, business_day::text AS day, status, cutoff, started_by, started_at,
  input_hash, output_hash, rule_versions, transaction_count, total_gross::text AS total_gross,
  total_commission::text AS total_commission, total_subsidy::text AS total_subsidy,
  total_net::text AS total_net, float_ledger::text AS float_ledger,
  float_shadow::text AS float_shadow, float_ok, issuance, supersedes, float_detail`;

function runOf(r: RunRow): Run {
  const ledgerFloat = money(r.float_ledger);
  const shadowTotal = money(r.float_shadow);
  return {
    id: r.id,
    day: r.day,
    status: r.status,
    cutoff: r.cutoff,
    startedBy: r.started_by,
    startedAt: r.started_at,
    inputHash: r.input_hash,
    outputHash: r.output_hash,
    ruleVersions: r.rule_versions,
    transactionCount: Number(r.transaction_count),
    totalGross: money(r.total_gross),
    totalCommission: money(r.total_commission),
    totalSubsidy: money(r.total_subsidy),
    totalNet: money(r.total_net),
    floatCheck: {
      ledgerFloat,
      shadowTotal,
      difference: ledgerFloat.sub(shadowTotal),
      ok: r.float_ok,
      detail: r.float_detail === null ? null : floatDetailOf(r.float_detail),
    },
    supersedes: r.supersedes,
  };
}

function issuanceOf(j: Record<string, string | number>): IssuanceTotals {
  const a = (k: string): ReturnType<typeof money> => money(String(j[k] ?? '0.00'));
  return {
    loadsConfirmed: a('loadsConfirmed'),
    loadsCount: Number(j.loadsCount ?? 0),
    topUpCash: a('topUpCash'),
    depositsTaken: a('depositsTaken'),
    depositsRefunded: a('depositsRefunded'),
    balancesRefunded: a('balancesRefunded'),
    otherCash: a('otherCash'),
    cashMovementsCount: Number(j.cashMovementsCount ?? 0),
  };
}

export async function listRuns(db: Queryable, filter: ListRunsFilter = {}): Promise<Run[]> {
  const { rows } = await db.query<RunRow>(
    `SELECT ${RUN_COLUMNS} FROM clearing.runs
      WHERE ($1::date IS NULL OR business_day = $1::date) AND ($2::text IS NULL OR status = $2)
      ORDER BY business_day DESC, started_at DESC LIMIT $3`,
    [filter.day ?? null, filter.status ?? null, Math.min(Math.max(filter.limit ?? 100, 1), 1000)],
  );
  return rows.map(runOf);
}

/** A run with its lines, subsidies, positions and issuance totals. */
export async function getRun(db: Queryable, id: string): Promise<RunDetail> {
  const { rows } = await db.query<RunRow>(
    `SELECT ${RUN_COLUMNS} FROM clearing.runs WHERE id = $1::uuid`,
    [id],
  );
  const row = rows[0];
  if (row === undefined) throw new AppError('CLEARING_RUN_NOT_FOUND', { details: { runId: id } });
  return {
    ...runOf(row),
    lines: await readLines(db, id),
    subsidies: await readSubsidies(db, id),
    positions: await readPositions(db, id),
    issuance: issuanceOf(row.issuance),
  };
}

interface LineRow {
  operator_id: string;
  count: string;
  gross: string;
  commission: string;
  subsidy: string;
  adjustments: string;
  net: string;
  late_count: string;
  late_gross: string;
  fee_schedule_id: string | null;
  fee_schedule_version: number | null;
  by_type: { type: string; count: number; gross: string; commission: string }[];
}

async function readLines(db: Queryable, runId: string): Promise<RunLine[]> {
  const { rows } = await db.query<LineRow>(
    `SELECT l.operator_id, l.count, l.gross::text AS gross, l.commission::text AS commission,
            l.subsidy::text AS subsidy, l.adjustments::text AS adjustments, l.net::text AS net,
            l.late_count, l.late_gross::text AS late_gross, l.fee_schedule_id,
            l.fee_schedule_version,
            COALESCE((SELECT json_agg(json_build_object('type', t.transaction_type,
                        'count', t.count, 'gross', t.gross::text,
                        'commission', t.commission::text) ORDER BY t.transaction_type)
                        FROM clearing.run_type_lines t
                       WHERE t.run_id = l.run_id AND t.operator_id = l.operator_id), '[]') AS by_type
       FROM clearing.run_lines l WHERE l.run_id = $1 ORDER BY l.operator_id`,
    [runId],
  );
  return rows.map((r) => ({
    operatorId: r.operator_id,
    count: Number(r.count),
    gross: money(r.gross),
    commission: money(r.commission),
    subsidy: money(r.subsidy),
    adjustments: money(r.adjustments),
    net: money(r.net),
    lateCount: Number(r.late_count),
    lateGross: money(r.late_gross),
    feeScheduleId: r.fee_schedule_id,
    feeScheduleVersion: r.fee_schedule_version,
    byType: r.by_type.map((t) => ({
      type: t.type,
      count: Number(t.count),
      gross: money(t.gross),
      commission: money(t.commission),
    })),
  }));
}

async function readSubsidies(db: Queryable, runId: string): Promise<SubsidyLine[]> {
  const { rows } = await db.query<{
    operator_id: string;
    rider_category_id: string;
    count: string;
    discount: string;
    rate: string;
    subsidy: string;
  }>(
    `SELECT operator_id, rider_category_id, count, discount::text AS discount, rate::text AS rate,
            subsidy::text AS subsidy
       FROM clearing.run_subsidies WHERE run_id = $1 ORDER BY operator_id, rider_category_id`,
    [runId],
  );
  return rows.map((r) => ({
    operatorId: r.operator_id,
    riderCategoryId: r.rider_category_id,
    count: Number(r.count),
    discount: money(r.discount),
    rate: Rate.parse(r.rate).toString(),
    subsidy: money(r.subsidy),
  }));
}

async function readPositions(db: Queryable, runId: string): Promise<NetPosition[]> {
  const { rows } = await db.query<{
    party_id: string;
    kind: 'issuer' | 'operator';
    position: string;
  }>(
    `SELECT party_id, kind, position::text AS position FROM clearing.run_positions
      WHERE run_id = $1 ORDER BY kind DESC, party_id`,
    [runId],
  );
  return rows.map((r) => ({ partyId: r.party_id, kind: r.kind, position: money(r.position) }));
}
