import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors/index.js';
import { crc16 } from './bytes.js';
import {
  blockedInfoBlock,
  dateOfDay,
  dayNumber,
  decodeIssuerInfo,
  encodeCardholderRef,
  encodeIssuerInfo,
  type IssuerInfo,
} from './issuer-info.js';

const SAMPLE: IssuerInfo = {
  cardNumber: '3100000000000017',
  issuedOn: '2026-11-27',
  expiresOn: '2036-11-26',
  status: 'active',
  layoutVersion: 1,
  keyVersion: 1,
  concession: 'STUDENT',
  concessionUntil: '2030-06-30',
};

const dateArb = fc.integer({ min: 0, max: 0xffff }).map(dateOfDay);
const infoArb: fc.Arbitrary<IssuerInfo> = fc.record({
  cardNumber: fc.stringMatching(/^\d{16}$/),
  issuedOn: dateArb,
  expiresOn: dateArb,
  status: fc.constantFrom('active' as const, 'blocked' as const),
  layoutVersion: fc.integer({ min: 1, max: 127 }),
  keyVersion: fc.integer({ min: 1, max: 255 }),
  concession: fc.stringMatching(/^[\x20-\x7e]{1,12}$/),
  concessionUntil: fc.option(fc.integer({ min: 1, max: 0xffff }).map(dateOfDay)),
});

describe('issuer info', () => {
  it('uses CRC-16/CCITT-FALSE (check value 0x29B1)', () => {
    expect(crc16(Buffer.from('123456789'))).toBe(0x29b1);
  });

  it('lays out block 4 as BCD card number, days, flags, key version, CRC', () => {
    const { info, extra } = encodeIssuerInfo(SAMPLE);
    expect(info.subarray(0, 14).toString('hex')).toBe(
      '3100000000000017' + '2663' + '34a7' + '0101',
    );
    expect(extra.subarray(0, 12).toString('latin1')).toBe('STUDENT\0\0\0\0\0');
    expect(dayNumber('2000-01-01')).toBe(0);
    expect(dayNumber('2026-11-27')).toBe(0x2663);
  });

  it('round-trips', () => {
    fc.assert(
      fc.property(infoArb, (i) => {
        const { info, extra } = encodeIssuerInfo(i);
        expect(decodeIssuerInfo(info, extra)).toEqual(i);
      }),
    );
  });

  it('detects any corrupted byte, and refuses blank blocks', () => {
    fc.assert(
      fc.property(
        infoArb,
        fc.boolean(),
        fc.integer({ min: 0, max: 15 }),
        fc.integer({ min: 1, max: 255 }),
        (i, first, at, xor) => {
          const { info, extra } = encodeIssuerInfo(i);
          const target = first ? info : extra;
          target[at] = (target[at] ?? 0) ^ xor;
          expect(() => decodeIssuerInfo(info, extra)).toThrow(AppError);
        },
      ),
    );
    expect(() => decodeIssuerInfo(Buffer.alloc(16), Buffer.alloc(16))).toThrow(AppError);
  });

  it('marks a blocked card in block 4 only', () => {
    const active = encodeIssuerInfo(SAMPLE);
    const blocked = encodeIssuerInfo({ ...SAMPLE, status: 'blocked' });
    expect(blocked.extra).toEqual(active.extra);
    expect(decodeIssuerInfo(blocked.info, active.extra).status).toBe('blocked');
    expect(blockedInfoBlock(active.info)).toEqual(blocked.info);
    expect(blockedInfoBlock(blocked.info)).toEqual(blocked.info);
    expect(() => blockedInfoBlock(Buffer.alloc(16))).toThrow(AppError);
  });

  it('refuses values that do not fit', () => {
    const bad: Partial<IssuerInfo>[] = [
      { cardNumber: '123' },
      { issuedOn: '2026-02-30' },
      { expiresOn: '1999-12-31' },
      { keyVersion: 0 },
      { layoutVersion: 128 },
      { concession: '' },
      { concession: 'THIRTEEN-CHAR' },
      { concession: '学生' },
      { concessionUntil: '2000-01-01' },
    ];
    for (const patch of bad) {
      expect(() => encodeIssuerInfo({ ...SAMPLE, ...patch }), JSON.stringify(patch)).toThrow(
        AppError,
      );
    }
    expect(() => encodeCardholderRef(Buffer.alloc(15))).toThrow(AppError);
    expect(encodeCardholderRef(Buffer.alloc(16, 7))).toEqual(Buffer.alloc(16, 7));
  });
});
