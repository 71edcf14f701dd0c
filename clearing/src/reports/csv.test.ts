import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvDocument, csvField, parseCsv } from './csv.js';

describe('csv', () => {
  it('parses back what it writes, whatever the fields hold', () => {
    const field = fc.string({
      unit: fc.constantFrom('a', 'Z', '1', ',', '"', '\r\n', '\n', ' ', '.', '-'),
    });
    fc.assert(
      fc.property(
        fc.array(fc.array(field, { minLength: 2, maxLength: 5 }), { maxLength: 8 }),
        (rows) => {
          const safe = rows.map((r) => r.map((f) => f.replace(/^[=+\-@\t\r]/, 'x')));
          expect(parseCsv(csvDocument(safe))).toEqual(safe);
        },
      ),
    );
  });

  it('defuses spreadsheet formulas but leaves signed amounts alone', () => {
    expect(csvField('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvField('-12.50')).toBe('-12.50');
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
  });
});
