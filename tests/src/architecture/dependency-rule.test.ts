import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { checkDependencies, isAllowed } from './dependency-rule.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
let scratch: string | undefined;

async function workspace(files: Record<string, string>): Promise<string> {
  scratch = await mkdtemp(path.join(tmpdir(), 'citycard-deps-'));
  for (const [name, text] of Object.entries(files)) {
    const file = path.join(scratch, name);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, text);
  }
  return scratch;
}

const manifest = (deps: string[]): string =>
  JSON.stringify({
    dependencies: Object.fromEntries(deps.map((d) => [`@citycard/${d}`, '0.1.0'])),
  });

afterEach(async () => {
  if (scratch !== undefined) await rm(scratch, { recursive: true, force: true });
  scratch = undefined;
});

describe('the dependency rule', () => {
  it('holds for the repository itself', async () => {
    expect(await checkDependencies(repoRoot)).toEqual([]);
  });

  it('fails when one service imports another', async () => {
    const root = await workspace({
      'clearing/package.json': manifest(['core']),
      'clearing/src/index.ts': 'export const x = 1;\n',
      'card-issuance/package.json': manifest(['core', 'clearing']),
      'card-issuance/src/bad.ts': "import { x } from '@citycard/clearing';\nexport const y = x;\n",
    });
    const violations = await checkDependencies(root);
    expect(violations).toHaveLength(1);
    expect(violations[0]).toMatchObject({
      kind: 'forbidden-import',
      file: 'card-issuance/src/bad.ts',
    });
    expect(violations[0]?.detail).toContain('card-issuance may not import @citycard/clearing');
  });

  it('fails on a relative path that reaches into another package', async () => {
    const root = await workspace({
      'clearing/package.json': manifest([]),
      'clearing/src/ledger.ts':
        "import { y } from '../../transaction-gateway/src/y.js';\nexport const z = y;\n",
    });
    expect((await checkDependencies(root)).map((v) => v.kind)).toEqual(['escapes-package']);
  });

  it('fails when the terminal SDK loads the native PC/SC addon', async () => {
    const root = await workspace({
      'terminal-sdk/package.json': manifest(['core']),
      'terminal-sdk/src/tap.ts': "import 'nfc-pcsc';\n",
    });
    expect((await checkDependencies(root)).map((v) => v.kind)).toEqual(['forbidden-import']);
  });

  it('fails on an import cycle inside a package', async () => {
    const root = await workspace({
      'core/package.json': manifest([]),
      'core/src/a.ts': "import { b } from './b.js';\nexport const a = b;\n",
      'core/src/b.ts':
        "import type { a } from './a.js';\nexport const b = 1 as unknown as typeof a;\n",
    });
    const violations = await checkDependencies(root);
    expect(violations.map((v) => v.kind)).toEqual(['cycle']);
    expect(violations[0]?.detail).toMatch(/core\/src\/a\.ts → core\/src\/b\.ts/);
  });

  it('fails when a used workspace package is not declared', async () => {
    const root = await workspace({
      'reader-agent/package.json': manifest([]),
      'reader-agent/src/x.ts': "import { z } from '@citycard/core/money';\nexport { z };\n",
    });
    expect((await checkDependencies(root)).map((v) => v.kind)).toEqual(['undeclared-dependency']);
  });

  it('lets services use only the protocol and fare engine of the terminal SDK', () => {
    expect(isAllowed('transaction-gateway', 'terminal-sdk/protocol')).toBe(true);
    expect(isAllowed('transaction-gateway', 'terminal-sdk/journal')).toBe(false);
    expect(isAllowed('terminal-sdk', 'core/money')).toBe(true);
    expect(isAllowed('core', 'terminal-sdk')).toBe(false);
    expect(isAllowed('cli', 'clearing')).toBe(true);
  });
});
