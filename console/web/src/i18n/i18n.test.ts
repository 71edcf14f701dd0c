import { describe, expect, it } from 'vitest';
import { en } from './en';
import { zhCN } from './zh-CN';

const placeholders = (s: string): string[] =>
  [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1] ?? '').sort();

describe('dictionaries', () => {
  it('have the same keys and the same placeholders', () => {
    expect(Object.keys(zhCN).sort()).toEqual(Object.keys(en).sort());
    for (const [key, text] of Object.entries(en)) {
      expect(placeholders(zhCN[key as keyof typeof en]), key).toEqual(placeholders(text));
    }
  });

  it('leave no Chinese entry in English', () => {
    const untranslated = Object.entries(zhCN).filter(
      ([key, text]) => text === en[key as keyof typeof en] && /[a-z]{4,}/i.test(text),
    );
    expect(untranslated).toEqual([]);
  });
});
