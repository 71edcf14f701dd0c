import { useState } from 'react';
import type { RunDetail, RunSummary } from '../../api/types';
import type { ScreenProps } from '../../routes';
import { useI18n } from '../../i18n/i18n';
import { isDay, lastBusinessDay } from '../../lib/dates';
import { navigate } from '../../lib/router';
import { useApi, useSession } from '../../session/session';
import { useAction, useAsync } from '../../ui/hooks';
import {
  DateTime,
  ErrorAlert,
  ListState,
  Loading,
  Money,
  PageTitle,
  Section,
  TextField,
} from '../../ui/ui';
import { RunFigures } from './RunFigures';
import { SettlementPanel } from './SettlementPanel';

/** The run that counts for a day: the newest one neither aborted nor superseded. */
function current(runs: readonly RunSummary[]): RunSummary | undefined {
  return runs.find((r) => r.status !== 'aborted' && r.status !== 'superseded') ?? runs[0];
}

export function RunsScreen({ query }: ScreenProps) {
  const { t, label } = useI18n();
  const api = useApi();
  const { hasRole } = useSession();
  const asked = query.get('day') ?? '';
  const day = isDay(asked) ? asked : lastBusinessDay();
  const [picked, setPicked] = useState<string | null>(null);
  const runs = useAsync(
    () => api.get<{ runs: RunSummary[] }>('clearing', '/v1/runs', { day }).then((r) => r.runs),
    [api, day],
  );
  const runId = picked ?? (runs.data === undefined ? undefined : current(runs.data)?.id);
  const start = useAction();
  const runDay = (): void =>
    void start.run(async () => {
      const run = await api.post<RunDetail>('clearing', '/v1/runs', { day });
      setPicked(run.id);
      runs.reload();
    });

  return (
    <div>
      <PageTitle>{t('runs.title')}</PageTitle>
      <div className="inline">
        <TextField
          label={t('runs.day')}
          type="date"
          name="day"
          value={day}
          onChange={(e) => {
            setPicked(null);
            if (isDay(e.target.value)) navigate('/finance/runs', { day: e.target.value });
          }}
        />
        {hasRole('finance') && (
          <button type="button" className="primary" onClick={runDay} disabled={start.busy}>
            {start.busy ? t('common.working') : t('runs.run')}
          </button>
        )}
      </div>
      <ErrorAlert error={start.error ?? runs.error} />
      <Section title={t('runs.ofDay', { day })}>
        <ListState state={runs} empty={t('runs.none')}>
          {(rows) => (
            <table data-testid="runs">
              <caption>{t('runs.list')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('runs.status')}</th>
                  <th scope="col">{t('runs.startedBy')}</th>
                  <th scope="col">{t('runs.startedAt')}</th>
                  <th scope="col" className="num">
                    {t('runs.transactions')}
                  </th>
                  <th scope="col" className="num">
                    {t('runs.gross')}
                  </th>
                  <th scope="col" className="num">
                    {t('runs.net')}
                  </th>
                  <th scope="col">{t('common.actions')}</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => (
                  <tr key={r.id} aria-selected={r.id === runId}>
                    <td data-testid="run-status">{label('runStatus', r.status)}</td>
                    <td>{r.startedBy}</td>
                    <td>
                      <DateTime value={r.startedAt} />
                    </td>
                    <td className="num">{r.transactionCount}</td>
                    <td className="num">
                      <Money value={r.totalGross} />
                    </td>
                    <td className="num">
                      <Money value={r.totalNet} />
                    </td>
                    <td>
                      <button
                        type="button"
                        onClick={() => setPicked(r.id)}
                        disabled={r.id === runId}
                      >
                        {t('runs.show')}
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </ListState>
      </Section>
      {runId !== undefined && <RunView runId={runId} onChange={runs.reload} />}
    </div>
  );
}

function RunView({ runId, onChange }: { readonly runId: string; readonly onChange: () => void }) {
  const api = useApi();
  const run = useAsync(() => api.get<RunDetail>('clearing', `/v1/runs/${runId}`), [api, runId]);
  if (run.data === undefined) return run.loading ? <Loading /> : <ErrorAlert error={run.error} />;
  return (
    <>
      <RunFigures run={run.data} />
      <SettlementPanel
        run={run.data}
        onChange={() => {
          run.reload();
          onChange();
        }}
      />
    </>
  );
}
