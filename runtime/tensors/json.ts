/**
 * Tensors <-> JSON nested arrays. Decoding takes the element type from the signature (JSON has only
 * numbers), checks every element and that the nesting is rectangular, and writes straight into a
 * typed array; encoding writes the JSON text directly, without building nested JS arrays first.
 */
import type { Dtype } from '../../src/shared/schemas.js';
import type { Tensor, TensorData } from '../../src/shared/service.js';
import { fromHalfBits } from './dtype.js';
import { FLOAT32_LIMIT, TensorWalk } from './json-walk.js';
import { inSlices, STEP_ELEMENTS } from './slices.js';

/**
 * The common case, a matrix of plain numbers for a float input, without the general walk's
 * closures; undefined when anything is unusual (ragged, not a number, beyond the dtype's range),
 * and the general walk then finds and names it. Every row is checked before the allocation.
 */
function decodeFloatMatrix(value: unknown, dtype: 'float32' | 'float64'): Tensor | undefined {
  if (!Array.isArray(value) || value.length === 0 || !Array.isArray(value[0])) return undefined;
  const rows = value.length;
  const width = (value[0] as unknown[]).length;
  for (let r = 1; r < rows; r++) {
    const row = value[r];
    if (!Array.isArray(row) || row.length !== width) return undefined;
  }
  const limit = dtype === 'float32' ? FLOAT32_LIMIT : Number.POSITIVE_INFINITY;
  const data = dtype === 'float32' ? new Float32Array(rows * width) : new Float64Array(rows * width);
  let offset = 0;
  for (let r = 0; r < rows; r++) {
    const row = value[r] as unknown[];
    for (let c = 0; c < width; c++) {
      const x = row[c];
      if (typeof x !== 'number' || !(x < limit && x > -limit)) return undefined;
      data[offset++] = x;
    }
  }
  return { dtype, shape: [rows, width], data };
}

/** Decodes `value` (a scalar or nested arrays) as a tensor of `dtype`; `input` names it in errors. */
export function decodeJsonTensor(value: unknown, dtype: Dtype, input: string): Tensor {
  if (dtype === 'float32' || dtype === 'float64') {
    const fast = decodeFloatMatrix(value, dtype);
    if (fast) return fast;
  }
  const walk = new TensorWalk(value, dtype, input);
  walk.check(Number.POSITIVE_INFINITY);
  walk.fill(Number.POSITIVE_INFINITY);
  return walk.tensor();
}

/**
 * `decodeJsonTensor` for large values: the same checks and result, in slices (slices.ts), so other
 * requests are served meanwhile.
 */
export async function decodeJsonTensorInSlices(value: unknown, dtype: Dtype, input: string): Promise<Tensor> {
  const walk = new TensorWalk(value, dtype, input);
  await inSlices(() => walk.check(STEP_ELEMENTS));
  await inSlices(() => walk.fill(STEP_ELEMENTS));
  return walk.tensor();
}

/** Writes a tensor as JSON text: nested arrays, NaN and infinities as null, 64-bit integers beyond 2^53 as strings. */
export function encodeJsonTensor(tensor: Tensor): string {
  const { shape, data, dtype } = tensor;
  if (shape.length === 2 && dtype === 'float32') {
    const fast = encodeFloatMatrix(data as Float32Array, shape[0]!, shape[1]!);
    if (fast !== undefined) return fast;
  }
  const row = rowWriter(dtype, data);
  if (shape.length === 0) return row(0, 1);
  const parts: string[] = [];
  let offset = 0;
  const inner = shape[shape.length - 1]!;
  const walk = (depth: number): void => {
    const n = shape[depth]!;
    if (depth === shape.length - 1) {
      parts.push('[', row(offset, inner), ']');
      offset += inner;
      return;
    }
    parts.push('[');
    for (let i = 0; i < n; i++) {
      if (i > 0) parts.push(',');
      walk(depth + 1);
    }
    parts.push(']');
  };
  walk(0);
  return parts.join('');
}

/** A float32 matrix of finite numbers as JSON text; undefined if any element is not finite. */
function encodeFloatMatrix(data: Float32Array, rows: number, width: number): string | undefined {
  let text = '[';
  let offset = 0;
  for (let r = 0; r < rows; r++) {
    text += r === 0 ? '[' : ',[';
    for (let c = 0; c < width; c++) {
      const x = data[offset++]!;
      if (x - x !== 0) return undefined; // NaN or an infinity
      text += c === 0 ? x : `,${x}`;
    }
    text += ']';
  }
  return `${text}]`;
}

/** A function that writes elements [start, start+count) separated by commas. */
function rowWriter(dtype: Dtype, data: TensorData): (start: number, count: number) => string {
  if (dtype === 'float32' || dtype === 'float64') {
    const floats = data as Float32Array | Float64Array;
    return (start, count) => {
      const slice = floats.subarray(start, start + count);
      for (let i = 0; i < slice.length; i++) {
        if (!Number.isFinite(slice[i]!))
          return Array.from(slice, (x) => (Number.isFinite(x) ? String(x) : 'null')).join(',');
      }
      return slice.join(',');
    };
  }
  if (dtype === 'float16') {
    const bits = data as Uint16Array;
    return (start, count) =>
      Array.from(bits.subarray(start, start + count), (b) => {
        const x = fromHalfBits(b);
        return Number.isFinite(x) ? String(x) : 'null';
      }).join(',');
  }
  if (dtype === 'bool') {
    const bytes = data as Uint8Array;
    return (start, count) =>
      Array.from(bytes.subarray(start, start + count), (b) => (b ? 'true' : 'false')).join(',');
  }
  if (dtype === 'string') {
    const strings = data as string[];
    return (start, count) =>
      strings
        .slice(start, start + count)
        .map((s) => JSON.stringify(s))
        .join(',');
  }
  if (dtype === 'int64' || dtype === 'uint64') {
    const big = data as BigInt64Array | BigUint64Array;
    const limit = BigInt(Number.MAX_SAFE_INTEGER);
    return (start, count) =>
      Array.from(big.subarray(start, start + count), (x) =>
        x > limit || x < -limit ? `"${x}"` : String(x),
      ).join(',');
  }
  const ints = data as Exclude<TensorData, string[] | BigInt64Array | BigUint64Array>;
  return (start, count) => ints.subarray(start, start + count).join(',');
}
