import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkDependencies } from './dependency-rule.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const violations = await checkDependencies(root);
for (const v of violations) console.error(`${v.kind}: ${v.file}: ${v.detail}`);
if (violations.length > 0) {
  console.error(`dependency check failed: ${violations.length} violation(s)`);
  process.exit(1);
}
console.log('dependency check: no import cycles, every import within the dependency rule');
