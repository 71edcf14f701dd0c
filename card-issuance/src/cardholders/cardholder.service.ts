import { randomUUID } from 'node:crypto';
import type { Queryable } from '@citycard/core/db';
import { AppError } from '@citycard/core/errors';
import { recordAudit } from '../audit/audit.js';
import type { StaffPrincipal } from '../auth/roles.js';
import {
  findCardholder,
  findIdByDocument,
  insertCardholder,
  insertHistory,
  updateCardholderRow,
  type CardholderFields,
  type CardholderRow,
} from './cardholder.repository.js';
import type { RegisterInput, UpdateInput } from './cardholder.schemas.js';
import type { IdentityDocument } from './document.js';
import { parseResidentId, type ResidentIdNumber } from './id-number.js';
import { localDate, requireDocument, settleIdentity } from './identity.js';
import { idNumberIndex, openIdNumber, sealIdNumber, sealPrevious, type PiiKeys } from './pii.js';

export interface CardholderContext {
  readonly keys: PiiKeys;
  readonly actor: StaffPrincipal;
  readonly requestId: string;
  readonly now: Date;
}

/** The names history and audit use for what changed; the document is four of them. */
const FIELD_NAMES = {
  name: 'name',
  phone: 'phone',
  sex: 'sex',
  dateOfBirth: 'date_of_birth',
  documentType: 'document_type',
  documentCountry: 'document_country',
  documentLabel: 'document_label',
  idNumber: 'id_number',
} as const;
type Tracked = keyof typeof FIELD_NAMES;
type Compared = Exclude<Tracked, 'idNumber'>;
const COMPARED = Object.keys(FIELD_NAMES).filter((f) => f !== 'idNumber') as Compared[];
const ALL_FIELDS = Object.values(FIELD_NAMES);
/** Changing who the person is (not how to reach them) needs a reason on record. */
const IDENTITY_FIELDS: ReadonlySet<Tracked> = new Set([
  'sex',
  'dateOfBirth',
  'documentType',
  'documentCountry',
  'documentLabel',
  'idNumber',
]);

interface NextState {
  readonly fields: CardholderFields;
  /** Compared in plain text: a passport's index also moves when only its country does. */
  readonly numberChanged: boolean;
}

function documentFields(keys: PiiKeys, id: string, doc: IdentityDocument) {
  return {
    documentType: doc.type,
    documentCountry: doc.country,
    documentLabel: doc.label,
    idNumberSealed: sealIdNumber(keys, id, doc.number),
    idNumberIndex: idNumberIndex(keys, doc),
    idNumberMasked: doc.masked,
  };
}

export async function registerCardholder(
  tx: Queryable,
  ctx: CardholderContext,
  input: RegisterInput,
): Promise<CardholderRow> {
  const today = localDate(ctx.now);
  const doc = requireDocument(input.document, today);
  const identity = settleIdentity(doc.resident, input.dateOfBirth, input.sex, today);
  const id = randomUUID();
  const fields: CardholderFields = {
    name: input.name,
    ...documentFields(ctx.keys, id, doc),
    ...identity,
    phone: input.phone ?? null,
  };
  const result = await insertCardholder(tx, id, fields, ctx.now);
  if ('existingId' in result) {
    throw new AppError('CARDHOLDER_EXISTS', { details: { cardholderId: result.existingId } });
  }
  await insertHistory(tx, id, {
    version: 1,
    changedAt: ctx.now,
    changedBy: ctx.actor.id,
    changedFields: ALL_FIELDS,
    reason: null,
    previousSealed: null,
    requestId: ctx.requestId,
  });
  await audit(tx, ctx, 'cardholder.register', id, undefined, {
    version: 1,
    documentType: doc.type,
  });
  return result.inserted;
}

/**
 * Applies a change made against `input.version`. The row is locked first, so two clerks editing
 * the same person are serialised and the second one gets CARDHOLDER_VERSION_CONFLICT.
 */
export async function updateCardholder(
  tx: Queryable,
  ctx: CardholderContext,
  id: string,
  input: UpdateInput,
): Promise<CardholderRow> {
  const current = await findCardholder(tx, id, { forUpdate: true });
  if (current === undefined) {
    throw new AppError('CARDHOLDER_NOT_FOUND', { details: { cardholderId: id } });
  }
  if (current.version !== input.version) {
    throw new AppError('CARDHOLDER_VERSION_CONFLICT', {
      details: { cardholderId: id, currentVersion: current.version },
    });
  }
  const { fields: next, numberChanged } = nextFields(ctx, current, input);
  const changed: Tracked[] = COMPARED.filter((f) => next[f] !== current[f]);
  if (numberChanged) changed.push('idNumber');
  if (changed.length === 0) return current;
  if (input.reason === undefined && changed.some((f) => IDENTITY_FIELDS.has(f))) {
    throw new AppError('VALIDATION_FAILED', {
      message: 'A change to the document, date of birth or sex needs a reason',
      details: { issues: [{ path: 'body.reason', message: 'required for this change' }] },
    });
  }
  await refuseTakenDocument(tx, id, next);
  const row = await updateCardholderRow(tx, id, next, ctx.now);
  await recordChange(tx, ctx, current, row, changed, input.reason ?? null);
  return row;
}

/** The history row (with what was replaced, sealed) and the audit entry of one change. */
async function recordChange(
  tx: Queryable,
  ctx: CardholderContext,
  before: CardholderRow,
  after: CardholderRow,
  changed: readonly Tracked[],
  reason: string | null,
): Promise<void> {
  const changedFields = changed.map((f) => FIELD_NAMES[f]);
  await insertHistory(tx, after.id, {
    version: after.version,
    changedAt: ctx.now,
    changedBy: ctx.actor.id,
    changedFields,
    reason,
    previousSealed: sealPrevious(
      ctx.keys,
      after.id,
      after.version,
      previousValues(before, changed),
    ),
    requestId: ctx.requestId,
  });
  await audit(
    tx,
    ctx,
    'cardholder.update',
    after.id,
    { version: before.version },
    {
      version: after.version,
      changedFields,
    },
  );
}

function nextFields(ctx: CardholderContext, current: CardholderRow, input: UpdateInput): NextState {
  const today = localDate(ctx.now);
  let document: Omit<CardholderFields, 'name' | 'dateOfBirth' | 'sex' | 'phone'> = current;
  let resident: ResidentIdNumber | null = null;
  let numberChanged = false;
  if (input.document !== undefined) {
    const doc = requireDocument(input.document, today);
    resident = doc.resident;
    numberChanged = doc.number !== openIdNumber(ctx.keys, current.id, current.idNumberSealed);
    const same =
      !numberChanged &&
      doc.type === current.documentType &&
      doc.country === current.documentCountry &&
      doc.label === current.documentLabel;
    if (!same) document = documentFields(ctx.keys, current.id, doc);
  } else if (current.documentType === 'resident_id' && identityTouched(input)) {
    resident = storedResidentId(ctx, current, today);
  }
  const identity = settleIdentity(
    resident,
    input.dateOfBirth ?? current.dateOfBirth,
    input.sex === undefined ? current.sex : input.sex,
    today,
  );
  const fields: CardholderFields = {
    name: input.name ?? current.name,
    phone: input.phone === undefined ? current.phone : input.phone,
    documentType: document.documentType,
    documentCountry: document.documentCountry,
    documentLabel: document.documentLabel,
    idNumberSealed: document.idNumberSealed,
    idNumberIndex: document.idNumberIndex,
    idNumberMasked: document.idNumberMasked,
    ...identity,
  };
  return { fields, numberChanged };
}

const identityTouched = (input: UpdateInput): boolean =>
  input.dateOfBirth !== undefined || input.sex !== undefined;

/** The stored number is opened only to check a new birth date or sex against it. */
function storedResidentId(
  ctx: CardholderContext,
  current: CardholderRow,
  today: string,
): ResidentIdNumber {
  const parsed = parseResidentId(openIdNumber(ctx.keys, current.id, current.idNumberSealed), today);
  if (!parsed.ok) throw new Error('A stored resident id no longer validates');
  return parsed.value;
}

async function refuseTakenDocument(tx: Queryable, id: string, next: CardholderFields) {
  const holder = await findIdByDocument(tx, next.documentType, next.idNumberIndex);
  if (holder !== undefined && holder !== id) {
    throw new AppError('CARDHOLDER_EXISTS', { details: { cardholderId: holder } });
  }
}

/** What the change replaced; the old number goes in still sealed, with its mask for display. */
function previousValues(current: CardholderRow, changed: readonly Tracked[]) {
  const values: Record<string, unknown> = {};
  for (const field of changed) {
    if (field === 'idNumber') {
      values.idNumberSealed = current.idNumberSealed;
      values.idNumberMasked = current.idNumberMasked;
    } else {
      values[field] = current[field];
    }
  }
  return values;
}

async function audit(
  tx: Queryable,
  ctx: CardholderContext,
  action: string,
  targetId: string,
  before: Record<string, unknown> | undefined,
  after: Record<string, unknown>,
): Promise<void> {
  await recordAudit(tx, {
    actor: ctx.actor,
    action,
    targetType: 'cardholder',
    targetId,
    requestId: ctx.requestId,
    ...(before === undefined ? {} : { before }),
    after,
  });
}
