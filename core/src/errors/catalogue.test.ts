import { describe, expect, it } from 'vitest';
import { AppError, catalogue } from './index.js';

describe('error catalogue', () => {
  it('gives every code a 4xx or 5xx status and a message', () => {
    for (const [code, entry] of Object.entries(catalogue)) {
      expect(entry.httpStatus, code).toBeGreaterThanOrEqual(400);
      expect(entry.message.length, code).toBeGreaterThan(0);
    }
  });
  it('builds an AppError from a code', () => {
    const err = new AppError('AMOUNT_INVALID', { details: { field: 'amount' } });
    expect(err.httpStatus).toBe(400);
    expect(err.retryable).toBe(false);
    expect(err.details).toEqual({ field: 'amount' });
  });
});
