import { useEffect } from 'react';
import { LANGS, useI18n } from './i18n/i18n';
import { href, navigate, useRoute } from './lib/router';
import { allowedItems, canOpen, NAV } from './nav';
import { ReaderPanel } from './reader/ReaderPanel';
import { screenFor } from './routes';
import { SignIn } from './screens/SignIn';
import { WorkstationSettings } from './screens/WorkstationSettings';
import { useSession } from './session/session';
import { Alert } from './ui/ui';

const WARN_BEFORE_MS = 2 * 60_000;

function LanguageSwitch() {
  const { lang, setLang, t } = useI18n();
  return (
    <div className="lang-switch" role="group" aria-label={t('app.language')}>
      {LANGS.map((l) => (
        <button key={l} type="button" aria-pressed={lang === l} lang={l} onClick={() => setLang(l)}>
          {l === 'zh-CN' ? '中文' : 'English'}
        </button>
      ))}
    </div>
  );
}

function Header() {
  const { t } = useI18n();
  const { session, signOut, remainingMs } = useSession();
  return (
    <header className="top">
      <a className="brand" href="#/">
        {t('app.title')}
      </a>
      <div className="top-right">
        {session !== null && (
          <span className="who" data-testid="who">
            {session.staff.displayName} ·{' '}
            {session.staff.roles.map((r) => t(`role.${r}`)).join(' / ')}
          </span>
        )}
        {remainingMs !== null && remainingMs < WARN_BEFORE_MS && (
          <span className="expiring" role="status">
            {t('session.expiringSoon', { minutes: Math.max(0, Math.ceil(remainingMs / 60_000)) })}
          </span>
        )}
        <LanguageSwitch />
        {session !== null && (
          <button type="button" onClick={() => void signOut()}>
            {t('session.signOut')}
          </button>
        )}
      </div>
    </header>
  );
}

function Nav({ path }: { readonly path: string }) {
  const { t } = useI18n();
  const { session } = useSession();
  const roles = session?.staff.roles ?? [];
  return (
    <nav className="side" aria-label={t('nav.label')}>
      {NAV.map((group) => {
        const items = group.items.filter((i) => i.roles.some((r) => roles.includes(r)));
        if (items.length === 0) return null;
        return (
          <div key={group.label} className="nav-group">
            <h2>{t(group.label)}</h2>
            <ul>
              {items.map((item) => (
                <li key={item.path}>
                  <a href={href(item.path)} aria-current={path === item.path ? 'page' : undefined}>
                    {t(item.label)}
                  </a>
                </li>
              ))}
            </ul>
          </div>
        );
      })}
    </nav>
  );
}

export function App() {
  const { t } = useI18n();
  const { session } = useSession();
  const route = useRoute();
  const roles = session?.staff.roles ?? [];
  const first = allowedItems(roles)[0]?.path;

  useEffect(() => {
    if (session !== null && !canOpen(route.path, roles) && first !== undefined) navigate(first);
  }, [session, route.path, roles, first]);

  useEffect(() => {
    document.querySelector<HTMLElement>('.page-title')?.focus();
  }, [route.path]);

  if (session === null) {
    return (
      <>
        <Header />
        <main className="signed-out">
          {route.path === '/settings' ? <WorkstationSettings /> : <SignIn />}
        </main>
      </>
    );
  }
  const Screen = screenFor(route.path);
  const counter = route.path.startsWith('/counter/');
  return (
    <>
      <a className="skip" href="#main">
        {t('app.skip')}
      </a>
      <Header />
      <div className={counter ? 'layout with-reader' : 'layout'}>
        <Nav path={route.path} />
        <main id="main">
          {Screen === undefined || !canOpen(route.path, roles) ? (
            <Alert tone="info">{t('app.noScreen')}</Alert>
          ) : (
            <Screen query={route.query} />
          )}
        </main>
        {counter && <ReaderPanel />}
      </div>
    </>
  );
}
