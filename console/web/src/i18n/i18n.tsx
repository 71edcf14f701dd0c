import { createContext, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import type { ReactNode } from 'react';
import { en, type MessageKey } from './en';
import { zhCN } from './zh-CN';

export type Lang = 'zh-CN' | 'en';
export const LANGS: readonly Lang[] = ['zh-CN', 'en'];
export type Vars = Readonly<Record<string, string | number>>;
export type Translate = (key: MessageKey, vars?: Vars) => string;

const STORAGE_KEY = 'citycard.lang';
const dictionaries: Record<Lang, Readonly<Record<MessageKey, string>>> = { 'zh-CN': zhCN, en };

export function translate(lang: Lang, key: MessageKey, vars: Vars = {}): string {
  const text = dictionaries[lang][key];
  return text.replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.hasOwn(vars, name) ? String(vars[name]) : whole,
  );
}

function storedLang(): Lang {
  try {
    const saved = window.localStorage.getItem(STORAGE_KEY);
    return saved === 'en' ? 'en' : 'zh-CN';
  } catch {
    return 'zh-CN';
  }
}

/** A value from a service (a state, a kind) in words, or as it came when there are none. */
export function labelOf(lang: Lang, group: string, value: string): string {
  const key = `${group}.${value}`;
  const dictionary: Readonly<Record<string, string>> = dictionaries[lang];
  return Object.hasOwn(dictionary, key) ? (dictionary[key] ?? value) : value;
}

interface I18n {
  readonly lang: Lang;
  readonly setLang: (lang: Lang) => void;
  readonly t: Translate;
  readonly label: (group: string, value: string) => string;
}

const I18nContext = createContext<I18n | null>(null);

export function I18nProvider({ children }: { readonly children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(storedLang);
  const setLang = useCallback((next: Lang) => {
    setLangState(next);
    try {
      window.localStorage.setItem(STORAGE_KEY, next);
    } catch {
      // A locked-down browser keeps the choice for this page only.
    }
  }, []);
  useEffect(() => {
    document.documentElement.lang = lang;
    document.title = translate(lang, 'app.title');
  }, [lang]);
  const value = useMemo<I18n>(
    () => ({
      lang,
      setLang,
      t: (key, vars) => translate(lang, key, vars),
      label: (group, value) => labelOf(lang, group, value),
    }),
    [lang, setLang],
  );
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const value = useContext(I18nContext);
  if (value === null) throw new Error('useI18n outside I18nProvider');
  return value;
}

export type { MessageKey };
