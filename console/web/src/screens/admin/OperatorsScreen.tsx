import { useState } from 'react';
import type { FormEvent } from 'react';
import { useI18n } from '../../i18n/i18n';
import { useApi, useSession } from '../../session/session';
import { useAction, useAsync } from '../../ui/hooks';
import {
  DateTime,
  ErrorAlert,
  ListState,
  PageTitle,
  Section,
  SelectField,
  TextField,
} from '../../ui/ui';

interface Operator {
  id: string;
  name: string;
  kind: 'transit' | 'retail';
  cardCode: number;
  enabled: boolean;
  createdAt: string;
}

/** The gateway's operator registry: the bus companies and shops whose terminals post. */
export function OperatorsScreen() {
  const { t, label } = useI18n();
  const api = useApi();
  const { hasRole } = useSession();
  const list = useAsync(
    () =>
      api.get<{ operators: Operator[] }>('gateway', '/admin/operators').then((r) => r.operators),
    [api],
  );
  const action = useAction();
  const [form, setForm] = useState({ id: '', name: '', kind: 'transit', cardCode: '' });
  const admin = hasRole('admin');
  const code = /^\d{1,5}$/.test(form.cardCode) ? Number(form.cardCode) : undefined;

  const toggle = (o: Operator): void =>
    void action.run(async () => {
      await api.post(
        'gateway',
        `/admin/operators/${encodeURIComponent(o.id)}/${o.enabled ? 'disable' : 'enable'}`,
      );
      list.reload();
    });
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    if (code === undefined) return;
    void action.run(async () => {
      await api.post('gateway', '/admin/operators', {
        id: form.id.trim(),
        name: form.name.trim(),
        kind: form.kind,
        cardCode: code,
      });
      setForm({ id: '', name: '', kind: 'transit', cardCode: '' });
      list.reload();
    });
  };

  return (
    <div>
      <PageTitle>{t('operators.title')}</PageTitle>
      <ErrorAlert error={list.error ?? action.error} />
      <ListState state={list} empty={t('operators.none')}>
        {(rows) => (
          <table>
            <caption>{t('operators.list')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('operators.id')}</th>
                <th scope="col">{t('operators.name')}</th>
                <th scope="col">{t('operators.kind')}</th>
                <th scope="col" className="num">
                  {t('operators.cardCode')}
                </th>
                <th scope="col">{t('common.state')}</th>
                <th scope="col">{t('common.created')}</th>
                {admin && <th scope="col">{t('common.actions')}</th>}
              </tr>
            </thead>
            <tbody>
              {rows.map((o) => (
                <tr key={o.id}>
                  <td className="mono">{o.id}</td>
                  <td>{o.name}</td>
                  <td>{label('operatorKind', o.kind)}</td>
                  <td className="num">{o.cardCode}</td>
                  <td>{o.enabled ? t('common.enabled') : t('common.disabled')}</td>
                  <td>
                    <DateTime value={o.createdAt} />
                  </td>
                  {admin && (
                    <td>
                      <button type="button" onClick={() => toggle(o)} disabled={action.busy}>
                        {o.enabled ? t('common.disable') : t('common.enable')}
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </ListState>
      {admin && (
        <Section title={t('operators.add')}>
          <form onSubmit={submit} className="inline" aria-label={t('operators.add')}>
            <TextField
              label={t('operators.id')}
              value={form.id}
              onChange={(e) => setForm({ ...form, id: e.target.value })}
            />
            <TextField
              label={t('operators.name')}
              value={form.name}
              onChange={(e) => setForm({ ...form, name: e.target.value })}
            />
            <SelectField
              label={t('operators.kind')}
              value={form.kind}
              onChange={(e) => setForm({ ...form, kind: e.target.value })}
            >
              <option value="transit">{t('operatorKind.transit')}</option>
              <option value="retail">{t('operatorKind.retail')}</option>
            </SelectField>
            <TextField
              label={t('operators.cardCode')}
              inputMode="numeric"
              value={form.cardCode}
              onChange={(e) => setForm({ ...form, cardCode: e.target.value })}
            />
            <button
              type="submit"
              disabled={code === undefined || form.id.trim() === '' || action.busy}
            >
              {t('common.add')}
            </button>
          </form>
        </Section>
      )}
    </div>
  );
}
