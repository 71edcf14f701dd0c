import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  canonicalJson,
  chainHash,
  GENESIS_HASH,
  snapshotHash,
  verifyRows,
  type AuditFields,
  type ChainedRow,
} from './chain.js';

const start = { seq: '0', hash: GENESIS_HASH };
const hex64 = fc.stringMatching(/^[0-9a-f]{64}$/);

type Entry = Omit<AuditFields, 'seq'>;

const staffActor = fc.record({
  actorStaffId: fc.uuid(),
  actorRoles: fc.subarray(['clerk', 'supervisor', 'finance', 'auditor', 'admin'], {
    minLength: 1,
  }),
  actorSystem: fc.constant(null),
  counterId: fc.option(fc.uuid()),
});
const systemActor = fc.record({
  actorStaffId: fc.constant(null),
  actorRoles: fc.constant([]),
  actorSystem: fc.string({ minLength: 1, maxLength: 20 }),
  counterId: fc.constant(null),
});

const entry: fc.Arbitrary<Entry> = fc
  .tuple(
    fc.oneof(staffActor, systemActor),
    fc.record({
      at: fc.date({
        min: new Date('2020-01-01'),
        max: new Date('2040-01-01'),
        noInvalidDate: true,
      }),
      action: fc.string({ minLength: 1, maxLength: 40 }),
      targetType: fc.string({ minLength: 1, maxLength: 20 }),
      targetId: fc.string({ minLength: 1, maxLength: 40 }),
      requestId: fc.string({ minLength: 1, maxLength: 40 }),
      beforeHash: fc.option(hex64),
      afterHash: fc.option(hex64),
    }),
  )
  .map(([actor, rest]) => ({ ...actor, ...rest }));

/** What recordAudit writes, as a pure fold. */
function chain(entries: readonly Entry[]): ChainedRow[] {
  const rows: ChainedRow[] = [];
  let prevHash = GENESIS_HASH;
  entries.forEach((e, i) => {
    const fields: AuditFields = { ...e, seq: String(i + 1) };
    const hash = chainHash(prevHash, fields);
    rows.push({ ...fields, prevHash, hash });
    prevHash = hash;
  });
  return rows;
}

type Field = keyof ChainedRow;
const FIELDS: readonly Field[] = [
  'seq',
  'at',
  'actorStaffId',
  'actorRoles',
  'actorSystem',
  'counterId',
  'action',
  'targetType',
  'targetId',
  'requestId',
  'beforeHash',
  'afterHash',
  'prevHash',
  'hash',
];

/** A value surely different from the one there, of a type the column could hold. */
function changed(row: ChainedRow, field: Field): ChainedRow {
  const v = row[field];
  const next = (() => {
    switch (field) {
      case 'seq':
        return String(BigInt(row.seq) + 1000n);
      case 'at':
        return new Date(row.at.getTime() + 1);
      case 'actorRoles':
        return [...row.actorRoles, 'admin'];
      case 'prevHash':
      case 'hash':
      case 'beforeHash':
      case 'afterHash':
        return v === null
          ? 'f'.repeat(64)
          : (v as string).replace(/^./, (c) => (c === 'a' ? 'b' : 'a'));
      case 'actorStaffId':
      case 'actorSystem':
      case 'counterId':
      case 'action':
      case 'targetType':
      case 'targetId':
      case 'requestId':
        return v === null ? 'x' : `${String(v)}x`;
    }
  })();
  return { ...row, [field]: next };
}

describe('audit hash chain', () => {
  it('verifies any sequence of recorded entries', () => {
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 30 }), (entries) => {
        const { verdict } = verifyRows(start, chain(entries));
        expect(verdict).toEqual({ ok: true, checked: entries.length });
      }),
    );
  });

  it('breaks exactly at the row where any one field of any row was changed', () => {
    const tampering = fc
      .array(entry, { minLength: 1, maxLength: 20 })
      .chain((entries) =>
        fc.tuple(
          fc.constant(entries),
          fc.nat({ max: entries.length - 1 }),
          fc.constantFrom(...FIELDS),
        ),
      );
    fc.assert(
      fc.property(tampering, ([entries, index, field]) => {
        const rows = chain(entries);
        rows[index] = changed(rows[index] as ChainedRow, field);
        const { verdict } = verifyRows(start, rows);
        expect(verdict.ok).toBe(false);
        expect(verdict.checked).toBe(index);
        // A renumbered row reads as a gap that starts where it should have been.
        expect(verdict.firstBrokenSeq).toBe(String(index + 1));
      }),
    );
  });

  it('finds a removed row at its seq and two swapped rows at the first of them', () => {
    const cut = fc
      .array(entry, { minLength: 2, maxLength: 20 })
      .chain((entries) => fc.tuple(fc.constant(entries), fc.nat({ max: entries.length - 2 })));
    fc.assert(
      fc.property(cut, ([entries, index]) => {
        const removed = chain(entries);
        removed.splice(index, 1);
        expect(verifyRows(start, removed).verdict).toMatchObject({
          ok: false,
          firstBrokenSeq: String(index + 1),
          reason: 'seq_gap',
        });
        const swapped = chain(entries);
        const a = swapped[index] as ChainedRow;
        const b = swapped[index + 1] as ChainedRow;
        // Moved rows keep the seq of the place they were moved to, as in a table.
        swapped[index] = { ...b, seq: a.seq };
        swapped[index + 1] = { ...a, seq: b.seq };
        expect(verifyRows(start, swapped).verdict).toMatchObject({
          ok: false,
          firstBrokenSeq: String(index + 1),
        });
      }),
    );
  });

  it('hashes snapshots independently of key order and never as the raw value', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[2,{"y":2,"z":1}]},"b":1}',
    );
    expect(snapshotHash({ a: 1, b: 2 })).toBe(snapshotHash({ b: 2, a: 1 }));
    expect(snapshotHash(undefined)).toBeNull();
    expect(snapshotHash({ name: 'Li Lei' })).toMatch(/^[0-9a-f]{64}$/);
  });
});
