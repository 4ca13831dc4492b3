/**
 * The values a template sees: strings, numbers, booleans, null, lists and mappings, copied from the
 * caller's data into arrays and null-prototype objects. A function cannot be passed in, and a lookup
 * only reads a mapping's own keys or a list's indexes, so no path leads from a template to host code.
 */
import { fail, type Position } from './errors.js';

export type Value = string | number | boolean | null | undefined | Value[] | Mapping;

/**
 * The largest value a template may build, in characters as printed (a list that holds one list
 * twice counts it twice). `{% set l = [l, l] %}` repeated, or `replace` and `join` on big inputs,
 * would otherwise make a value whose printing or comparison takes exponential time or memory.
 */
export const MAX_VALUE_SIZE = 4 << 20;
const sizes = new WeakMap<object, number>();

/** A value's size, as above; memoized, so a shared list is measured once. */
export function sizeOf(value: Value): number {
  if (typeof value === 'string') return value.length;
  if (value === null || typeof value !== 'object') return 1;
  const known = sizes.get(value);
  if (known !== undefined) return known;
  let size = 1;
  if (Array.isArray(value)) for (const item of value) size += sizeOf(item);
  else for (const [key, item] of Object.entries(value)) size += key.length + sizeOf(item);
  sizes.set(value, size);
  return size;
}

/** The value, unless it is larger than MAX_VALUE_SIZE. */
export function bounded<V extends Value>(value: V, at: Position): V {
  if (sizeOf(value) > MAX_VALUE_SIZE)
    fail(at, `the template builds a value larger than ${MAX_VALUE_SIZE} characters`);
  return value;
}
export interface Mapping {
  [key: string]: Value;
}

/** Data for a template; anything else (a function, a class instance, a symbol) is refused. */
export function toValue(data: unknown, path = 'data'): Value {
  if (data === null || data === undefined) return data;
  if (typeof data === 'string' || typeof data === 'boolean') return data;
  if (typeof data === 'number') {
    if (!Number.isFinite(data)) throw new TypeError(`template ${path} is not a finite number`);
    return data;
  }
  if (Array.isArray(data)) return data.map((item, i) => toValue(item, `${path}[${i}]`));
  if (typeof data === 'object') {
    const proto = Object.getPrototypeOf(data) as unknown;
    if (proto !== Object.prototype && proto !== null)
      throw new TypeError(`template ${path} is not plain data (an instance of a class)`);
    const out: Mapping = Object.create(null) as Mapping;
    for (const [key, value] of Object.entries(data)) out[key] = toValue(value, `${path}.${key}`);
    return out;
  }
  throw new TypeError(`template ${path} is a ${typeof data}: templates only take plain data`);
}

export function isMapping(value: Value): value is Mapping {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `target[key]`: an own key of a mapping, an index of a list or string; undefined otherwise. */
export function lookup(target: Value, key: Value): Value {
  if (Array.isArray(target) || typeof target === 'string') {
    if (typeof key !== 'number' || !Number.isInteger(key)) return undefined;
    const index = key < 0 ? target.length + key : key;
    return index >= 0 && index < target.length ? target[index] : undefined;
  }
  if (isMapping(target) && (typeof key === 'string' || typeof key === 'number')) {
    const name = String(key);
    return Object.hasOwn(target, name) ? target[name] : undefined;
  }
  return undefined;
}

/** Jinja's truth: empty strings, lists and mappings, zero, none and undefined are false. */
export function truthy(value: Value): boolean {
  if (Array.isArray(value)) return value.length > 0;
  if (isMapping(value)) return Object.keys(value).length > 0;
  return Boolean(value);
}

/** How a value prints: none and undefined as nothing, lists joined by ",". */
export function print(value: Value, at: Position): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return value.map((v) => print(v, at)).join(',');
  if (isMapping(value)) fail(at, 'cannot print a mapping: print one of its fields, or use | dump');
  return String(value);
}

export function equal(a: Value, b: Value): boolean {
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((item, i) => equal(item, b[i]));
  if (isMapping(a) && isMapping(b)) {
    const keys = Object.keys(a);
    return (
      keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && equal(a[k], b[k]))
    );
  }
  return (a ?? null) === (b ?? null);
}

export function contains(container: Value, item: Value, at: Position): boolean {
  if (typeof container === 'string') return typeof item === 'string' && container.includes(item);
  if (Array.isArray(container)) return container.some((v) => equal(v, item));
  if (isMapping(container)) return typeof item === 'string' && Object.hasOwn(container, item);
  return fail(at, '"in" needs a string, a list or a mapping on its right');
}

export function order(a: Value, b: Value, at: Position): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  return fail(at, 'only two numbers or two strings can be compared with < > <= >=');
}

/** A filter: a pure function of values (it gets no context and no way back to the template). */
export type Filter = (value: Value, args: Value[], at: Position) => Value;

const text = (value: Value, at: Position) => print(value, at);

/** The filters every template has; callers add their own (e.g. Dockerfile quoting). */
export const BUILTIN_FILTERS: ReadonlyMap<string, Filter> = new Map<string, Filter>([
  [
    'default',
    (v, [fallback, onFalsy]) => (v === undefined || (truthy(onFalsy) && !truthy(v)) ? fallback : v),
  ],
  ['d', (v, [fallback, onFalsy]) => (v === undefined || (truthy(onFalsy) && !truthy(v)) ? fallback : v)],
  [
    'join',
    (v, [sep], at) => {
      if (!Array.isArray(v)) return text(v, at);
      const glue = text(sep ?? '', at);
      if (sizeOf(v) + v.length * glue.length > MAX_VALUE_SIZE)
        fail(at, `the template builds a value larger than ${MAX_VALUE_SIZE} characters`);
      return v.map((x) => text(x, at)).join(glue);
    },
  ],
  ['lower', (v, _, at) => text(v, at).toLowerCase()],
  ['upper', (v, _, at) => text(v, at).toUpperCase()],
  ['trim', (v, _, at) => text(v, at).trim()],
  [
    'capitalize',
    (v, _, at) => {
      const s = text(v, at);
      return s.charAt(0).toUpperCase() + s.slice(1).toLowerCase();
    },
  ],
  [
    'replace',
    (v, [from, to], at) => {
      const [s, a, b] = [text(v, at), text(from, at), text(to ?? '', at)];
      // Measured before it is made: each match may grow by the replacement's length.
      const matches = a === '' ? s.length + 1 : s.split(a).length - 1;
      if (s.length + matches * Math.max(0, b.length - a.length) > MAX_VALUE_SIZE)
        fail(at, `the template builds a value larger than ${MAX_VALUE_SIZE} characters`);
      return s.replaceAll(a, b);
    },
  ],
  ['length', (v) => lengthOf(v)],
  ['count', (v) => lengthOf(v)],
  ['first', (v) => lookup(v, 0)],
  ['last', (v) => lookup(v, -1)],
  ['string', (v, _, at) => text(v, at)],
  ['safe', (v) => v],
  ['dump', (v, [indent]) => JSON.stringify(v ?? null, null, typeof indent === 'number' ? indent : undefined)],
  ['items', (v) => (isMapping(v) ? Object.entries(v) : [])],
  [
    'dictsort',
    (v) => (isMapping(v) ? Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)) : []),
  ],
]);

function lengthOf(value: Value): number {
  if (typeof value === 'string' || Array.isArray(value)) return value.length;
  if (isMapping(value)) return Object.keys(value).length;
  return 0;
}
