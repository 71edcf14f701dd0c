import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type pg from 'pg';
import { maskCardNumber } from '@citycard/core/logging';
import type { CityDayResult } from './city-day.js';
import { call, type Session } from './http.js';

interface RunLine {
  operatorId: string;
  count: number;
  gross: string;
  commission: string;
  net: string;
  lateCount: number;
}

interface RunDetail {
  id: string;
  day: string;
  status: string;
  outputHash: string;
  inputHash: string;
  transactionCount: number;
  totalGross: string;
  totalCommission: string;
  totalNet: string;
  floatCheck: {
    ledgerFloat: string;
    shadowTotal: string;
    difference: string;
    ok: boolean;
    detail?: { clearedNotShadowPosted?: string; unexplained?: string } | null;
  };
  lines: RunLine[];
}

interface ExceptionRow {
  kind: string;
  cardNumber?: string | null;
  explanation?: string;
}

async function bytes(base: string, route: string, session: Session): Promise<Buffer> {
  const res = await fetch(`${base}${route}`, {
    headers: { authorization: `Bearer ${session.token}` },
  });
  if (!res.ok) throw new Error(`GET ${route}: ${res.status}`);
  return Buffer.from(await res.arrayBuffer());
}

/** What the gateway stored, by outcome and quarantine reason. */
async function gatewayCounts(
  gateway: pg.Pool,
): Promise<{ status: string; reason: string | null; n: number }[]> {
  const { rows } = await gateway.query<{ status: string; reason: string | null; n: string }>(
    `SELECT status, reason, count(*)::text AS n FROM gateway.transactions GROUP BY 1, 2 ORDER BY 1, 2`,
  );
  return rows.map((r) => ({ status: r.status, reason: r.reason, n: Number(r.n) }));
}

const pad = (s: string | number, n: number): string => String(s).padStart(n);

/** ok means the difference is fully explained (cleared records not yet shadow-posted), not zero. */
function floatLine(f: RunDetail['floatCheck']): string {
  const head = `Float check: ledger ${f.ledgerFloat}, shadow entries seen by the ledger ${f.shadowTotal}`;
  if (f.difference === '0.00') return `${head}, equal`;
  const pending = f.detail?.clearedNotShadowPosted ?? '?';
  const unexplained = f.detail?.unexplained ?? f.difference;
  return f.ok
    ? `${head}, difference ${f.difference} = cleared records not yet shadow-posted (${pending})`
    : `${head}, difference ${f.difference}, UNEXPLAINED ${unexplained}`;
}

/** Every exception of the day's reconciliation, page by page. */
async function allExceptions(base: string, day: string, who: Session): Promise<ExceptionRow[]> {
  const all: ExceptionRow[] = [];
  let after = '';
  for (;;) {
    const page = await call<{ exceptions: (ExceptionRow & { id: string | number })[] }>(
      base,
      'GET',
      `/v1/days/${day}/reconciliation?limit=1000${after === '' ? '' : `&afterId=${after}`}`,
      who,
    );
    all.push(...page.exceptions);
    const last = page.exceptions.at(-1);
    if (page.exceptions.length < 1000 || last === undefined) return all;
    after = String(last.id);
  }
}

/**
 * Writes demo-output/ (statements CSV and PDFs, the bank payment file and confirmation, the
 * exception report, summary.json) and returns the lines of the short report.
 */
export async function writeDemoOutput(
  outDir: string,
  r: CityDayResult,
  urls: { clearing: string },
  gatewayDb: pg.Pool,
): Promise<{ lines: string[]; summary: Record<string, unknown> }> {
  const finance = r.city.staff.finance[0];
  const run = await call<RunDetail>(urls.clearing, 'GET', `/v1/runs/${r.night.runId}`, finance);
  const recon = { exceptions: await allExceptions(urls.clearing, r.night.day, finance) };
  await rm(outDir, { recursive: true, force: true });
  await mkdir(path.join(outDir, 'statements'), { recursive: true });
  const csv = await bytes(urls.clearing, `/v1/runs/${run.id}/statements.csv`, finance);
  await writeFile(path.join(outDir, 'settlement-statement.csv'), csv);
  for (const line of run.lines) {
    const pdf = await bytes(
      urls.clearing,
      `/v1/runs/${run.id}/statements/${line.operatorId}/pdf`,
      finance,
    );
    await writeFile(path.join(outDir, 'statements', `${line.operatorId}.pdf`), pdf);
  }
  await writeFile(path.join(outDir, 'bank-payment-file.csv'), r.settlement.paymentFile);
  const exceptionCsv = [
    'kind,card,explanation',
    ...recon.exceptions.map(
      (e) =>
        `${e.kind},${e.cardNumber ? maskCardNumber(e.cardNumber) : ''},"${(e.explanation ?? '').replaceAll('"', '""')}"`,
    ),
  ].join('\n');
  await writeFile(path.join(outDir, 'reconciliation-exceptions.csv'), `${exceptionCsv}\n`);

  const stored = await gatewayCounts(gatewayDb);
  const quarantined: Record<string, number> = {};
  let accepted = 0;
  for (const s of stored) {
    if (s.status === 'quarantined') quarantined[s.reason ?? 'unknown'] = s.n;
    if (s.status === 'accepted' || s.status === 'released') accepted += s.n;
  }
  const exceptions: Record<string, number> = {};
  for (const e of recon.exceptions) exceptions[e.kind] = (exceptions[e.kind] ?? 0) + 1;
  const d = r.day;
  const summary = {
    serviceDay: d.day,
    businessDay: run.day,
    cards: {
      issued: r.counter.cards.length,
      products: r.counter.products,
      loaded: r.counter.loads,
    },
    taps: { events: d.events.total, records: d.records.total, charged: d.outcomes.charged },
    gateway: { accepted, quarantined, lateBatches: d.uploads.batchesLate },
    refusedUploads: d.uploads.refused.map((u) => u.terminalId),
    run: {
      id: run.id,
      status: (r.settlement.run as { status?: string }).status ?? run.status,
      transactions: run.transactionCount,
      gross: run.totalGross,
      commission: run.totalCommission,
      net: run.totalNet,
      inputHash: run.inputHash,
      outputHash: run.outputHash,
      floatCheck: run.floatCheck,
    },
    operators: run.lines.map((l) => ({
      operatorId: l.operatorId,
      transactions: l.count,
      gross: l.gross,
      commission: l.commission,
      net: l.net,
      late: l.lateCount,
    })),
    exceptions,
  };
  await writeFile(path.join(outDir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);

  const lines = [
    `Cards ${summary.cards.issued} (${Object.entries(r.counter.products)
      .map(([k, v]) => `${k} ${v}`)
      .join(
        ', ',
      )}), loaded ${r.counter.loads}; the counters took ${r.counter.cashTaken} in cash (deposits and top-ups) and balanced`,
    `Taps and purchases ${d.events.total}: ${d.records.total} records, ${d.outcomes.charged} charged`,
    `Gateway: accepted ${accepted}, quarantined ${
      Object.entries(quarantined)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ') || 'none'
    }`,
    ...d.uploads.refused.map(
      (u) => `Refused uploads (wrong MAC key): ${u.terminalId}, its records kept in its journal`,
    ),
    `Clearing run for ${run.day}: ${run.transactionCount} transactions, status ${summary.run.status}`,
    `  ${'operator'.padEnd(18)}${pad('txns', 8)}${pad('gross', 12)}${pad('commission', 12)}${pad('net', 12)}`,
    ...run.lines.map(
      (l) =>
        `  ${l.operatorId.padEnd(18)}${pad(l.count, 8)}${pad(l.gross, 12)}${pad(l.commission, 12)}${pad(l.net, 12)}`,
    ),
    `  ${'total'.padEnd(18)}${pad(run.transactionCount, 8)}${pad(run.totalGross, 12)}${pad(run.totalCommission, 12)}${pad(run.totalNet, 12)}`,
    floatLine(run.floatCheck),
    `Reconciliation exceptions: ${
      Object.entries(exceptions)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ') || 'none'
    }`,
    `Output hash ${run.outputHash}`,
  ];
  return { lines, summary };
}
