#!/usr/bin/env node
// The compiled CLI lives in dist/; a fresh checkout builds it with `npm run build`.
import { existsSync } from 'node:fs';

const main = new URL('../dist/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write('citycard is not built yet: run `npm run build` in the repository first.\n');
  process.exit(70);
}
await import(main.href);
