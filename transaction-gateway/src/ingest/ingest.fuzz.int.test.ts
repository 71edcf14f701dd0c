import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROTOCOL_PATHS, type Batch } from '@citycard/terminal-sdk/protocol';
import { startGatewayTestApp, type GatewayTestApp, type TestTerminal } from '../testing/index.js';

let gw: GatewayTestApp;
let terminal: TestTerminal;
let good: Batch;

beforeAll(async () => {
  gw = await startGatewayTestApp({ logLevel: 'error' });
  terminal = await gw.addTerminal();
  const card = await gw.addCard();
  good = terminal.batch(terminal.records(card, 2));
});
afterAll(async () => {
  await gw.close();
});

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = (string | number)[];

/** Every path into the value, inner nodes included. */
function pathsOf(value: Json, prefix: Path = []): Path[] {
  const children: [string | number, Json][] = Array.isArray(value)
    ? value.map((v, i) => [i, v])
    : value !== null && typeof value === 'object'
      ? Object.entries(value)
      : [];
  return [prefix, ...children.flatMap(([k, v]) => pathsOf(v, [...prefix, k]))];
}

function getAt(value: Json, path: Path): Json | undefined {
  let node: Json | undefined = value;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string | number, Json>)[key];
  }
  return node;
}

/** A copy with the value at `path` replaced (or removed when `next` is undefined). */
function setAt(value: Json, path: Path, next: Json | undefined): Json | undefined {
  if (path.length === 0) return next;
  const [key, ...rest] = path;
  const copy = (Array.isArray(value) ? [...value] : { ...(value as object) }) as Record<
    string | number,
    Json
  >;
  const child = setAt(copy[key as string] ?? null, rest, next);
  if (child === undefined) delete copy[key as string];
  else copy[key as string] = child;
  return copy;
}

function tweak(s: string, at: number): string {
  if (s.length === 0) return 'x';
  const i = at % s.length;
  const c = s[i] === 'a' ? 'b' : 'a';
  return s.slice(0, i) + c + s.slice(i + 1);
}

/** Bodies a terminal (or an attacker with its key) might send that must all be refused. */
function badBodies(): fc.Arbitrary<string> {
  const base = good as unknown as Json;
  const paths = pathsOf(base);
  const stringPaths = paths.filter((p) => typeof getAt(base, p) === 'string');
  const replaced = fc
    .tuple(fc.constantFrom(...paths), fc.jsonValue() as fc.Arbitrary<Json>)
    .filter(([p, v]) => !isDeepStrictEqual(getAt(base, p), v))
    .map(([p, v]) => JSON.stringify(setAt(base, p, v)));
  const removed = fc
    .constantFrom(...paths.filter((p) => p.length > 0))
    .map((p) => JSON.stringify(setAt(base, p, undefined)));
  const tweaked = fc.tuple(fc.constantFrom(...stringPaths), fc.nat()).map(([p, at]) => {
    const old = getAt(base, p);
    return JSON.stringify(setAt(base, p, tweak(typeof old === 'string' ? old : '', at)));
  });
  const added = fc
    .tuple(fc.constantFrom(...paths), fc.string({ minLength: 1, maxLength: 8 }), fc.jsonValue())
    .filter(([p]) => {
      const node = getAt(base, p);
      return node !== null && typeof node === 'object' && !Array.isArray(node);
    })
    .map(([p, k, v]) => {
      const node = getAt(base, p) as Record<string, Json>;
      return JSON.stringify(setAt(base, p, { ...node, [`x${k}`]: v as Json }));
    });
  const anyJson = fc.jsonValue().map((v) => JSON.stringify(v));
  const text = fc.string({ maxLength: 200 });
  const truncated = fc.nat().map((n) => {
    const s = JSON.stringify(good);
    return s.slice(0, n % s.length);
  });
  return fc.oneof(replaced, removed, tweaked, added, anyJson, text, truncated);
}

describe('fuzz: generated bad batches', () => {
  it('answers 10,000 bad payloads with a 4xx and a code, and writes nothing', async () => {
    const before = await gw.counts();
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(badBodies(), async (body) => {
        const res = await gw.post(PROTOCOL_PATHS.batches, body, terminal.credentials);
        statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
        expect(res.statusCode, res.body).toBeGreaterThanOrEqual(400);
        expect(res.statusCode, res.body).toBeLessThan(500);
        expect(typeof res.json<{ code: unknown }>().code).toBe('string');
      }),
      { numRuns: 10_000 },
    );
    expect(await gw.counts()).toEqual(before);
    const { rows } = await gw.db.query<{ n: string }>(
      'SELECT count(*) AS n FROM transactions WHERE terminal_id = $1',
      [terminal.credentials.id],
    );
    expect(rows[0]?.n).toBe('0');
    expect([...statuses.values()].reduce((a, b) => a + b, 0)).toBe(10_000);
    // The good batch itself still goes through: the refusals were about the payloads.
    const ok = await gw.post(PROTOCOL_PATHS.batches, good, terminal.credentials);
    expect(ok.statusCode).toBe(200);
    console.log('fuzz statuses', Object.fromEntries(statuses));
    // Generous: under a full parallel test run on two cores this file alone takes about a minute.
  }, 300_000);
});
