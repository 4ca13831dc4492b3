/**
 * Merging requests into one batch and cutting the outputs back: batched inputs concatenated along
 * their batch axes, padded inputs first filled up to the batch's length, shared inputs taken once;
 * each output split along its batch axis and, where padding lengthened it, cut to the request's
 * own length.
 */
import type { Tensor, TensorMap } from '../../src/shared/service.js';
import type { BatchLayout } from './batch-layout.js';
import { concatAlong, splitAlong } from './concat.js';
import { allocate, elementCount, toHalfBits } from './dtype.js';

/** One request's part of a batch: its inputs, rows, and length along the padding axes. */
export interface BatchPart {
  inputs: TensorMap;
  rows: number;
  length?: number;
}

/** The length every request of a batch is padded to: the longest, rounded up to a bucket. */
export function paddedLength(parts: readonly BatchPart[], layout: BatchLayout): number | undefined {
  if (!layout.padded) return undefined;
  let longest = 0;
  for (const part of parts) longest = Math.max(longest, part.length ?? 0);
  return padTo(layout, longest);
}

/** The length a batch whose longest request is `length` long is padded to: its bucket, if any. */
export function padTo(layout: BatchLayout, length: number): number {
  return layout.buckets?.find((b) => b >= length) ?? length;
}

export function mergeInputs(parts: readonly BatchPart[], layout: BatchLayout, length?: number): TensorMap {
  const merged: TensorMap = {};
  for (const input of layout.inputs) {
    const tensors = parts.map((p) => p.inputs[input.name]!);
    if (input.axis === 'shared') merged[input.name] = tensors[0]!;
    else {
      const pad = input.pad;
      const filled =
        pad && length !== undefined ? tensors.map((t) => padAlong(t, pad.axis, length, pad.value)) : tensors;
      merged[input.name] = concatAlong(filled, input.axis);
    }
  }
  return merged;
}

/** Each request's outputs: its rows of every output, cut back to its length where padded. */
export function splitOutputs(
  outputs: TensorMap,
  parts: readonly BatchPart[],
  layout: BatchLayout,
  length?: number,
): TensorMap[] {
  const rows = parts.reduce((n, p) => n + p.rows, 0);
  const perPart: TensorMap[] = parts.map(() => ({}));
  for (const output of layout.outputs) {
    const tensor = outputs[output.name];
    if (!tensor) continue;
    if (tensor.shape[output.axis] !== rows)
      throw new Error(
        `output "${output.name}" has shape [${tensor.shape.join(', ')}], not ${rows} rows along its batch axis ${output.axis}; set its batch axis (apis[].batching.axes) or turn batching off`,
      );
    const split =
      parts.length === 1
        ? [tensor]
        : splitAlong(
            tensor,
            output.axis,
            parts.map((p) => p.rows),
          );
    for (let i = 0; i < parts.length; i++) {
      const own = parts[i]!.length;
      const cut = output.cut;
      perPart[i]![output.name] =
        cut !== undefined && own !== undefined && length !== undefined && own < length
          ? cutAlong(split[i]!, cut, own)
          : split[i]!;
    }
  }
  return perPart;
}

/** `tensor` lengthened to `length` along `axis`, the new places holding `value`. */
export function padAlong(
  tensor: Tensor,
  axis: number,
  length: number,
  value: number | boolean | string,
): Tensor {
  const have = tensor.shape[axis]!;
  if (have >= length) return tensor;
  const shape = [...tensor.shape];
  shape[axis] = length;
  const data = allocate(tensor.dtype, elementCount(shape));
  const fill = storedValue(tensor.dtype, value);
  if (fill !== 0) (data as { fill(v: unknown): unknown }).fill(fill);
  const outer = elementCount(tensor.shape.slice(0, axis));
  const inner = elementCount(tensor.shape.slice(axis + 1));
  const from = have * inner;
  const to = length * inner;
  for (let o = 0; o < outer; o++) copy(data, o * to, tensor.data, o * from, from);
  return { dtype: tensor.dtype, shape, data };
}

/** The first `length` places of `tensor` along `axis` (a copy). */
export function cutAlong(tensor: Tensor, axis: number, length: number): Tensor {
  const have = tensor.shape[axis]!;
  if (length >= have) return tensor;
  return splitAlong(tensor, axis, [length, have - length])[0]!;
}

/** The element as the dtype's storage holds it (bool as 0/1, int64 as BigInt, float16 as its bits). */
function storedValue(dtype: Tensor['dtype'], value: number | boolean | string): unknown {
  if (dtype === 'string') return String(value);
  const n = typeof value === 'boolean' ? Number(value) : Number(value);
  if (dtype === 'int64' || dtype === 'uint64') return BigInt(n);
  if (dtype === 'float16') return toHalfBits(n);
  return n;
}

function copy(target: Tensor['data'], at: number, source: Tensor['data'], from: number, count: number): void {
  if (Array.isArray(source)) {
    for (let i = 0; i < count; i++) (target as string[])[at + i] = source[from + i]!;
    return;
  }
  const numeric = target as Exclude<Tensor['data'], string[]>;
  numeric.set(source.subarray(from, from + count) as never, at);
}
