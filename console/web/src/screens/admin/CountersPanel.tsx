import { useState } from 'react';
import type { FormEvent } from 'react';
import type { Branch, Counter } from '../../api/types';
import { useI18n } from '../../i18n/i18n';
import { useApi } from '../../session/session';
import { useAction, useAsync } from '../../ui/hooks';
import { DateTime, ErrorAlert, ListState, Section, TextField } from '../../ui/ui';

/** A branch's counters: their ids are what a workstation and a reader agent are set up with. */
export function CountersPanel({
  branch,
  admin,
}: {
  readonly branch: Branch;
  readonly admin: boolean;
}) {
  const { t } = useI18n();
  const api = useApi();
  const list = useAsync(
    () =>
      api
        .get<{ items: Counter[] }>('issuance', `/branches/${branch.id}/counters`)
        .then((r) => r.items),
    [api, branch.id],
  );
  const action = useAction();
  const toggle = (c: Counter): void =>
    void action.run(async () => {
      await api.patch<Counter>('issuance', `/counters/${c.id}`, { active: !c.active });
      list.reload();
    });

  return (
    <Section title={t('counters.title', { name: branch.name })}>
      <ErrorAlert error={list.error ?? action.error} />
      <ListState state={list} empty={t('counters.none')}>
        {(rows) => (
          <table data-testid="counters">
            <caption>{t('counters.list', { name: branch.name })}</caption>
            <thead>
              <tr>
                <th scope="col">{t('counters.code')}</th>
                <th scope="col">{t('counters.name')}</th>
                <th scope="col">{t('counters.id')}</th>
                <th scope="col">{t('common.state')}</th>
                <th scope="col">{t('common.created')}</th>
                {admin && <th scope="col">{t('common.actions')}</th>}
              </tr>
            </thead>
            <tbody>
              {rows.map((c) => (
                <tr key={c.id}>
                  <td className="mono">{c.code}</td>
                  <td>{c.name}</td>
                  <td className="mono">{c.id}</td>
                  <td>{c.active ? t('counters.active') : t('counters.inactive')}</td>
                  <td>
                    <DateTime value={c.createdAt} />
                  </td>
                  {admin && (
                    <td>
                      <button type="button" onClick={() => toggle(c)} disabled={action.busy}>
                        {c.active
                          ? t('counters.deactivate', { code: c.code })
                          : t('counters.activate', { code: c.code })}
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </ListState>
      {admin && branch.closedAt === null && (
        <AddCounter branchId={branch.id} onAdded={list.reload} />
      )}
    </Section>
  );
}

function AddCounter({
  branchId,
  onAdded,
}: {
  readonly branchId: string;
  readonly onAdded: () => void;
}) {
  const { t } = useI18n();
  const api = useApi();
  const action = useAction();
  const [form, setForm] = useState({ code: '', name: '' });
  const ready = form.code.trim() !== '' && form.name.trim() !== '';
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    if (!ready) return;
    void action.run(async () => {
      await api.post<Counter>('issuance', `/branches/${branchId}/counters`, {
        code: form.code.trim(),
        name: form.name.trim(),
      });
      setForm({ code: '', name: '' });
      onAdded();
    });
  };
  return (
    <form onSubmit={submit} className="inline" aria-label={t('counters.add')}>
      <TextField
        label={t('counters.code')}
        value={form.code}
        onChange={(e) => setForm({ ...form, code: e.target.value })}
      />
      <TextField
        label={t('counters.name')}
        value={form.name}
        onChange={(e) => setForm({ ...form, name: e.target.value })}
      />
      <button type="submit" disabled={!ready || action.busy}>
        {t('counters.addSubmit')}
      </button>
      <ErrorAlert error={action.error} />
    </form>
  );
}
