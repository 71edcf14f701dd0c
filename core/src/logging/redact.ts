import { maskCardNumber, maskIdNumber, REDACTED } from './mask.js';

export const CARD_NUMBER_KEYS = ['cardNumber', 'card_number', 'pan', 'cardNo'] as const;
export const ID_NUMBER_KEYS = ['idNumber', 'id_number', 'nationalId', 'documentNumber'] as const;
export const SECRET_KEYS = [
  'password',
  'passwordHash',
  'token',
  'accessToken',
  'refreshToken',
  'authorization',
  'cookie',
  'setCookie',
  'secret',
  'kek',
  'key',
  'masterKey',
  'keyA',
  'keyB',
  'privateKey',
  'keyPem',
  'macKey',
  'enrolmentToken',
] as const;
/** Every key name whose value never reaches a log line as is. */
export const REDACTED_KEYS: readonly string[] = [
  ...CARD_NUMBER_KEYS,
  ...ID_NUMBER_KEYS,
  ...SECRET_KEYS,
];

/** Key names that only differ by case or separators are the same field (`Card-Number`, `CARDNO`). */
const normalise = (key: string): string => key.toLowerCase().replace(/[^a-z0-9]/g, '');
const cardKeys = new Set(CARD_NUMBER_KEYS.map(normalise));
const idKeys = new Set(ID_NUMBER_KEYS.map(normalise));
const secretKeys = new Set(SECRET_KEYS.map(normalise));
/** Catches the obvious compounds (`clientSecret`, `apiToken`, `adminPassword`) without a full list. */
const SECRET_SUFFIX = /(password|secret|token|privatekey)$/;

type KeyKind = 'card' | 'id' | 'secret' | 'plain';

export function classifyKey(key: string): KeyKind {
  const k = normalise(key);
  if (cardKeys.has(k)) return 'card';
  if (idKeys.has(k)) return 'id';
  if (secretKeys.has(k) || SECRET_SUFFIX.test(k)) return 'secret';
  return 'plain';
}

const LIMITS = { depth: 10, nodes: 2_000, arrayItems: 100, stringChars: 8_192 } as const;

interface Walk {
  nodes: number;
  readonly ancestors: Set<object>;
}

/**
 * A copy of `value` fit for a log line: secrets replaced, card and identity numbers masked at any
 * depth, binary data reduced to its length, cycles cut, and depth and size bounded so a huge or
 * hostile object cannot stall the logger. The caller's object is never modified.
 */
export function redact(value: unknown): unknown {
  try {
    return walk(value, 0, { nodes: 0, ancestors: new Set() });
  } catch {
    return '[unserialisable]';
  }
}

/** Applies the rule for one field; exported for callers that redact a single known field. */
export function redactField(key: string, value: unknown): unknown {
  return field(key, value, 0, { nodes: 0, ancestors: new Set() });
}

function field(key: string, value: unknown, depth: number, w: Walk): unknown {
  if (value === null || value === undefined) return value;
  const kind = classifyKey(key);
  if (kind === 'plain') return walk(value, depth, w);
  if (kind === 'secret' || !isScalar(value)) return REDACTED;
  return kind === 'card' ? maskCardNumber(value) : maskIdNumber(value);
}

const isScalar = (v: unknown): v is string | number | bigint =>
  typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint';

function walk(value: unknown, depth: number, w: Walk): unknown {
  switch (typeof value) {
    case 'string':
      return value.length > LIMITS.stringChars
        ? `${value.slice(0, LIMITS.stringChars)}…[truncated]`
        : value;
    case 'bigint':
    case 'symbol':
      return value.toString();
    case 'function':
      return undefined;
    case 'object':
      return value === null ? null : walkObject(value, depth, w);
    case 'number':
    case 'boolean':
    case 'undefined':
      return value;
  }
}

function walkObject(value: object, depth: number, w: Walk): unknown {
  if (isBinary(value)) return `[binary ${value.byteLength} bytes]`;
  if (value instanceof Date)
    return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  if (++w.nodes > LIMITS.nodes) return '[truncated]';
  if (depth >= LIMITS.depth) return '[depth limit]';
  if (w.ancestors.has(value)) return '[circular]';
  w.ancestors.add(value);
  try {
    return walkContainer(value, depth, w);
  } finally {
    w.ancestors.delete(value);
  }
}

function walkContainer(value: object, depth: number, w: Walk): unknown {
  if (value instanceof Error) return walkError(value, depth, w);
  if (Array.isArray(value)) return walkArray(value, depth, w);
  if (value instanceof Set) return walkArray([...value], depth, w);
  if (value instanceof Map) {
    return walkEntries(
      [...value].map(([k, v]) => [String(k), v] as const),
      depth,
      w,
    );
  }
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') return walk(toJSON.call(value), depth + 1, w);
  return walkEntries(Object.entries(value), depth, w);
}

function walkArray(items: readonly unknown[], depth: number, w: Walk): unknown[] {
  const out = items.slice(0, LIMITS.arrayItems).map((item) => walk(item, depth + 1, w));
  if (items.length > LIMITS.arrayItems)
    out.push(`[${items.length - LIMITS.arrayItems} more items]`);
  return out;
}

function walkEntries(entries: ReadonlyArray<readonly [string, unknown]>, depth: number, w: Walk) {
  const out: Record<string, unknown> = {};
  for (const [key, value] of entries) {
    // defineProperty, so a `__proto__` key stays data instead of changing the copy's prototype.
    Object.defineProperty(out, key, {
      value: field(key, value, depth + 1, w),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

/** Keeps what a reader needs to act on an error; other own fields (driver details) may hold data. */
function walkError(err: Error, depth: number, w: Walk): Record<string, unknown> {
  const { code, details } = err as { code?: unknown; details?: unknown };
  const out: Record<string, unknown> = {
    type: err.name,
    message: walk(err.message, depth, w),
    stack: walk(err.stack, depth, w),
  };
  if (code !== undefined) out.code = walk(code, depth + 1, w);
  if (details !== undefined) out.details = walk(details, depth + 1, w);
  if (err.cause !== undefined) out.cause = walk(err.cause, depth + 1, w);
  return out;
}

function isBinary(value: object): value is ArrayBufferView | ArrayBuffer {
  return (
    ArrayBuffer.isView(value) || value instanceof ArrayBuffer || value instanceof SharedArrayBuffer
  );
}
