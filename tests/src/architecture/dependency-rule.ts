import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import ts from 'typescript';

/**
 * DESIGN.md's dependency rule as data: which workspace package may import which. A service may
 * use only the terminal SDK's protocol and fare engine, so that it never pulls in the terminal's
 * journal or uploader, and services never import each other.
 */
export const allowedImports: Readonly<Record<string, readonly string[]>> = {
  core: [],
  'terminal-sdk': ['core'],
  'reader-agent': ['core'],
  'card-issuance': ['core', 'terminal-sdk/protocol', 'terminal-sdk/fare'],
  'transaction-gateway': ['core', 'terminal-sdk/protocol', 'terminal-sdk/fare'],
  clearing: ['core', 'terminal-sdk/protocol', 'terminal-sdk/fare'],
  console: ['core'],
  // The browser app talks to the services over HTTP only: it imports no workspace package.
  'console/web': [],
  cli: ['*'],
  tests: ['*'],
  bench: ['*'],
};

/** Packages that load a native PC/SC addon: only the reader agent (and what composes it) may. */
const nativeCardIo = ['nfc-pcsc', '@pokusew/pcsclite'];
const mayUseNativeCardIo = new Set(['reader-agent', 'cli', 'tests', 'bench']);

export interface Violation {
  readonly kind: 'forbidden-import' | 'escapes-package' | 'undeclared-dependency' | 'cycle';
  readonly file: string;
  readonly detail: string;
}

interface SourceFile {
  readonly pkg: string;
  readonly file: string;
  readonly imports: readonly string[];
}

const WORKSPACE_SCOPE = '@citycard/';

export async function checkDependencies(root: string): Promise<Violation[]> {
  const packages = Object.keys(allowedImports);
  const files: SourceFile[] = [];
  const declared = new Map<string, Set<string>>();
  for (const pkg of packages) {
    const dir = path.join(root, pkg);
    // A folder inside a package (console/web) answers to that package's manifest.
    const manifest = await readJson(path.join(root, pkg.split('/')[0] ?? pkg, 'package.json'));
    if (manifest === undefined) continue;
    declared.set(pkg, new Set(Object.keys(manifestDependencies(manifest))));
    for (const file of await listSources(path.join(dir, 'src'))) {
      const text = await readFile(file, 'utf8');
      files.push({ pkg, file, imports: importsOf(text) });
    }
  }
  const violations: Violation[] = [];
  for (const source of files) {
    violations.push(...checkFile(root, source, declared.get(source.pkg) ?? new Set()));
  }
  violations.push(...findCycles(root, files));
  return violations;
}

function checkFile(root: string, source: SourceFile, declared: Set<string>): Violation[] {
  const out: Violation[] = [];
  const rel = path.relative(root, source.file);
  const pkgRoot = path.join(root, source.pkg);
  for (const spec of source.imports) {
    if (spec.startsWith('.')) {
      const target = path.resolve(path.dirname(source.file), spec);
      if (!target.startsWith(pkgRoot + path.sep)) {
        out.push({
          kind: 'escapes-package',
          file: rel,
          detail: `relative import ${spec} leaves ${source.pkg}/`,
        });
      }
      continue;
    }
    if (
      nativeCardIo.some((n) => spec === n || spec.startsWith(`${n}/`)) &&
      !mayUseNativeCardIo.has(source.pkg)
    ) {
      out.push({
        kind: 'forbidden-import',
        file: rel,
        detail: `${source.pkg} may not load ${spec} (native PC/SC)`,
      });
      continue;
    }
    if (!spec.startsWith(WORKSPACE_SCOPE)) continue;
    const target = spec.slice(WORKSPACE_SCOPE.length);
    const targetPkg = target.split('/')[0] ?? target;
    if (targetPkg === source.pkg) {
      out.push({
        kind: 'forbidden-import',
        file: rel,
        detail: `${spec}: import your own package by relative path`,
      });
    } else if (!isAllowed(source.pkg, target)) {
      out.push({
        kind: 'forbidden-import',
        file: rel,
        detail: `${source.pkg} may not import ${spec} (DESIGN.md dependency rule)`,
      });
    } else if (!declared.has(`${WORKSPACE_SCOPE}${targetPkg}`)) {
      out.push({
        kind: 'undeclared-dependency',
        file: rel,
        detail: `${spec} is not in ${source.pkg}/package.json dependencies`,
      });
    }
  }
  return out;
}

export function isAllowed(fromPkg: string, target: string): boolean {
  const rules = allowedImports[fromPkg] ?? [];
  return rules.some(
    (rule) =>
      rule === '*' || target === rule || (!rule.includes('/') && target.startsWith(`${rule}/`)),
  );
}

export function importsOf(text: string): string[] {
  const info = ts.preProcessFile(text, true, true);
  return info.importedFiles.map((f) => f.fileName);
}

/** Cycles among a package's own modules (Tarjan's strongly connected components). */
function findCycles(root: string, files: readonly SourceFile[]): Violation[] {
  const byPath = new Map(files.map((f) => [f.file, f]));
  const edges = new Map<string, string[]>();
  for (const f of files) {
    const targets = f.imports
      .filter((s) => s.startsWith('.'))
      .map((s) => resolveRelative(f.file, s, byPath))
      .filter((t): t is string => t !== undefined);
    edges.set(f.file, targets);
  }
  return stronglyConnected(edges)
    .filter((scc) => scc.length > 1 || (edges.get(scc[0] ?? '') ?? []).includes(scc[0] ?? ''))
    .map((scc) => ({
      kind: 'cycle' as const,
      file: path.relative(root, scc[0] ?? ''),
      detail: `import cycle: ${scc.map((p) => path.relative(root, p)).join(' → ')}`,
    }));
}

function resolveRelative(
  from: string,
  spec: string,
  known: Map<string, unknown>,
): string | undefined {
  const base = path.resolve(path.dirname(from), spec);
  const candidates = [
    base,
    base.replace(/\.js$/, '.ts'),
    base.replace(/\.js$/, '.tsx'),
    `${base}.ts`,
    path.join(base, 'index.ts'),
  ];
  return candidates.find((c) => known.has(c));
}

function stronglyConnected(edges: Map<string, string[]>): string[][] {
  let index = 0;
  const indices = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const result: string[][] = [];
  const visit = (v: string): void => {
    indices.set(v, index);
    low.set(v, index);
    index += 1;
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!indices.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) ?? 0, low.get(w) ?? 0));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v) ?? 0, indices.get(w) ?? 0));
      }
    }
    if (low.get(v) === indices.get(v)) {
      const scc: string[] = [];
      let w: string | undefined;
      do {
        w = stack.pop();
        if (w === undefined) break;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      result.push(scc.reverse());
    }
  };
  for (const v of edges.keys()) if (!indices.has(v)) visit(v);
  return result;
}

async function listSources(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true, recursive: true });
  } catch {
    return [];
  }
  return entries
    .filter((e) => e.isFile() && /\.(ts|tsx|mts)$/.test(e.name) && !e.name.endsWith('.d.ts'))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}

async function readJson(file: string): Promise<Record<string, unknown> | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

function manifestDependencies(manifest: Record<string, unknown>): Record<string, unknown> {
  const deps = (manifest.dependencies ?? {}) as Record<string, unknown>;
  const dev = (manifest.devDependencies ?? {}) as Record<string, unknown>;
  return { ...deps, ...dev };
}
