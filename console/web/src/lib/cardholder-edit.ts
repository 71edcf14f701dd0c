import type { CardholderDetail } from '../api/types';
import type { IdCheck } from './id-number';
import { reasonProblem } from './reason';

export type DocumentType = 'resident_id' | 'passport' | 'other';
export type Sex = '' | 'M' | 'F' | 'X';

export interface EditForm {
  readonly name: string;
  readonly phone: string;
  /** The identity part (document, date of birth, sex) is changed only when asked for. */
  readonly changeIdentity: boolean;
  readonly documentType: DocumentType;
  readonly number: string;
  readonly country: string;
  readonly dateOfBirth: string;
  readonly sex: Sex;
  readonly reason: string;
}

export type EditProblem =
  | { field: 'name'; problem: 'required' }
  | { field: 'phone'; problem: 'format' }
  | { field: 'number'; problem: 'required' | 'invalid' }
  | { field: 'country'; problem: 'required' }
  | { field: 'dateOfBirth'; problem: 'required' }
  | { field: 'reason'; problem: 'empty' | 'digits' | 'characters' }
  | { field: 'form'; problem: 'nothing' };

/** PATCH /cardholders/:id: only what changed, against the version it was changed from. */
export interface EditBody {
  version: number;
  name?: string;
  phone?: string | null;
  document?: { type: DocumentType; number: string; country?: string };
  dateOfBirth?: string;
  sex?: 'M' | 'F' | 'X' | null;
  reason?: string;
}

export type EditResult =
  | { readonly ok: true; readonly body: EditBody }
  | { readonly ok: false; readonly problems: readonly EditProblem[] };

const PHONE = /^\+?[0-9][0-9 ()-]{2,31}$/;

export function editFormOf(holder: CardholderDetail): EditForm {
  return {
    name: holder.name,
    phone: holder.phone ?? '',
    changeIdentity: false,
    documentType: holder.documentType as DocumentType,
    number: '',
    country: '',
    dateOfBirth: holder.dateOfBirth,
    sex: holder.sex ?? '',
    reason: '',
  };
}

function identityOf(form: EditForm, check: IdCheck | null, problems: EditProblem[]) {
  if (form.documentType === 'resident_id') {
    if (check?.state !== 'valid') {
      problems.push({
        field: 'number',
        problem: form.number.trim() === '' ? 'required' : 'invalid',
      });
      return {};
    }
    return {
      document: { type: form.documentType, number: check.number },
      dateOfBirth: check.dateOfBirth,
      sex: check.sex,
    };
  }
  const number = form.number.trim();
  const country = form.country.trim().toUpperCase();
  if (number === '') problems.push({ field: 'number', problem: 'required' });
  if (form.documentType === 'passport' && country === '') {
    problems.push({ field: 'country', problem: 'required' });
  }
  if (form.dateOfBirth === '') problems.push({ field: 'dateOfBirth', problem: 'required' });
  return {
    document: {
      type: form.documentType,
      number,
      ...(form.documentType === 'passport' ? { country } : {}),
    },
    dateOfBirth: form.dateOfBirth,
    sex: form.sex === '' ? null : form.sex,
  };
}

/**
 * What a clerk's edit changes. A resident id number is checked as at registration (`check`, from
 * checkIdNumber) and gives the date of birth and sex; an identity change needs a reason.
 */
export function cardholderEdit(
  holder: CardholderDetail,
  form: EditForm,
  check: IdCheck | null,
): EditResult {
  const problems: EditProblem[] = [];
  const body: EditBody = { version: holder.version };
  const name = form.name.trim();
  if (name === '') problems.push({ field: 'name', problem: 'required' });
  else if (name !== holder.name) body.name = name;
  const phone = form.phone.trim();
  if (phone !== '' && !PHONE.test(phone)) problems.push({ field: 'phone', problem: 'format' });
  else if (phone !== (holder.phone ?? '')) body.phone = phone === '' ? null : phone;
  if (form.changeIdentity) Object.assign(body, identityOf(form, check, problems));
  const reason = form.reason.trim();
  const problem = reasonProblem(reason);
  // A reason is needed for an identity change, and checked whenever one is given.
  if (problem !== undefined && (form.changeIdentity || reason !== '')) {
    problems.push({ field: 'reason', problem });
  } else if (reason !== '') {
    body.reason = reason;
  }
  if (problems.length === 0 && Object.keys(body).filter((k) => k !== 'reason').length === 1) {
    problems.push({ field: 'form', problem: 'nothing' });
  }
  return problems.length === 0 ? { ok: true, body } : { ok: false, problems };
}
