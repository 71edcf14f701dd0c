import { describe, expect, it } from 'vitest';
import type { CardholderDetail } from '../api/types';
import { cardholderEdit, editFormOf } from './cardholder-edit';
import { checkIdNumber } from './id-number';

const holder: CardholderDetail = {
  id: '6d0c3a58-8f0e-4c5b-9d43-2b8f1f3f0c11',
  name: '张三',
  documentType: 'resident_id',
  maskedIdNumber: '1101**********0015',
  dateOfBirth: '1990-03-07',
  sex: 'M',
  phone: '13800000000',
  version: 4,
};
const TODAY = '2026-11-28';
// A valid resident number: Beijing, born 1985-01-01, odd sequence (male).
const NEW_ID = '110101198501010017';
const form = editFormOf(holder);

describe('cardholderEdit', () => {
  it('sends only what changed, against the version read', () => {
    const r = cardholderEdit(holder, { ...form, name: ' 张三丰 ', phone: '' }, null);
    expect(r).toEqual({ ok: true, body: { version: 4, name: '张三丰', phone: null } });
  });

  it('says when nothing changed', () => {
    expect(cardholderEdit(holder, form, null)).toEqual({
      ok: false,
      problems: [{ field: 'form', problem: 'nothing' }],
    });
  });

  it('takes date of birth and sex from a valid resident number, with a reason', () => {
    expect(checkIdNumber(NEW_ID, TODAY).state).toBe('valid');
    const edit = { ...form, changeIdentity: true, number: NEW_ID, reason: '证件换发' };
    expect(cardholderEdit(holder, edit, checkIdNumber(NEW_ID, TODAY))).toEqual({
      ok: true,
      body: {
        version: 4,
        document: { type: 'resident_id', number: NEW_ID },
        dateOfBirth: '1985-01-01',
        sex: 'M',
        reason: '证件换发',
      },
    });
  });

  it('refuses a mistyped resident number and an identity change without a reason', () => {
    const typo = `${NEW_ID.slice(0, 17)}9`;
    const edit = { ...form, changeIdentity: true, number: typo };
    expect(cardholderEdit(holder, edit, checkIdNumber(typo, TODAY))).toEqual({
      ok: false,
      problems: [
        { field: 'number', problem: 'invalid' },
        { field: 'reason', problem: 'empty' },
      ],
    });
  });

  it('needs the country of a passport and keeps numbers out of the reason', () => {
    const edit = {
      ...form,
      changeIdentity: true,
      documentType: 'passport' as const,
      number: 'E12345678',
      sex: '' as const,
      reason: 'new passport 12345678',
    };
    expect(cardholderEdit(holder, edit, null)).toEqual({
      ok: false,
      problems: [
        { field: 'country', problem: 'required' },
        { field: 'reason', problem: 'digits' },
      ],
    });
  });

  it('refuses a phone that is not a phone number', () => {
    const r = cardholderEdit(holder, { ...form, phone: 'call me' }, null);
    expect(r).toEqual({ ok: false, problems: [{ field: 'phone', problem: 'format' }] });
  });
});
