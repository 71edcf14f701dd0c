import { useState } from 'react';
import type { FormEvent } from 'react';
import { useI18n } from '../../i18n/i18n';
import { useApi, useSession } from '../../session/session';
import { useAction, useAsync } from '../../ui/hooks';
import { Alert, DateTime, ErrorAlert, ListState, PageTitle, Section, TextField } from '../../ui/ui';

interface Terminal {
  id: string;
  operatorId: string;
  status: string;
  description: string | null;
  enrolledAt: string | null;
}

interface Token {
  token: string;
  terminalId: string;
  expiresAt: string;
}

/** Terminals and their single-use enrolment tokens (shown once: the gateway keeps a hash). */
export function TerminalsScreen() {
  const { t, label } = useI18n();
  const api = useApi();
  const { hasRole } = useSession();
  const admin = hasRole('admin');
  const list = useAsync(
    () =>
      api.get<{ terminals: Terminal[] }>('gateway', '/admin/terminals').then((r) => r.terminals),
    [api],
  );
  const action = useAction();
  const [token, setToken] = useState<Token | null>(null);
  const [form, setForm] = useState({ id: '', operatorId: '', description: '' });

  const command = (id: string, verb: 'enable' | 'disable' | 'retire'): void =>
    void action.run(async () => {
      await api.post('gateway', `/admin/terminals/${encodeURIComponent(id)}/${verb}`);
      list.reload();
    });
  const enrol = (id: string): void =>
    void action.run(async () => {
      setToken(
        await api.post<Token>(
          'gateway',
          `/admin/terminals/${encodeURIComponent(id)}/enrolment-tokens`,
          { ttlHours: 24 },
        ),
      );
    });
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    void action.run(async () => {
      await api.post('gateway', '/admin/terminals', {
        id: form.id.trim(),
        operatorId: form.operatorId.trim(),
        ...(form.description.trim() === '' ? {} : { description: form.description.trim() }),
      });
      setForm({ id: '', operatorId: '', description: '' });
      list.reload();
    });
  };

  return (
    <div>
      <PageTitle>{t('terminals.title')}</PageTitle>
      <ErrorAlert error={list.error ?? action.error} />
      {token !== null && (
        <Alert tone="warning">
          {t('terminals.token', { terminal: token.terminalId })}{' '}
          <code className="mono">{token.token}</code> {t('terminals.tokenOnce')} (
          <DateTime value={token.expiresAt} />)
        </Alert>
      )}
      <ListState state={list} empty={t('terminals.none')}>
        {(rows) => (
          <table>
            <caption>{t('terminals.list')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('terminals.id')}</th>
                <th scope="col">{t('runs.operator')}</th>
                <th scope="col">{t('common.state')}</th>
                <th scope="col">{t('terminals.enrolledAt')}</th>
                {admin && <th scope="col">{t('common.actions')}</th>}
              </tr>
            </thead>
            <tbody>
              {rows.map((term) => (
                <tr key={term.id}>
                  <td className="mono">{term.id}</td>
                  <td>{term.operatorId}</td>
                  <td>{label('terminalStatus', term.status)}</td>
                  <td>
                    <DateTime value={term.enrolledAt} />
                  </td>
                  {admin && (
                    <td className="buttons">
                      {term.status === 'registered' && (
                        <button type="button" onClick={() => enrol(term.id)} disabled={action.busy}>
                          {t('terminals.issueToken')}
                        </button>
                      )}
                      {term.status === 'enrolled' && (
                        <button
                          type="button"
                          onClick={() => command(term.id, 'disable')}
                          disabled={action.busy}
                        >
                          {t('common.disable')}
                        </button>
                      )}
                      {term.status === 'disabled' && (
                        <button
                          type="button"
                          onClick={() => command(term.id, 'enable')}
                          disabled={action.busy}
                        >
                          {t('common.enable')}
                        </button>
                      )}
                      {term.status !== 'retired' && (
                        <button
                          type="button"
                          onClick={() => command(term.id, 'retire')}
                          disabled={action.busy}
                        >
                          {t('terminals.retire')}
                        </button>
                      )}
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </ListState>
      {admin && (
        <Section title={t('terminals.add')}>
          <form onSubmit={submit} className="inline" aria-label={t('terminals.add')}>
            <TextField
              label={t('terminals.id')}
              value={form.id}
              onChange={(e) => setForm({ ...form, id: e.target.value })}
            />
            <TextField
              label={t('runs.operator')}
              value={form.operatorId}
              onChange={(e) => setForm({ ...form, operatorId: e.target.value })}
            />
            <TextField
              label={t('terminals.description')}
              value={form.description}
              onChange={(e) => setForm({ ...form, description: e.target.value })}
            />
            <button
              type="submit"
              disabled={form.id.trim() === '' || form.operatorId.trim() === '' || action.busy}
            >
              {t('common.add')}
            </button>
          </form>
        </Section>
      )}
    </div>
  );
}
