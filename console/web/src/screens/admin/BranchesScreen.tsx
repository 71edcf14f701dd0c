import { useState } from 'react';
import type { FormEvent } from 'react';
import type { Branch } from '../../api/types';
import { useI18n } from '../../i18n/i18n';
import { useApi, useSession } from '../../session/session';
import { useAction, useAsync } from '../../ui/hooks';
import { DateTime, ErrorAlert, ListState, PageTitle, Section, TextField } from '../../ui/ui';
import { CountersPanel } from './CountersPanel';

/** Branches and their counters, as issuance keeps them; administrators open and close them. */
export function BranchesScreen() {
  const { t } = useI18n();
  const api = useApi();
  const { hasRole } = useSession();
  const admin = hasRole('admin');
  const [includeClosed, setIncludeClosed] = useState(false);
  const [openId, setOpenId] = useState<string | null>(null);
  const list = useAsync(
    () =>
      api
        .get<{ items: Branch[] }>('issuance', '/branches', {
          includeClosed: includeClosed ? 'true' : undefined,
        })
        .then((r) => r.items),
    [api, includeClosed],
  );
  const action = useAction();
  const open = list.data?.find((b) => b.id === openId);

  const close = (b: Branch): void => {
    if (!window.confirm(t('branches.closeConfirm', { name: b.name }))) return;
    void action.run(async () => {
      await api.post('issuance', `/branches/${b.id}/close`);
      list.reload();
    });
  };

  return (
    <div>
      <PageTitle>{t('branches.title')}</PageTitle>
      <label className="check">
        <input
          type="checkbox"
          checked={includeClosed}
          onChange={(e) => setIncludeClosed(e.target.checked)}
        />{' '}
        {t('branches.includeClosed')}
      </label>
      <ErrorAlert error={list.error ?? action.error} />
      <ListState state={list} empty={t('branches.none')}>
        {(rows) => (
          <table data-testid="branches">
            <caption>{t('branches.list')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('branches.code')}</th>
                <th scope="col">{t('branches.name')}</th>
                <th scope="col">{t('branches.address')}</th>
                <th scope="col">{t('common.created')}</th>
                <th scope="col">{t('common.state')}</th>
                <th scope="col">{t('common.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((b) => (
                <tr key={b.id}>
                  <td className="mono">{b.code}</td>
                  <td>{b.name}</td>
                  <td>{b.address ?? '—'}</td>
                  <td>
                    <DateTime value={b.createdAt} />
                  </td>
                  <td>
                    {b.closedAt === null ? (
                      t('branches.open')
                    ) : (
                      <>
                        {t('branches.closed')} <DateTime value={b.closedAt} />
                      </>
                    )}
                  </td>
                  <td>
                    <div className="buttons">
                      <button type="button" onClick={() => setOpenId(b.id)}>
                        {t('branches.counters', { name: b.name })}
                      </button>
                      {admin && b.closedAt === null && (
                        <button type="button" onClick={() => close(b)} disabled={action.busy}>
                          {t('branches.close', { name: b.name })}
                        </button>
                      )}
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </ListState>
      {open !== undefined && <CountersPanel key={open.id} branch={open} admin={admin} />}
      {admin && <OpenBranch onOpened={list.reload} />}
    </div>
  );
}

function OpenBranch({ onOpened }: { readonly onOpened: () => void }) {
  const { t } = useI18n();
  const api = useApi();
  const action = useAction();
  const [form, setForm] = useState({ code: '', name: '', address: '' });
  const ready = form.code.trim() !== '' && form.name.trim() !== '';
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    if (!ready) return;
    void action.run(async () => {
      await api.post<Branch>('issuance', '/branches', {
        code: form.code.trim(),
        name: form.name.trim(),
        ...(form.address.trim() === '' ? {} : { address: form.address.trim() }),
      });
      setForm({ code: '', name: '', address: '' });
      onOpened();
    });
  };
  return (
    <Section title={t('branches.add')}>
      <form onSubmit={submit} className="inline" aria-label={t('branches.add')}>
        <TextField
          label={t('branches.code')}
          value={form.code}
          onChange={(e) => setForm({ ...form, code: e.target.value })}
          hint={t('branches.codeHint')}
        />
        <TextField
          label={t('branches.name')}
          value={form.name}
          onChange={(e) => setForm({ ...form, name: e.target.value })}
        />
        <TextField
          label={t('branches.address')}
          value={form.address}
          onChange={(e) => setForm({ ...form, address: e.target.value })}
        />
        <button type="submit" disabled={!ready || action.busy}>
          {t('branches.addSubmit')}
        </button>
      </form>
      <ErrorAlert error={action.error} />
    </Section>
  );
}
