/**
 * Prediction agreement: whether the candidate's response says the same thing as the baseline's for one
 * request. JSON bodies are walked together: numeric arrays compare by class (argmax over the last
 * axis) or within a float tolerance, everything else by equality.
 */
import type { AgreementMode } from './thresholds.js';

export interface AgreementSpec {
  mode: AgreementMode;
  atol: number;
  rtol: number;
}

export interface Comparison {
  agree: boolean;
  /** Where and how the two differ, e.g. `probabilities[3]: class 2 vs 0`. */
  reason?: string;
}

type NumArray = number | NumArray[];

function isNumeric(value: unknown): value is NumArray {
  if (typeof value === 'number') return true;
  if (!Array.isArray(value)) return false;
  return value.every(isNumeric);
}

function shapeOf(value: NumArray): number[] {
  const shape: number[] = [];
  for (let v: NumArray = value; Array.isArray(v); v = v[0] as NumArray) {
    shape.push(v.length);
    if (v.length === 0) break;
  }
  return shape;
}

/** Rows along the last axis, with their index paths: [[1,2],[3,4]] -> ([0], [1,2]), ([1], [3,4]). */
function rows(value: NumArray, path: number[] = [], out: { path: number[]; row: number[] }[] = []) {
  if (Array.isArray(value) && value.every((v) => typeof v === 'number'))
    out.push({ path, row: value as number[] });
  else if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) rows(value[i]!, [...path, i], out);
  } else out.push({ path, row: [value] });
  return out;
}

function flat(value: NumArray, out: number[] = []): number[] {
  if (Array.isArray(value)) for (const v of value) flat(v, out);
  else out.push(value);
  return out;
}

function argmax(row: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < row.length; i++) if (row[i]! > row[best]!) best = i;
  return best;
}

const at = (name: string, path: number[]) => `${name}${path.map((i) => `[${i}]`).join('')}`;

function compareNumeric(name: string, a: NumArray, b: NumArray, spec: AgreementSpec): Comparison {
  const shapeA = shapeOf(a);
  const shapeB = shapeOf(b);
  if (shapeA.join('x') !== shapeB.join('x'))
    return { agree: false, reason: `${name}: shape [${shapeA}] vs [${shapeB}]` };
  const values = flat(a);
  const classes = shapeA.length >= 1 && shapeA.at(-1)! > 1 && values.some((v) => !Number.isInteger(v));
  const mode = spec.mode === 'auto' ? (classes ? 'argmax' : 'tolerance') : spec.mode;
  if (mode === 'argmax') {
    const rowsA = rows(a);
    const rowsB = rows(b);
    for (let i = 0; i < rowsA.length; i++) {
      const ca = argmax(rowsA[i]!.row);
      const cb = argmax(rowsB[i]!.row);
      if (ca !== cb) return { agree: false, reason: `${at(name, rowsA[i]!.path)}: class ${ca} vs ${cb}` };
    }
    return { agree: true };
  }
  const other = flat(b);
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!;
    const y = other[i]!;
    const equal = mode === 'exact' ? x === y : Math.abs(x - y) <= spec.atol + spec.rtol * Math.abs(x);
    if (!equal) return { agree: false, reason: `${name} element ${i}: ${x} vs ${y}` };
  }
  return { agree: true };
}

function compareValue(name: string, a: unknown, b: unknown, spec: AgreementSpec): Comparison {
  if (isNumeric(a) && isNumeric(b)) return compareNumeric(name, a, b, spec);
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return { agree: false, reason: `${name}: length ${a.length} vs ${b.length}` };
    for (let i = 0; i < a.length; i++) {
      const c = compareValue(`${name}[${i}]`, a[i], b[i], spec);
      if (!c.agree) return c;
    }
    return { agree: true };
  }
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const keysA = Object.keys(a).sort();
    const keysB = Object.keys(b).sort();
    if (keysA.join('\0') !== keysB.join('\0'))
      return { agree: false, reason: `${name || 'body'}: keys ${keysA.join(',')} vs ${keysB.join(',')}` };
    for (const key of keysA) {
      const c = compareValue(
        name ? `${name}.${key}` : key,
        (a as Record<string, unknown>)[key],
        (b as Record<string, unknown>)[key],
        spec,
      );
      if (!c.agree) return c;
    }
    return { agree: true };
  }
  if (a === b) return { agree: true };
  const show = (v: unknown) => {
    const text = JSON.stringify(v) ?? String(v);
    return text.length > 40 ? `${text.slice(0, 40)}...` : text;
  };
  return { agree: false, reason: `${name || 'body'}: ${show(a)} vs ${show(b)}` };
}

/** Compares two response bodies (parsed JSON when both parsed, else their text). */
export function compareResponses(baseline: unknown, candidate: unknown, spec: AgreementSpec): Comparison {
  return compareValue('', baseline, candidate, spec);
}
