import type { RunHour } from '../../api/types';
import { useI18n } from '../../i18n/i18n';
import {
  hourLabel,
  hourTable,
  type HourRow,
  type HourTable,
  type OperatorHour,
} from '../../lib/hours';
import { formatMoney, fromFen } from '../../lib/money';
import { useApi } from '../../session/session';
import { BarChart } from '../../ui/BarChart';
import { useAsync } from '../../ui/hooks';
import { Empty, ErrorAlert, Loading } from '../../ui/ui';

/** A run's volume and gross by local hour, stacked by operator, with the same figures as a table. */
export function HourlyFigures({ runId }: { readonly runId: string }) {
  const { t, lang } = useI18n();
  const api = useApi();
  const hours = useAsync(
    () =>
      api
        .get<{ hours: RunHour[] }>('clearing', `/v1/runs/${encodeURIComponent(runId)}/hours`)
        .then((r) => hourTable(r.hours)),
    [api, runId],
  );
  if (hours.data === undefined) {
    return hours.loading ? <Loading /> : <ErrorAlert error={hours.error} />;
  }
  const table = hours.data;
  if (table.rows.length === 0) return <Empty>{t('runs.noHours')}</Empty>;
  const counts = new Intl.NumberFormat(lang);
  const parts =
    (pick: (c: OperatorHour) => bigint, show: (c: OperatorHour) => string) => (row: HourRow) =>
      table.operators.map((op, series) => {
        const cell = row.byOperator.get(op);
        return {
          series,
          value: cell === undefined ? 0n : pick(cell),
          title: `${op} ${hourLabel(row.hour)}: ${cell === undefined ? '—' : show(cell)}`,
        };
      });
  const countParts = parts(
    (c) => BigInt(c.count),
    (c) => counts.format(c.count),
  );
  const grossParts = parts(
    (c) => c.fen,
    (c) => formatMoney(fromFen(c.fen)),
  );
  return (
    <div data-testid="run-hours">
      <div className="charts">
        <BarChart
          title={t('runs.chartHourVolume')}
          series={table.operators}
          bars={table.rows.map((r) => ({
            label: hourLabel(r.hour),
            value: BigInt(r.count),
            display: counts.format(r.count),
            parts: countParts(r),
          }))}
        />
        <BarChart
          title={t('runs.chartHourAmount')}
          series={table.operators}
          bars={table.rows.map((r) => ({
            label: hourLabel(r.hour),
            value: r.fen,
            display: formatMoney(fromFen(r.fen)),
            parts: grossParts(r),
          }))}
        />
      </div>
      <HourTableView table={table} />
    </div>
  );
}

function HourTableView({ table }: { readonly table: HourTable }) {
  const { t, lang } = useI18n();
  const counts = new Intl.NumberFormat(lang);
  return (
    <table data-testid="run-hours-table">
      <caption>{t('runs.byHour')}</caption>
      <thead>
        <tr>
          <th scope="col">{t('runs.hour')}</th>
          {table.operators.map((op) => (
            <th key={op} scope="col" className="num">
              {op}
            </th>
          ))}
          <th scope="col" className="num">
            {t('runs.transactions')}
          </th>
          <th scope="col" className="num">
            {t('runs.gross')}
          </th>
        </tr>
      </thead>
      <tbody>
        {table.rows.map((r) => (
          <tr key={r.hour}>
            <th scope="row">{hourLabel(r.hour)}</th>
            {table.operators.map((op) => {
              const cell = r.byOperator.get(op);
              return (
                <td key={op} className="num">
                  {cell === undefined
                    ? '—'
                    : `${counts.format(cell.count)} · ${formatMoney(fromFen(cell.fen))}`}
                </td>
              );
            })}
            <td className="num">{counts.format(r.count)}</td>
            <td className="num">{formatMoney(fromFen(r.fen))}</td>
          </tr>
        ))}
      </tbody>
      <tfoot>
        <tr>
          <th scope="row">{t('runs.total')}</th>
          {table.operators.map((op) => (
            <td key={op} />
          ))}
          <td className="num">{counts.format(table.count)}</td>
          <td className="num">{formatMoney(fromFen(table.fen))}</td>
        </tr>
      </tfoot>
    </table>
  );
}
