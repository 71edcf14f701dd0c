import { catalogue } from '@citycard/core/errors';

export const errorsDocPath = 'docs/errors.md';

/** docs/errors.md as the catalogue says it should be; descriptions are kept from the old file. */
export function renderErrorsDoc(previous: string): string {
  const notes = new Map<string, string>();
  for (const line of previous.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    if (cells.length >= 7 && /^`[A-Z0-9_]+`$/.test(cells[1] ?? ''))
      notes.set((cells[1] ?? '').slice(1, -1), cells[5] ?? '');
  }
  const rows = Object.entries(catalogue).map(
    ([code, e]) =>
      `| \`${code}\` | ${e.httpStatus} | ${e.retryable ? 'yes' : 'no'} | ${e.message} | ${notes.get(code) ?? ''} |`,
  );
  return [
    '# Error codes',
    '',
    'Every error citycard answers over HTTP is `{code, message, requestId, retryable, details?}` with',
    'one of these codes; the CLI prints the same code and exits with a matching status. `retryable`',
    'means the same request may succeed later unchanged (after a back-off). This file is checked',
    'against `core/src/errors/catalogue.ts` by the tests; regenerate it with `npm run docs:errors`.',
    '',
    '| code | HTTP | retryable | message | notes |',
    '|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}
