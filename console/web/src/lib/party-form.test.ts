import { describe, expect, it } from 'vitest';
import type { Party } from '../api/types';
import { checkPartyForm, partyFormOf } from './party-form';

const party: Party = {
  id: 'bus-1',
  kind: 'operator',
  version: 3,
  name: 'City Bus',
  bankName: null,
  bankAccountName: null,
  bankAccountNumber: null,
  contactName: null,
  contactEmail: null,
  contactPhone: null,
  changedBy: 'admin',
  changedAt: '2026-11-27T08:00:00Z',
};

describe('checkPartyForm', () => {
  it('sends empty fields as null and the account without spaces', () => {
    const form = { ...partyFormOf(party), bankAccountNumber: '6222 0200 1234 5678' };
    expect(checkPartyForm('operator', form)).toEqual({
      ok: true,
      body: {
        kind: 'operator',
        name: 'City Bus',
        bankName: null,
        bankAccountName: null,
        bankAccountNumber: '6222020012345678',
        contactName: null,
        contactEmail: null,
        contactPhone: null,
      },
    });
  });

  it('names the fields that are wrong', () => {
    const form = {
      ...partyFormOf(party),
      name: ' ',
      bankAccountNumber: '12',
      contactEmail: 'finance@',
      contactPhone: '1'.repeat(41),
    };
    const r = checkPartyForm('operator', form);
    expect(r.ok ? {} : r.problems).toEqual({
      name: 'required',
      bankAccountNumber: 'format',
      contactEmail: 'email',
      contactPhone: 'tooLong',
    });
  });
});
