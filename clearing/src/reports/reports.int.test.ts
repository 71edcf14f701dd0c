import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAppError } from '@citycard/core/errors';
import { addPayees, clearDayWith } from '../settlement/test-fixtures.js';
import { createClearingTestDb, type ClearingTestDb } from '../testing/index.js';
import {
  financeSummary,
  parseCsv,
  STATEMENT_COLUMNS,
  statementCsv,
  statementPdf,
} from './index.js';

let t: ClearingTestDb;

beforeAll(async () => {
  t = await createClearingTestDb();
  await addPayees(t.pool, ['metro', 'ferry']);
});
afterAll(async () => {
  await t?.close();
});

describe('settlement statements', () => {
  it('give every operator its figures as two-place strings, with the output hash', async () => {
    const run = await clearDayWith(t.pool, '2001-08-01', {
      metro: ['1.10', '2.20'],
      ferry: ['10.00'],
    });
    const [header, ...rows] = parseCsv(statementCsv(run));
    expect(header).toEqual([...STATEMENT_COLUMNS]);
    const col = (name: (typeof STATEMENT_COLUMNS)[number]) => header?.indexOf(name) ?? -1;
    const metro = rows.find((r) => r[col('operator_id')] === 'metro');
    expect(metro?.[col('transactions')]).toBe('2');
    expect(metro?.[col('gross')]).toBe('3.30');
    // 2% of 3.30 = 0.066, half-even to the fen
    expect(metro?.[col('commission')]).toBe('0.07');
    expect(metro?.[col('net')]).toBe('3.23');
    expect(rows.every((r) => r[col('output_hash')] === run.outputHash)).toBe(true);
    expect(
      rows
        .flat()
        .filter((c) => /^-?\d+\.\d+$/.test(c))
        .every((c) => /\.\d{2}$/.test(c)),
    ).toBe(true);
    expect(parseCsv(statementCsv(run, 'ferry'))).toHaveLength(2);

    const pdf = await statementPdf(run, 'ferry');
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdf.includes(Buffer.from(run.outputHash))).toBe(true);
    // The same run gives the same statement, byte for byte.
    expect((await statementPdf(run, 'ferry')).equals(pdf)).toBe(true);

    let err: unknown;
    try {
      statementCsv(run, 'nobody');
    } catch (e) {
      err = e;
    }
    expect(isAppError(err) && err.code).toBe('NOT_FOUND');
  });

  it('summarise a day with and without a run', async () => {
    const empty = await financeSummary(t.pool, '2001-08-20');
    expect(empty).toMatchObject({ runsOfDay: 0, run: null, totals: null });
    const run = await clearDayWith(t.pool, '2001-08-02', { metro: ['4.00'] });
    const summary = await financeSummary(t.pool, '2001-08-02');
    expect(summary).toMatchObject({
      runsOfDay: 1,
      run: { id: run.id, status: 'computed', outputHash: run.outputHash },
      totals: { operators: 1, transactions: 1, gross: '4.00', commission: '0.08', net: '3.92' },
      settlement: { paymentFileId: null, confirmations: 0 },
    });
  });
});
