import { useState } from 'react';
import type { FormEvent } from 'react';
import type { Role, StaffSummary } from '../../api/types';
import { useI18n } from '../../i18n/i18n';
import { useApi } from '../../session/session';
import { useAction, useAsync } from '../../ui/hooks';
import { Alert, ErrorAlert, Loading, PageTitle, Section, TextField } from '../../ui/ui';

interface StaffDetail extends StaffSummary {
  disabled: boolean;
  lockedUntil: string | null;
}

const ROLES: readonly Role[] = ['clerk', 'supervisor', 'finance', 'auditor', 'admin'];

export function StaffScreen() {
  const { t } = useI18n();
  const api = useApi();
  const list = useAsync(
    () =>
      api
        .get<{ staff: StaffDetail[] }>('issuance', '/staff', {
          includeDisabled: 'true',
          limit: 200,
        })
        .then((r) => r.staff),
    [api],
  );
  const action = useAction();
  const [notice, setNotice] = useState<string | null>(null);

  const toggle = (s: StaffDetail): void =>
    void action.run(async () => {
      await api.post('issuance', `/staff/${s.id}/${s.disabled ? 'enable' : 'disable'}`);
      list.reload();
    });
  const reset = (s: StaffDetail): void => {
    const password = window.prompt(t('staff.newPassword', { name: s.username }));
    if (password === null || password === '') return;
    void action.run(async () => {
      await api.post('issuance', `/staff/${s.id}/password`, { newPassword: password });
      setNotice(t('staff.passwordReset', { name: s.username }));
    });
  };

  return (
    <div>
      <PageTitle>{t('staff.title')}</PageTitle>
      <ErrorAlert error={list.error ?? action.error} />
      {notice !== null && <Alert tone="success">{notice}</Alert>}
      {list.loading && list.data === undefined && <Loading />}
      {list.data !== undefined && (
        <table>
          <caption>{t('staff.list')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('signin.username')}</th>
              <th scope="col">{t('staff.displayName')}</th>
              <th scope="col">{t('staff.roles')}</th>
              <th scope="col">{t('common.state')}</th>
              <th scope="col">{t('common.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {list.data.map((s) => (
              <tr key={s.id}>
                <td className="mono">{s.username}</td>
                <td>{s.displayName}</td>
                <td>{s.roles.map((r) => t(`role.${r}`)).join(' / ')}</td>
                <td>
                  {s.disabled
                    ? t('common.disabled')
                    : s.lockedUntil !== null
                      ? t('staff.locked')
                      : t('common.enabled')}
                </td>
                <td className="buttons">
                  <button type="button" onClick={() => toggle(s)} disabled={action.busy}>
                    {s.disabled ? t('common.enable') : t('common.disable')}
                  </button>
                  <button type="button" onClick={() => reset(s)} disabled={action.busy}>
                    {t('staff.resetPassword')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <AddStaff onDone={list.reload} />
    </div>
  );
}

function AddStaff({ onDone }: { readonly onDone: () => void }) {
  const { t } = useI18n();
  const api = useApi();
  const action = useAction();
  const [form, setForm] = useState({ username: '', displayName: '', password: '', branchId: '' });
  const [roles, setRoles] = useState<Role[]>([]);
  const set = (key: keyof typeof form) => (e: { target: { value: string } }) =>
    setForm({ ...form, [key]: e.target.value });
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    void action.run(async () => {
      await api.post('issuance', '/staff', {
        username: form.username.trim(),
        displayName: form.displayName.trim(),
        password: form.password,
        roles,
        ...(form.branchId.trim() === '' ? {} : { branchId: form.branchId.trim() }),
      });
      setForm({ username: '', displayName: '', password: '', branchId: '' });
      setRoles([]);
      onDone();
    });
  };
  return (
    <Section title={t('staff.add')}>
      <form onSubmit={submit} aria-label={t('staff.add')}>
        <TextField
          label={t('signin.username')}
          value={form.username}
          onChange={set('username')}
          autoComplete="off"
        />
        <TextField
          label={t('staff.displayName')}
          value={form.displayName}
          onChange={set('displayName')}
        />
        <TextField
          label={t('signin.password')}
          type="password"
          autoComplete="new-password"
          value={form.password}
          onChange={set('password')}
        />
        <TextField label={t('staff.branchId')} value={form.branchId} onChange={set('branchId')} />
        <fieldset>
          <legend>{t('staff.roles')}</legend>
          {ROLES.map((r) => (
            <label key={r} className="check">
              <input
                type="checkbox"
                checked={roles.includes(r)}
                onChange={(e) =>
                  setRoles(e.target.checked ? [...roles, r] : roles.filter((x) => x !== r))
                }
              />{' '}
              {t(`role.${r}`)}
            </label>
          ))}
        </fieldset>
        <ErrorAlert error={action.error} />
        <button
          type="submit"
          disabled={roles.length === 0 || form.username.trim() === '' || action.busy}
        >
          {t('common.add')}
        </button>
      </form>
    </Section>
  );
}
