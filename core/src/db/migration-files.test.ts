import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  fileNameOf,
  parseFileName,
  validateSchemaName,
  type MigrationFile,
} from './migration-files.js';
import { compareSchema, pendingFiles, type AppliedRow } from './migration-plan.js';

describe('migration file names', () => {
  it('accepts NNNN_snake_name.sql only', () => {
    expect(parseFileName('0001_create_cards.sql')).toEqual({ version: 1, name: 'create_cards' });
    expect(parseFileName('0420_v2.sql')).toEqual({ version: 420, name: 'v2' });
    for (const bad of [
      '1_x.sql',
      '0000_x.sql',
      '0001-x.sql',
      '0001_X.sql',
      '0001_x_.sql',
      '0001__x.sql',
      '00001_x.sql',
      '0001_x.SQL',
    ]) {
      expect(parseFileName(bad), bad).toBeUndefined();
    }
  });

  it('round-trips version and name', () => {
    const name = fc.stringMatching(/^[a-z0-9]{1,8}(_[a-z0-9]{1,8}){0,3}$/);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9999 }), name, (version, n) => {
        expect(parseFileName(fileNameOf(version, n))).toEqual({ version, name: n });
      }),
    );
  });

  it('validates schema names', () => {
    expect(() => validateSchemaName('issuance')).not.toThrow();
    for (const bad of [
      'Issuance',
      '1abc',
      'a-b',
      'pg_x',
      'public',
      'citycard_meta',
      'x'.repeat(64),
    ]) {
      expect(() => validateSchemaName(bad), bad).toThrow(/schema/);
    }
  });
});

const file = (version: number, checksum = `c${version}`): MigrationFile => ({
  schema: 's',
  version,
  name: `m${version}`,
  file: fileNameOf(version, `m${version}`),
  checksum,
  sql: '',
});
const row = (version: number, checksum = `c${version}`): AppliedRow => ({
  schema: 's',
  version,
  name: `m${version}`,
  checksum,
  applied_at: new Date(0),
});

describe('migration plan', () => {
  it('applies exactly the files after the applied prefix, in order', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: 200 }), { maxLength: 20 }),
        fc.nat(20),
        (versions, cut) => {
          const sorted = [...versions].sort((a, b) => a - b);
          const applied = sorted.slice(0, cut);
          const pending = pendingFiles(
            compareSchema(
              's',
              sorted.map((v) => file(v)),
              applied.map((v) => row(v)),
            ),
          );
          expect(pending.map((f) => f.version)).toEqual(sorted.slice(cut));
        },
      ),
    );
  });

  it('refuses edited, missing and out-of-order files', () => {
    const plan = (files: MigrationFile[], rows: AppliedRow[]) => () =>
      pendingFiles(compareSchema('s', files, rows));
    expect(plan([file(1, 'other')], [row(1)])).toThrow(/edited/);
    expect(plan([file(2)], [row(1), row(2)])).toThrow(/gone/);
    expect(plan([file(1), file(2)], [row(2)])).toThrow(/append-only/);
  });
});
