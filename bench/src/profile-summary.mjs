// Where a .cpuprofile's time went: `node bench/src/profile-summary.mjs <file> [rows]` prints the
// functions with the most self time, then the time spent under each source file or package.
import { readFileSync } from 'node:fs';

const [file, rowsArg] = process.argv.slice(2);
if (file === undefined) {
  console.error('usage: node bench/src/profile-summary.mjs <file.cpuprofile> [rows]');
  process.exit(2);
}
const rows = Number(rowsArg ?? 30);
const profile = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parentOf = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parentOf.set(c, n.id);

const sampled = new Map();
let total = 0;
profile.samples.forEach((id, i) => {
  const dt = profile.timeDeltas[i] ?? 0;
  total += dt;
  sampled.set(id, (sampled.get(id) ?? 0) + dt);
});

const where = (url) =>
  url
    .replace(/.*node_modules\/(@[^/]+\/[^/]+|[^/]+)\/.*/, 'npm:$1')
    .replace(/^file:\/\//, '')
    .replace(`${process.cwd()}/`, '');
const self = new Map();
const under = new Map();
for (const [id, dt] of sampled) {
  const { callFrame: f } = byId.get(id);
  const key = `${f.functionName || '(anonymous)'} ${where(f.url)}:${f.lineNumber + 1}`;
  self.set(key, (self.get(key) ?? 0) + dt);
  const seen = new Set();
  for (let cur = id; cur !== undefined; cur = parentOf.get(cur)) {
    const source = where(byId.get(cur).callFrame.url);
    if (source !== '' && !seen.has(source)) {
      seen.add(source);
      under.set(source, (under.get(source) ?? 0) + dt);
    }
  }
}
const print = (title, m) => {
  console.log(title);
  for (const [k, v] of [...m].sort((a, b) => b[1] - a[1]).slice(0, rows)) {
    console.log(`${((100 * v) / total).toFixed(1).padStart(6)}%  ${k}`);
  }
};
console.log(`${(total / 1e6).toFixed(1)} s sampled`);
print('self time', self);
print('time under each source', under);
