import { describe, expect, it } from 'vitest';
import { maskName } from './card.schemas.js';
import { parseStockBatch } from './stock-import.js';

describe('stock batch parsing', () => {
  it('reads one UID a line, any case, skipping blank lines but keeping their numbers', () => {
    const parsed = parseStockBatch('04a1b2c3\r\n\n  04A1B2C3D4E5F6  \n\n');
    expect(parsed.problems).toEqual([]);
    expect(parsed.lines).toEqual([
      { line: 1, uid: '04A1B2C3' },
      { line: 3, uid: '04A1B2C3D4E5F6' },
    ]);
  });

  it('names every malformed and duplicate line', () => {
    const parsed = parseStockBatch(
      ['04A1B2C3', '04A1B2C', 'ZZZZZZZZ', '04a1b2c3', '04A1B2C3D4E5', '11223344', '04A1B2C3'].join(
        '\n',
      ),
    );
    expect(parsed.problems).toEqual([
      { line: 2, reason: 'malformed' },
      { line: 3, reason: 'malformed' },
      { line: 4, reason: 'duplicate_in_batch', firstLine: 1 },
      { line: 5, reason: 'malformed' },
      { line: 7, reason: 'duplicate_in_batch', firstLine: 1 },
    ]);
    expect(parsed.lines.map((l) => l.line)).toEqual([1, 6]);
  });

  it('reads a JSON array by position; anything but a string is malformed', () => {
    const parsed = parseStockBatch(['AABBCCDD', 12345678, null, 'aabbccdd']);
    expect(parsed.problems).toEqual([
      { line: 2, reason: 'malformed' },
      { line: 3, reason: 'malformed' },
      { line: 4, reason: 'duplicate_in_batch', firstLine: 1 },
    ]);
  });
});

describe('name masking', () => {
  it('keeps the first character and the spaces', () => {
    expect(maskName('张三丰')).toBe('张**');
    expect(maskName('Li Wei')).toBe('L* ***');
    expect(maskName('王')).toBe('王');
  });
});
