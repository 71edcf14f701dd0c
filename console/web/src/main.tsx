import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app';
import { I18nProvider } from './i18n/i18n';
import { ReaderProvider } from './reader/reader-context';
import { SessionProvider } from './session/session';
import './styles.css';

const root = document.getElementById('root');
if (root === null) throw new Error('index.html has no #root');
createRoot(root).render(
  <StrictMode>
    <I18nProvider>
      <SessionProvider>
        <ReaderProvider>
          <App />
        </ReaderProvider>
      </SessionProvider>
    </I18nProvider>
  </StrictMode>,
);
