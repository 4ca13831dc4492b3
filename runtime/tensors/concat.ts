/**
 * Concatenation and splitting along one axis, for merging requests into a batch and cutting the
 * outputs back. Row-major: for axis a, the tensor is `outer` blocks of `shape[a] * inner` elements,
 * so each part contributes one contiguous run per outer block (one run in total when a = 0).
 */
import type { Tensor, TensorData } from '../../src/shared/service.js';
import { allocate, elementCount } from './dtype.js';

type Numeric = Exclude<TensorData, string[]>;

const SHORT_RUN = 32;

function copyRun(
  target: TensorData,
  targetOffset: number,
  source: TensorData,
  sourceOffset: number,
  count: number,
): void {
  // Element by element for strings, and for short runs (one row of a small model), where a
  // subarray view per run costs more than the copy.
  if (Array.isArray(source) || count <= SHORT_RUN) {
    const from = source as ArrayLike<unknown>;
    const to = target as unknown[];
    for (let i = 0; i < count; i++) to[targetOffset + i] = from[sourceOffset + i];
  } else {
    (target as Numeric).set(
      (source as Numeric).subarray(sourceOffset, sourceOffset + count) as never,
      targetOffset,
    );
  }
}

/** Concatenates same-dtype tensors whose shapes differ only along `axis`. */
export function concatAlong(parts: readonly Tensor[], axis: number): Tensor {
  const first = parts[0]!;
  if (parts.length === 1) return first;
  const shape = [...first.shape];
  shape[axis] = parts.reduce((sum, p) => sum + p.shape[axis]!, 0);
  const data = allocate(first.dtype, elementCount(shape));
  const outer = elementCount(first.shape.slice(0, axis));
  const inner = elementCount(first.shape.slice(axis + 1));
  let offset = 0;
  for (let o = 0; o < outer; o++) {
    for (const part of parts) {
      const run = part.shape[axis]! * inner;
      copyRun(data, offset, part.data, o * run, run);
      offset += run;
    }
  }
  return { dtype: first.dtype, shape, data };
}

/**
 * Splits along `axis` into parts of the given sizes. Each part gets its own buffer (copies), so it
 * can be handed to a request, transferred or kept independently of the others.
 */
export function splitAlong(tensor: Tensor, axis: number, sizes: readonly number[]): Tensor[] {
  const outer = elementCount(tensor.shape.slice(0, axis));
  const inner = elementCount(tensor.shape.slice(axis + 1));
  const total = tensor.shape[axis]! * inner;
  const out: Tensor[] = [];
  let start = 0;
  for (const size of sizes) {
    const shape = [...tensor.shape];
    shape[axis] = size;
    const run = size * inner;
    const data = allocate(tensor.dtype, outer * run);
    for (let o = 0; o < outer; o++) copyRun(data, o * run, tensor.data, o * total + start * inner, run);
    out.push({ dtype: tensor.dtype, shape, data });
    start += size;
  }
  return out;
}
