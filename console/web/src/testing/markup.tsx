import type { ReactNode } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { vi } from 'vitest';
import { I18nProvider, type Lang } from '../i18n/i18n';

/**
 * The markup a screen draws first, in `lang`, as the console's own I18nProvider gives it (it reads
 * the chosen language from local storage). A first draw runs no effects and sends no request.
 */
export function markupIn(lang: Lang, node: ReactNode): string {
  vi.stubGlobal('window', {
    localStorage: { getItem: () => lang, setItem: () => undefined },
  });
  try {
    return renderToStaticMarkup(<I18nProvider>{node}</I18nProvider>);
  } finally {
    vi.unstubAllGlobals();
  }
}

/** Text as it stands in markup: &, <, > and quotes escaped. */
export function escaped(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#x27;');
}
