import type { CanonicalMember } from './canonical.js';

/** The members an object of a known shape may have, and the shapes of its nested objects. */
export interface CanonicalShape {
  readonly keys: readonly string[];
  readonly nested?: Readonly<Record<string, CanonicalShape>>;
}

/** A shape made ready: its keys in canonical order with their JSON names already written. */
export interface CompiledShape {
  readonly keys: readonly string[];
  readonly names: readonly string[];
  readonly nested: readonly (CompiledShape | undefined)[];
}

export function compileShape(shape: CanonicalShape): CompiledShape {
  // Plain `<` on strings compares UTF-16 code units, the order canonical JSON prescribes.
  const keys = [...shape.keys].sort();
  return {
    keys,
    names: keys.map((k) => `${JSON.stringify(k)}:`),
    nested: keys.map((k) => {
      const inner = shape.nested?.[k];
      return inner === undefined ? undefined : compileShape(inner);
    }),
  };
}

function isPlain(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

function valueText(value: unknown, nested: CompiledShape | undefined): string | undefined {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isSafeInteger(value)) return undefined;
      return Object.is(value, -0) ? '0' : String(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      return value !== null && nested !== undefined ? shapedJson(value, nested) : undefined;
    case 'undefined':
    case 'bigint':
    case 'symbol':
    case 'function':
      return undefined;
  }
}

function shapedJson(value: object, shape: CompiledShape): string | undefined {
  const members = shapedMembers(value, shape);
  return members && `{${members.map((m) => m.text).join(',')}}`;
}

/**
 * The canonical members of an object of this shape, as canonicalMembers makes them but without
 * sorting or inspecting keys it does not expect. Undefined when the object is not of the shape
 * (another member, a value other than a string, safe integer, boolean or object of a nested
 * shape): the caller then takes the general path, which also refuses what has no canonical form.
 */
export function shapedMembers(value: object, shape: CompiledShape): CanonicalMember[] | undefined {
  if (Array.isArray(value) || !isPlain(value)) return undefined;
  const members: CanonicalMember[] = [];
  let own = 0;
  for (let i = 0; i < shape.keys.length; i++) {
    const key = shape.keys[i] as string;
    const v = (value as Record<string, unknown>)[key];
    if (v === undefined) {
      if (Object.hasOwn(value, key)) own += 1;
      continue;
    }
    own += 1;
    const text = valueText(v, shape.nested[i]);
    if (text === undefined) return undefined;
    members.push({ key, text: `${shape.names[i] as string}${text}` });
  }
  return own === Object.keys(value).length ? members : undefined;
}
