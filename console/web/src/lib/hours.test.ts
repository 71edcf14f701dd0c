import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RunHour } from '../api/types';
import { hourLabel, hourTable } from './hours';
import { fromFen, toFen } from './money';

const row = (operatorId: string, localHour: number, count: number, gross: string): RunHour => ({
  operatorId,
  hourStart: `2026-11-27T${String(localHour).padStart(2, '0')}:00:00+08:00`,
  localHour,
  count,
  gross,
});

describe('hourTable', () => {
  it('sums each hour across operators in fen, with quiet hours between', () => {
    const table = hourTable([
      row('bus', 7, 3, '0.10'),
      row('metro', 7, 2, '0.20'),
      row('bus', 9, 1, '1234567890.05'),
    ]);
    expect(table.operators).toEqual(['bus', 'metro']);
    expect(table.rows.map((r) => [r.hour, r.count, fromFen(r.fen)])).toEqual([
      [7, 5, '0.30'],
      [8, 0, '0.00'],
      [9, 1, '1234567890.05'],
    ]);
    expect(fromFen(table.fen)).toBe('1234567890.35');
    expect(table.count).toBe(6);
    expect(table.rows[0]?.byOperator.get('metro')).toEqual({ count: 2, fen: 20n });
  });

  it('adds up rows of the same operator and hour', () => {
    const table = hourTable([row('bus', 23, 1, '-0.50'), row('bus', 23, 2, '2.00')]);
    expect(table.rows).toHaveLength(1);
    expect(table.rows[0]?.byOperator.get('bus')).toEqual({ count: 3, fen: 150n });
  });

  it('has no rows for a run without transactions', () => {
    expect(hourTable([])).toEqual({ operators: [], rows: [], count: 0, fen: 0n });
  });

  it('keeps the total equal to the sum of the inputs', () => {
    const amount = fc.bigInt({ min: 0n, max: 10n ** 12n }).map(fromFen);
    const hour = fc.record({
      operatorId: fc.constantFrom('a', 'b', 'c'),
      localHour: fc.integer({ min: 0, max: 23 }),
      count: fc.nat(1000),
      gross: amount,
    });
    fc.assert(
      fc.property(fc.array(hour), (hours) => {
        const table = hourTable(hours.map((h) => ({ ...h, hourStart: '' })));
        expect(table.fen).toBe(hours.reduce((s, h) => s + toFen(h.gross), 0n));
        expect(table.rows.reduce((s, r) => s + r.fen, 0n)).toBe(table.fen);
      }),
    );
  });

  it('labels hours as HH:00', () => {
    expect(hourLabel(7)).toBe('07:00');
    expect(hourLabel(23)).toBe('23:00');
  });
});
