import { useEffect, useState } from 'react';
import { useI18n } from '../../i18n/i18n';
import { parseMoneyInput } from '../../lib/money';
import { useApi } from '../../session/session';
import { useAction, useAsync } from '../../ui/hooks';
import { Alert, ErrorAlert, Section, TextField } from '../../ui/ui';

interface Limits {
  perLoadMax: string;
  dailyMaxPerCard: string;
}

export function LoadLimits() {
  const { t } = useI18n();
  const api = useApi();
  const limits = useAsync(() => api.get<Limits>('issuance', '/load-limits'), [api]);
  const [form, setForm] = useState<Limits>({ perLoadMax: '', dailyMaxPerCard: '' });
  const [saved, setSaved] = useState(false);
  const action = useAction();
  useEffect(() => {
    if (limits.data !== undefined) setForm(limits.data);
  }, [limits.data]);
  const per = parseMoneyInput(form.perLoadMax);
  const daily = parseMoneyInput(form.dailyMaxPerCard);
  return (
    <Section title={t('limits.title')}>
      <ErrorAlert error={limits.error ?? action.error} />
      <form
        className="inline"
        aria-label={t('limits.title')}
        onSubmit={(e) => {
          e.preventDefault();
          if (per === undefined || daily === undefined) return;
          void action.run(async () => {
            await api.put('issuance', '/load-limits', { perLoadMax: per, dailyMaxPerCard: daily });
            setSaved(true);
            limits.reload();
          });
        }}
      >
        <TextField
          label={t('limits.perLoad')}
          inputMode="decimal"
          value={form.perLoadMax}
          onChange={(e) => setForm({ ...form, perLoadMax: e.target.value })}
        />
        <TextField
          label={t('limits.daily')}
          inputMode="decimal"
          value={form.dailyMaxPerCard}
          onChange={(e) => setForm({ ...form, dailyMaxPerCard: e.target.value })}
        />
        <button type="submit" disabled={per === undefined || daily === undefined || action.busy}>
          {t('common.save')}
        </button>
      </form>
      {saved && <Alert tone="success">{t('common.saved')}</Alert>}
    </Section>
  );
}
