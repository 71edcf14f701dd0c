import type { RunDetail } from '../../api/types';
import { useI18n } from '../../i18n/i18n';
import { formatMoney, toFen } from '../../lib/money';
import { useApi } from '../../session/session';
import { useAction } from '../../ui/hooks';
import { BarChart } from '../../ui/BarChart';
import { Alert, Empty, ErrorAlert, Money, Section } from '../../ui/ui';
import { HourlyFigures } from './HourlyFigures';

/** A run's per-operator table and its charts; every figure is the service's string. */
export function RunFigures({ run }: { readonly run: RunDetail }) {
  const { t, lang } = useI18n();
  const api = useApi();
  const download = useAction();
  const counts = new Intl.NumberFormat(lang);
  const pdf = (operatorId: string): void =>
    void download.run(() =>
      api.download(
        'clearing',
        `/v1/runs/${run.id}/statements/${encodeURIComponent(operatorId)}/pdf`,
        `statement-${run.day}-${operatorId}.pdf`,
      ),
    );
  const csv = (): void =>
    void download.run(() =>
      api.download('clearing', `/v1/runs/${run.id}/statements.csv`, `statements-${run.day}.csv`),
    );

  return (
    <Section
      title={t('runs.figures', { day: run.day })}
      actions={
        <button type="button" onClick={csv} disabled={download.busy}>
          {t('runs.downloadCsv')}
        </button>
      }
    >
      <ErrorAlert error={download.error} />
      {!run.floatCheck.ok && (
        <Alert tone="warning">
          {t('runs.floatOff', {
            difference: formatMoney(run.floatCheck.difference, { sign: true }),
          })}
        </Alert>
      )}
      {run.lines.length === 0 ? (
        <Empty>{t('runs.noLines')}</Empty>
      ) : (
        <table data-testid="run-lines">
          <caption>{t('runs.byOperator')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('runs.operator')}</th>
              <th scope="col" className="num">
                {t('runs.transactions')}
              </th>
              <th scope="col" className="num">
                {t('runs.gross')}
              </th>
              <th scope="col" className="num">
                {t('runs.commission')}
              </th>
              <th scope="col" className="num">
                {t('runs.subsidy')}
              </th>
              <th scope="col" className="num">
                {t('runs.adjustments')}
              </th>
              <th scope="col" className="num">
                {t('runs.net')}
              </th>
              <th scope="col">{t('runs.statement')}</th>
            </tr>
          </thead>
          <tbody>
            {run.lines.map((l) => (
              <tr key={l.operatorId}>
                <th scope="row">{l.operatorId}</th>
                <td className="num">{counts.format(l.count)}</td>
                <td className="num">
                  <Money value={l.gross} />
                </td>
                <td className="num">
                  <Money value={l.commission} />
                </td>
                <td className="num">
                  <Money value={l.subsidy} />
                </td>
                <td className="num">
                  <Money value={l.adjustments} />
                </td>
                <td className="num">
                  <Money value={l.net} />
                </td>
                <td>
                  <button type="button" onClick={() => pdf(l.operatorId)} disabled={download.busy}>
                    PDF
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row">{t('runs.total')}</th>
              <td className="num">{counts.format(run.transactionCount)}</td>
              <td className="num">
                <Money value={run.totalGross} />
              </td>
              <td className="num">
                <Money value={run.totalCommission} />
              </td>
              <td className="num" />
              <td className="num" />
              <td className="num">
                <Money value={run.totalNet} />
              </td>
              <td />
            </tr>
          </tfoot>
        </table>
      )}
      {run.lines.length > 0 && (
        <div className="charts">
          <BarChart
            title={t('runs.chartAmount')}
            bars={run.lines.map((l) => ({
              label: l.operatorId,
              value: toFen(l.gross),
              display: formatMoney(l.gross),
            }))}
          />
          <BarChart
            title={t('runs.chartVolume')}
            bars={run.lines.map((l) => ({
              label: l.operatorId,
              value: BigInt(l.count),
              display: counts.format(l.count),
            }))}
          />
        </div>
      )}
      <h3>{t('runs.chartHour')}</h3>
      <HourlyFigures runId={run.id} />
      <p className="hint mono">
        {t('runs.outputHash')} {run.outputHash}
      </p>
    </Section>
  );
}
