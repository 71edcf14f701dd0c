import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { atrChecksumValid, iso14443Part4Atr, parseAtr, storageCardAtr } from './parse-atr.js';

const atr = (hex: string) => Buffer.from(hex.replaceAll(' ', ''), 'hex');

describe('parseAtr', () => {
  it('recognises a MIFARE Classic 1K from its PC/SC part 3 ATR', () => {
    const info = parseAtr(atr('3B8F8001804F0CA000000306030001000000006A'));
    expect(info).toMatchObject({
      kind: 'mifare-classic-1k',
      name: 'MIFARE Classic 1K',
      standard: 0x03,
      cardNameCode: 0x0001,
      contactless: true,
    });
    expect(info.historicalBytes).toHaveLength(15);
  });

  it('recognises Classic 4K and Ultralight, and names other storage cards as unknown', () => {
    expect(parseAtr(atr('3B8F8001804F0CA0000003060300020000000069')).kind).toBe(
      'mifare-classic-4k',
    );
    expect(parseAtr(atr('3B8F8001804F0CA0000003060300030000000068')).kind).toBe(
      'mifare-ultralight',
    );
    const mini = parseAtr(storageCardAtr(0x0026));
    expect(mini).toMatchObject({ kind: 'unknown', name: 'MIFARE Mini' });
    expect(parseAtr(storageCardAtr(0x7777)).name).toBe('storage card 0x7777');
  });

  it('takes a phone or a bank card (ISO 14443-4) as iso14443-4', () => {
    // a phone in card emulation often has no historical bytes
    expect(parseAtr(atr('3B80800101')).kind).toBe('iso14443-4');
    // a DESFire / bank card carries ATS historical bytes
    const bank = parseAtr(atr('3B8A80010031C173C8400000900090'));
    expect(bank.kind).toBe('iso14443-4');
    expect(bank.contactless).toBe(true);
  });

  it('reports contact cards and garbage as unknown without throwing', () => {
    expect(parseAtr(atr('3B6E00008031806686B08412016E0183009000')).kind).toBe('unknown');
    expect(parseAtr(Buffer.alloc(0)).kind).toBe('unknown');
    expect(parseAtr(atr('3B')).kind).toBe('unknown');
    expect(parseAtr(atr('FFFFFFFFFFFF')).kind).toBe('unknown');
  });

  it('never throws, whatever the bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
        const info = parseAtr(Buffer.from(bytes));
        expect([
          'mifare-classic-1k',
          'mifare-classic-4k',
          'mifare-ultralight',
          'iso14443-4',
          'unknown',
        ]).toContain(info.kind);
      }),
    );
  });

  it('builds ATRs with a valid TCK that parse back to their kind', () => {
    expect(storageCardAtr(0x0001).toString('hex').toUpperCase()).toBe(
      '3B8F8001804F0CA000000306030001000000006A',
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 15 }), (hist) => {
        const built = iso14443Part4Atr(Buffer.from(hist));
        expect(atrChecksumValid(built)).toBe(true);
        // historical bytes starting 80 4F are the storage-card category, not ISO 14443-4
        fc.pre(hist[0] !== 0x80);
        expect(parseAtr(built).kind).toBe('iso14443-4');
      }),
    );
  });
});
