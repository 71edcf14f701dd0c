import type { Party, PartyKind } from '../api/types';
import { FormCheck, nullIfEmpty, textProblem, type Checked } from './form-check';

export interface PartyForm {
  readonly name: string;
  readonly bankName: string;
  readonly bankAccountName: string;
  readonly bankAccountNumber: string;
  readonly contactName: string;
  readonly contactEmail: string;
  readonly contactPhone: string;
}

export type PartyField = keyof PartyForm;

/** PUT /v1/parties/:id: the party without its id; an empty field is sent as null. */
export interface PartyBody {
  kind: PartyKind;
  name: string;
  bankName: string | null;
  bankAccountName: string | null;
  bankAccountNumber: string | null;
  contactName: string | null;
  contactEmail: string | null;
  contactPhone: string | null;
}

const ACCOUNT = /^[0-9A-Za-z-]{4,40}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function partyFormOf(p: Party): PartyForm {
  return {
    name: p.name,
    bankName: p.bankName ?? '',
    bankAccountName: p.bankAccountName ?? '',
    bankAccountNumber: p.bankAccountNumber ?? '',
    contactName: p.contactName ?? '',
    contactEmail: p.contactEmail ?? '',
    contactPhone: p.contactPhone ?? '',
  };
}

export function checkPartyForm(kind: PartyKind, form: PartyForm): Checked<PartyField, PartyBody> {
  const check = new FormCheck<PartyField>();
  check.flag('name', textProblem(form.name, 120, true));
  check.flag('bankName', textProblem(form.bankName, 120, false));
  check.flag('bankAccountName', textProblem(form.bankAccountName, 120, false));
  // Bank account numbers are often typed with spaces in groups of four.
  const account = form.bankAccountNumber.normalize('NFKC').replace(/\s/g, '');
  check.flag('bankAccountNumber', account === '' || ACCOUNT.test(account) ? undefined : 'format');
  check.flag('contactName', textProblem(form.contactName, 120, false));
  check.flag('contactEmail', textProblem(form.contactEmail, 200, false));
  const email = form.contactEmail.trim();
  check.flag('contactEmail', email === '' || EMAIL.test(email) ? undefined : 'email');
  check.flag('contactPhone', textProblem(form.contactPhone, 40, false));
  return check.result(() => ({
    kind,
    name: form.name.trim(),
    bankName: nullIfEmpty(form.bankName),
    bankAccountName: nullIfEmpty(form.bankAccountName),
    bankAccountNumber: nullIfEmpty(account),
    contactName: nullIfEmpty(form.contactName),
    contactEmail: nullIfEmpty(email),
    contactPhone: nullIfEmpty(form.contactPhone),
  }));
}

export const EMPTY_PARTY_FORM: PartyForm = {
  name: '',
  bankName: '',
  bankAccountName: '',
  bankAccountNumber: '',
  contactName: '',
  contactEmail: '',
  contactPhone: '',
};
