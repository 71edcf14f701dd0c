import { useState } from 'react';
import type { ChangeEvent } from 'react';
import type { RunDetail, Settlement } from '../../api/types';
import { useI18n } from '../../i18n/i18n';
import { formatMoney } from '../../lib/money';
import { useApi, useSession } from '../../session/session';
import { useAction, useAsync } from '../../ui/hooks';
import { Alert, DateTime, ErrorAlert, Loading, Section, TextField } from '../../ui/ui';

/** computed → approved (by another user) → instructed (bank file) → settled (confirmation). */
export function SettlementPanel({
  run,
  onChange,
}: {
  readonly run: RunDetail;
  readonly onChange: () => void;
}) {
  const { t, label } = useI18n();
  const api = useApi();
  const { session, hasRole } = useSession();
  const settlement = useAsync(
    () => api.get<Settlement>('clearing', `/v1/runs/${run.id}/settlement`),
    [api, run.id, run.status],
  );
  const action = useAction();
  const [abortReason, setAbortReason] = useState('');
  const [confirmation, setConfirmation] = useState('');
  const finance = hasRole('finance');
  const mine = session?.staff.username.toLowerCase() === run.startedBy;

  const step = (path: string, body?: unknown): void =>
    void action.run(async () => {
      await api.post('clearing', `/v1/runs/${run.id}/${path}`, body);
      settlement.reload();
      onChange();
    });
  const loadFile = (event: ChangeEvent<HTMLInputElement>): void => {
    const file = event.target.files?.[0];
    if (file !== undefined) void file.text().then(setConfirmation);
  };

  if (settlement.data === undefined) {
    return settlement.loading ? <Loading /> : <ErrorAlert error={settlement.error} />;
  }
  const s = settlement.data;
  const allowed = (a: string): boolean => finance && s.allowedActions.includes(a);
  return (
    <Section title={t('settlement.title')}>
      <p>
        {t('settlement.status')}{' '}
        <strong data-testid="settlement-status">{label('runStatus', s.run.status)}</strong>
      </p>
      {allowed('approve') && mine && <Alert tone="info">{t('settlement.notYours')}</Alert>}
      <div className="buttons">
        {allowed('approve') && (
          <button
            type="button"
            className="primary"
            onClick={() => step('approve')}
            disabled={action.busy}
          >
            {t('settlement.approve')}
          </button>
        )}
        {allowed('instruct') && (
          <button type="button" onClick={() => step('instruct')} disabled={action.busy}>
            {t('settlement.instruct')}
          </button>
        )}
        {s.paymentFile !== null && hasRole('finance', 'auditor') && (
          <button
            type="button"
            onClick={() =>
              void action.run(() =>
                api.download(
                  'clearing',
                  `/v1/runs/${run.id}/payment-file`,
                  `${s.paymentFile?.id ?? 'payment'}.csv`,
                ),
              )
            }
          >
            {t('settlement.downloadBankFile')}
          </button>
        )}
      </div>
      <ErrorAlert error={action.error} />
      {s.paymentFile !== null && (
        <p>
          {t('settlement.paymentFile', {
            count: s.paymentFile.count,
            total: formatMoney(s.paymentFile.total),
          })}
        </p>
      )}
      {allowed('confirm') && (
        <form
          aria-label={t('settlement.confirm')}
          onSubmit={(e) => {
            e.preventDefault();
            if (confirmation.trim() !== '') step('confirmation', { content: confirmation });
          }}
        >
          <label htmlFor="confirmation-file">{t('settlement.confirmFile')}</label>
          <input
            id="confirmation-file"
            type="file"
            accept=".csv,.txt,text/csv,text/plain"
            onChange={loadFile}
          />
          <label htmlFor="confirmation-text">{t('settlement.confirmText')}</label>
          <textarea
            id="confirmation-text"
            rows={4}
            value={confirmation}
            onChange={(e) => setConfirmation(e.target.value)}
          />
          <button type="submit" disabled={confirmation.trim() === '' || action.busy}>
            {t('settlement.confirm')}
          </button>
        </form>
      )}
      {allowed('abort') && (
        <form
          className="inline"
          aria-label={t('settlement.abort')}
          onSubmit={(e) => {
            e.preventDefault();
            if (abortReason.trim().length >= 3) step('abort', { reason: abortReason.trim() });
          }}
        >
          <TextField
            label={t('settlement.abortReason')}
            value={abortReason}
            onChange={(e) => setAbortReason(e.target.value)}
          />
          <button type="submit" disabled={abortReason.trim().length < 3 || action.busy}>
            {t('settlement.abort')}
          </button>
        </form>
      )}
      <table>
        <caption>{t('settlement.trail')}</caption>
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">{t('common.time')}</th>
            <th scope="col">{t('settlement.actor')}</th>
            <th scope="col">{t('settlement.action')}</th>
          </tr>
        </thead>
        <tbody>
          {s.audit.map((a) => (
            <tr key={a.seq}>
              <td>{a.seq}</td>
              <td>
                <DateTime value={a.at} />
              </td>
              <td>{a.actor}</td>
              <td>
                {a.action}
                {a.toStatus !== null && ` → ${label('runStatus', a.toStatus)}`}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Section>
  );
}
