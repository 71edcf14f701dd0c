import { useState } from 'react';
import type { FormEvent } from 'react';
import { useI18n } from '../i18n/i18n';
import { href } from '../lib/router';
import { useReader } from '../reader/reader-context';
import type { Workstation } from '../reader/workstation';
import { useSession } from '../session/session';
import { Alert, PageTitle, Section, TextField } from '../ui/ui';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function WorkstationSettings() {
  const { t } = useI18n();
  const { session } = useSession();
  const reader = useReader();
  const [form, setForm] = useState<Workstation>(reader.workstation);
  const [saved, setSaved] = useState(false);
  const set = (key: keyof Workstation) => (e: { target: { value: string } }) => {
    setSaved(false);
    setForm({ ...form, [key]: e.target.value.trim() });
  };
  const counterProblem =
    form.counterId !== '' && !UUID.test(form.counterId) ? t('settings.counterInvalid') : undefined;

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    if (counterProblem !== undefined) return;
    reader.saveWorkstation(form);
    setSaved(true);
  };

  return (
    <div className="settings">
      <PageTitle>{t('settings.title')}</PageTitle>
      <p>{t('settings.intro')}</p>
      <form onSubmit={submit} aria-label={t('settings.title')}>
        <TextField
          label={t('settings.counterId')}
          name="counterId"
          value={form.counterId}
          onChange={set('counterId')}
          problem={counterProblem}
          hint={t('settings.counterHint')}
          autoFocus
        />
        <TextField
          label={t('settings.agentUrl')}
          name="agentUrl"
          value={form.agentUrl}
          onChange={set('agentUrl')}
          hint={t('settings.agentUrlHint')}
        />
        <TextField
          label={t('settings.agentToken')}
          name="agentToken"
          type="password"
          autoComplete="off"
          value={form.agentToken}
          onChange={set('agentToken')}
          hint={t('settings.agentTokenHint')}
        />
        <TextField
          label={t('settings.agentId')}
          name="agentId"
          value={form.agentId}
          onChange={set('agentId')}
        />
        <TextField
          label={t('settings.readerName')}
          name="readerName"
          value={form.readerName}
          onChange={set('readerName')}
          hint={t('settings.readerNameHint')}
        />
        <button type="submit" className="primary">
          {t('common.save')}
        </button>
        {saved && <Alert tone="success">{t('settings.saved')}</Alert>}
      </form>
      <Section title={t('reader.title')}>
        <p data-testid="agent-status">{t(`reader.status.${reader.status}`)}</p>
        {reader.readers.length > 0 && (
          <ul>
            {reader.readers.map((r) => (
              <li key={r.name}>
                {r.name}
                {r.card !== null && ` · UID ${r.card.uid}`}
              </li>
            ))}
          </ul>
        )}
      </Section>
      {session === null && <a href={href('/')}>{t('settings.backToSignIn')}</a>}
    </div>
  );
}
