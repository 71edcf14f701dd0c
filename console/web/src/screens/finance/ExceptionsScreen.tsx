import type { ScreenProps } from '../../routes';
import { useI18n } from '../../i18n/i18n';
import { isDay, lastBusinessDay } from '../../lib/dates';
import { navigate } from '../../lib/router';
import { useApi, useSession } from '../../session/session';
import { useAction, useAsync } from '../../ui/hooks';
import { Empty, ErrorAlert, Loading, PageTitle, Section, TextField } from '../../ui/ui';

interface Exception {
  id?: string;
  kind?: string;
  [field: string]: unknown;
}

interface Reconciliation {
  reconciliation: Record<string, unknown> | null;
  exceptions: Exception[];
}

/** What reconciliation found for a day; the raw fields are shown as the service gives them. */
function detailsOf(e: Exception): string {
  const { id: _id, kind: _kind, reconciliationId: _r, ...rest } = e;
  return Object.entries(rest)
    .filter(([, v]) => v !== null && v !== undefined)
    .map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' · ');
}

export function ExceptionsScreen({ query }: ScreenProps) {
  const { t, label } = useI18n();
  const api = useApi();
  const { hasRole } = useSession();
  const asked = query.get('day') ?? '';
  const day = isDay(asked) ? asked : lastBusinessDay();
  const data = useAsync(
    () => api.get<Reconciliation>('clearing', `/v1/days/${day}/reconciliation`),
    [api, day],
  );
  const action = useAction();
  const reconcile = (): void =>
    void action.run(async () => {
      await api.post('clearing', `/v1/days/${day}/reconciliation`, {});
      data.reload();
    });

  return (
    <div>
      <PageTitle>{t('exceptions.title')}</PageTitle>
      <div className="inline">
        <TextField
          label={t('runs.day')}
          type="date"
          value={day}
          onChange={(e) => {
            if (isDay(e.target.value)) navigate('/finance/exceptions', { day: e.target.value });
          }}
        />
        {hasRole('finance') && (
          <button type="button" onClick={reconcile} disabled={action.busy}>
            {action.busy ? t('common.working') : t('exceptions.reconcile')}
          </button>
        )}
      </div>
      <ErrorAlert error={action.error ?? data.error} />
      {data.loading && data.data === undefined && <Loading />}
      {data.data !== undefined && (
        <Section title={t('exceptions.ofDay', { day })}>
          {data.data.reconciliation === null && <Empty>{t('exceptions.notReconciled')}</Empty>}
          {data.data.reconciliation !== null && data.data.exceptions.length === 0 && (
            <Empty>{t('exceptions.none')}</Empty>
          )}
          {data.data.exceptions.length > 0 && (
            <table>
              <caption>{t('exceptions.list')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('exceptions.kind')}</th>
                  <th scope="col">{t('exceptions.details')}</th>
                </tr>
              </thead>
              <tbody>
                {data.data.exceptions.map((e, i) => (
                  <tr key={e.id ?? i}>
                    <td>{label('exceptionKind', e.kind ?? '')}</td>
                    <td className="details">{detailsOf(e)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </Section>
      )}
    </div>
  );
}
