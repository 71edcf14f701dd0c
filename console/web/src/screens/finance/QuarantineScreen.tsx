import { useState } from 'react';
import type { QuarantinedRecord } from '../../api/types';
import { useI18n } from '../../i18n/i18n';
import { useApi, useSession } from '../../session/session';
import { useAction, useAsync } from '../../ui/hooks';
import {
  Alert,
  DateTime,
  ErrorAlert,
  ListState,
  Money,
  PageTitle,
  Section,
  TextField,
} from '../../ui/ui';

const key = (r: QuarantinedRecord): string => `${r.terminalId}/${r.sequence}`;

function maskCard(n: string): string {
  return n.length <= 8 ? n : `${n.slice(0, 4)}****${n.slice(-4)}`;
}

/** Records the gateway would not accept: one finance user proposes, another approves. */
export function QuarantineScreen() {
  const { t, label } = useI18n();
  const api = useApi();
  const { hasRole } = useSession();
  const list = useAsync(
    () =>
      api.get<{ records: QuarantinedRecord[] }>('gateway', '/v1/quarantine').then((r) => r.records),
    [api],
  );
  const [selected, setSelected] = useState<string | null>(null);
  const [note, setNote] = useState('');
  const action = useAction();
  const finance = hasRole('finance');
  const record = list.data?.find((r) => key(r) === selected);

  const propose = (verb: 'release' | 'reject'): void => {
    if (record === undefined) return;
    void action.run(async () => {
      await api.post(
        'gateway',
        `/v1/quarantine/${encodeURIComponent(record.terminalId)}/${record.sequence}/decisions`,
        {
          action: verb,
          note: note.trim(),
        },
      );
      setNote('');
      setSelected(null);
      list.reload();
    });
  };
  const approve = (id: string): void =>
    void action.run(async () => {
      await api.post('gateway', `/v1/quarantine/decisions/${id}/approve`);
      list.reload();
    });

  return (
    <div>
      <PageTitle>{t('quarantine.title')}</PageTitle>
      <p className="hint">{t('quarantine.intro')}</p>
      <ErrorAlert error={action.error ?? list.error} />
      <ListState state={list} empty={t('quarantine.none')}>
        {(rows) => (
          <table data-testid="quarantine">
            <caption>{t('quarantine.list')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('quarantine.terminal')}</th>
                <th scope="col">{t('quarantine.occurred')}</th>
                <th scope="col">{t('card.number')}</th>
                <th scope="col" className="num">
                  {t('common.amount')}
                </th>
                <th scope="col">{t('quarantine.reason')}</th>
                <th scope="col">{t('quarantine.decision')}</th>
                <th scope="col">{t('common.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={key(r)} aria-selected={key(r) === selected}>
                  <td className="mono">
                    {r.operatorId} · {r.terminalId} #{r.sequence}
                  </td>
                  <td>
                    <DateTime value={r.occurredAt} />
                  </td>
                  <td className="mono">{maskCard(r.cardNumber)}</td>
                  <td className="num">
                    <Money value={r.amount} />
                  </td>
                  <td>{label('quarantineReason', r.reason)}</td>
                  <td>
                    {r.openDecision === null
                      ? '—'
                      : t('quarantine.proposed', {
                          action: t(`quarantine.${r.openDecision.action}`),
                          by: r.openDecision.proposedBy,
                        })}
                  </td>
                  <td>
                    {finance && r.openDecision === null && (
                      <button type="button" onClick={() => setSelected(key(r))}>
                        {t('quarantine.decide')}
                      </button>
                    )}
                    {finance && r.openDecision !== null && (
                      <button
                        type="button"
                        onClick={() => approve(r.openDecision?.id ?? '')}
                        disabled={action.busy}
                      >
                        {t('quarantine.approve')}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </ListState>
      {record !== undefined && (
        <Section title={t('quarantine.proposeFor', { record: key(record) })}>
          <TextField
            label={t('quarantine.note')}
            value={note}
            autoFocus
            onChange={(e) => setNote(e.target.value)}
          />
          <div className="buttons">
            <button
              type="button"
              onClick={() => propose('release')}
              disabled={note.trim() === '' || action.busy}
            >
              {t('quarantine.release')}
            </button>
            <button
              type="button"
              onClick={() => propose('reject')}
              disabled={note.trim() === '' || action.busy}
            >
              {t('quarantine.reject')}
            </button>
          </div>
          <Alert tone="info">{t('quarantine.secondUser')}</Alert>
        </Section>
      )}
    </div>
  );
}
