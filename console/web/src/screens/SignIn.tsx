import { useState } from 'react';
import type { FormEvent } from 'react';
import { useI18n } from '../i18n/i18n';
import { href } from '../lib/router';
import { useReader } from '../reader/reader-context';
import { useSession } from '../session/session';
import { useAction } from '../ui/hooks';
import { Alert, ErrorAlert, PageTitle, TextField } from '../ui/ui';

export function SignIn() {
  const { t } = useI18n();
  const { signIn, endedBecause } = useSession();
  const { workstation } = useReader();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const action = useAction();

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    void action.run(() => signIn(username.trim(), password, workstation.counterId));
  };

  return (
    <div className="signin">
      <PageTitle>{t('signin.title')}</PageTitle>
      {endedBecause === 'expired' && <Alert tone="warning">{t('session.expired')}</Alert>}
      {endedBecause === 'signed-out' && <Alert tone="info">{t('session.signedOut')}</Alert>}
      <form onSubmit={submit} aria-label={t('signin.title')}>
        <TextField
          label={t('signin.username')}
          name="username"
          autoComplete="username"
          autoFocus
          required
          value={username}
          onChange={(e) => setUsername(e.target.value)}
        />
        <TextField
          label={t('signin.password')}
          name="password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        <p className="hint">
          {workstation.counterId === ''
            ? t('signin.noCounter')
            : t('signin.atCounter', { counter: workstation.counterId.slice(0, 8) })}{' '}
          <a href={href('/settings')}>{t('nav.settings')}</a>
        </p>
        <ErrorAlert error={action.error} />
        <button type="submit" className="primary" disabled={action.busy}>
          {action.busy ? t('common.working') : t('signin.submit')}
        </button>
      </form>
    </div>
  );
}
