import { describe, expect, it } from 'vitest';
import { href, parseHash } from './router';

describe('hash routes', () => {
  it('parses path and query', () => {
    const r = parseHash('#/finance/runs/?day=2025-01-02');
    expect(r.path).toBe('/finance/runs');
    expect(r.query.get('day')).toBe('2025-01-02');
    expect(parseHash('').path).toBe('/');
  });

  it('builds links', () => {
    expect(href('/counter/issue', { holder: 'a b', none: undefined })).toBe(
      '#/counter/issue?holder=a+b',
    );
  });
});
