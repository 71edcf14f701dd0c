import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { catalogue } from '@citycard/core/errors';
import { errorsDocPath } from './errors-doc.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

describe('docs/errors.md', () => {
  it('documents every code of the catalogue with its status', async () => {
    const doc = await readFile(path.join(repoRoot, errorsDocPath), 'utf8');
    const missing = Object.entries(catalogue)
      .filter(([code, e]) => !doc.includes(`| \`${code}\` | ${e.httpStatus} |`))
      .map(([code]) => code);
    expect(missing, 'run npm run docs:errors').toEqual([]);
  });
});
