/**
 * How requests of one API merge into a batch: per input its batch axis (or `shared`: one value the
 * whole batch uses) and padding axis, per output its batch axis and the axis its answer is cut back
 * along. From bento.yaml's per-tensor `batch_axis` and `batching.padding`; entries saved before
 * per-tensor axes use the signature's single `batch_dim` for every tensor.
 */
import { createHash } from 'node:crypto';
import { type BatchAxis, batchAxisOf } from '../../src/shared/batch-axes.js';
import type { Padding, TensorSpec } from '../../src/shared/schemas.js';
import type { Tensor, TensorMap } from '../../src/shared/service.js';
import { badRequest, RuntimeStartError } from '../errors.js';
import type { LoadedApi } from '../service/load.js';
import { allocate, bytesPerElement, elementCount, isNumericDtype } from './dtype.js';

/** What rows and keys need of an input: its batch axis and padding axis. */
export interface InputAxis {
  name: string;
  axis: BatchAxis;
  pad?: { axis: number; value: number | boolean | string };
}

export interface InputLayout extends InputAxis {
  spec: TensorSpec;
}

/** The batch axes of specs without padding (warm-up samples, the build's checks of them). */
export function axesOfSpecs(specs: readonly TensorSpec[], batchDim: number): InputAxis[] {
  return specs.map((s) => ({ name: s.name, axis: batchAxisOf(s, batchDim) }));
}

export interface OutputLayout {
  name: string;
  axis: number;
  /** The axis cut back to each request's own length, when padding lengthened it. */
  cut?: number;
}

export interface BatchLayout {
  inputs: InputLayout[];
  outputs: OutputLayout[];
  /** The input the runtime fills when a request leaves it out (1 over its length, 0 over padding). */
  mask?: string;
  /** Lengths to pad up to (ascending); absent: to the longest request of the batch. */
  buckets?: readonly number[];
  padded: boolean;
}

export function batchLayoutOf(loaded: LoadedApi): BatchLayout {
  const { api, signature } = loaded;
  const padding = api.batching.padding;
  const inputs = api.input.map(
    (spec): InputLayout => ({
      name: spec.name,
      spec,
      axis: batchAxisOf(spec, signature.batch_dim),
      ...(padding?.inputs[spec.name] ? { pad: padding.inputs[spec.name]! } : {}),
    }),
  );
  const outputs = api.output.map((spec): OutputLayout => {
    const axis = batchAxisOf(spec, signature.batch_dim);
    const cut = padding?.outputs?.[spec.name];
    return { name: spec.name, axis: axis === 'shared' ? 0 : axis, ...(cut !== undefined ? { cut } : {}) };
  });
  if (padding) checkPadding(api.name, inputs, outputs, padding);
  return {
    inputs,
    outputs,
    ...(padding?.mask ? { mask: padding.mask } : {}),
    ...(padding?.buckets ? { buckets: padding.buckets } : {}),
    padded: padding !== undefined,
  };
}

/**
 * What the build checks, again at start: a bento.yaml edited by hand or imported from elsewhere must
 * not make the runtime pad an input that does not exist or build a mask of unknown size.
 */
function checkPadding(
  api: string,
  inputs: readonly InputLayout[],
  outputs: readonly OutputLayout[],
  padding: Padding,
): void {
  const fail = (what: string) => {
    throw new RuntimeStartError(`API "${api}": batching.padding ${what}; rebuild the bento`);
  };
  for (const [name, pad] of Object.entries(padding.inputs)) {
    const input = inputs.find((i) => i.name === name);
    if (!input) fail(`names "${name}", which is not an input`);
    else if (input.axis === 'shared') fail(`pads "${name}", which is shared by the batch`);
    else if (pad.axis === input.axis) fail(`pads "${name}" along its batch axis`);
    else if (input.spec.shape !== null && pad.axis >= input.spec.shape.length)
      fail(`pads "${name}" along axis ${pad.axis}, which it does not have`);
  }
  if (padding.mask !== undefined) {
    const mask = inputs.find((i) => i.name === padding.mask);
    if (!mask?.pad) fail(`mask "${padding.mask}" is not a padded input`);
    else if (
      mask.spec.shape?.some((d, i) => i !== mask.axis && i !== mask.pad!.axis && typeof d !== 'number')
    )
      fail(`mask "${padding.mask}" has a dynamic axis besides its batch and padding axes`);
  }
  for (const name of Object.keys(padding.outputs ?? {}))
    if (!outputs.some((o) => o.name === name)) fail(`cuts "${name}", which is not an output`);
}

/** The input listing for messages. */
const named = (axes: readonly InputAxis[]) => axes.map((i) => `"${i.name}"`).join(', ');

/**
 * Rows a request adds along the batch axes; every batched input must agree, or its answer could not
 * be cut back out of the batch.
 */
export function rowsOf(inputs: TensorMap, axes: readonly InputAxis[]): number {
  let rows = -1;
  let first = '';
  for (const input of axes) {
    const tensor = inputs[input.name];
    // Absent only when it is the mask the runtime fills (validation saw to the others).
    if (input.axis === 'shared' || !tensor) continue;
    const n = tensor.shape[input.axis];
    if (n === undefined)
      throw badRequest(
        `input "${input.name}": rank ${tensor.shape.length} has no batch axis ${input.axis} (inputs: ${named(axes)})`,
      );
    if (rows === -1) [rows, first] = [n, input.name];
    else if (n !== rows)
      throw badRequest(
        `input "${input.name}": ${n} rows along its batch axis ${input.axis}, but "${first}" has ${rows}; they must match`,
      );
  }
  if (rows === 0) throw badRequest(`input "${first}": the batch axis is empty`);
  return rows === -1 ? 1 : rows;
}

/**
 * A request's length along the padding axes (every padded input must agree), or undefined when the
 * API pads nothing.
 */
export function lengthOf(inputs: TensorMap, layout: BatchLayout): number | undefined {
  let length: number | undefined;
  let first = '';
  for (const input of layout.inputs) {
    if (!input.pad || !inputs[input.name]) continue;
    const n = inputs[input.name]!.shape[input.pad.axis];
    if (n === undefined)
      throw badRequest(
        `input "${input.name}": rank ${inputs[input.name]!.shape.length} has no axis ${input.pad.axis} to pad`,
      );
    if (length === undefined) [length, first] = [n, input.name];
    else if (n !== length)
      throw badRequest(
        `input "${input.name}" is ${n} long along axis ${input.pad.axis}, but "${first}" is ${length}; padded inputs of one request must be equally long`,
      );
  }
  return length;
}

/** Whether the request left out the mask the runtime fills. */
export function lacksMask(inputs: TensorMap, layout: BatchLayout): boolean {
  return layout.mask !== undefined && !inputs[layout.mask];
}

/**
 * Fills the mask input of a request that left it out (see lacksMask): ones over its own `rows` and
 * `length`, as rowsOf and lengthOf measured them.
 */
export function fillMask(inputs: TensorMap, layout: BatchLayout, rows: number, length: number): void {
  const mask = layout.inputs.find((i) => i.name === layout.mask)!;
  const shape = mask.spec.shape!.map((d, i) =>
    i === mask.axis ? rows : i === mask.pad!.axis ? length : (d as number),
  );
  const data = allocate(mask.spec.dtype, elementCount(shape));
  (data as { fill(v: unknown): unknown }).fill(ONE[mask.spec.dtype] ?? 1);
  inputs[layout.mask!] = { dtype: mask.spec.dtype, shape, data };
}

/**
 * Bytes one row of a request's padded inputs takes per position along the padding axes: what each
 * position of padding costs its batch (every padded input's other dims, times its element size).
 */
export function positionBytesOf(inputs: TensorMap, layout: BatchLayout): number {
  let bytes = 0;
  for (const input of layout.inputs) {
    const tensor = inputs[input.name];
    if (!input.pad || !tensor) continue;
    let elements = 1;
    tensor.shape.forEach((d, i) => {
      if (i !== input.axis && i !== input.pad!.axis) elements *= d;
    });
    bytes += elements * (isNumericDtype(tensor.dtype) ? bytesPerElement(tensor.dtype) : STRING_BYTES);
  }
  return bytes;
}

/** What a string element is counted as: the reference an array holds, before its characters. */
const STRING_BYTES = 8;

/** 1 in the dtypes whose storage does not take the number 1 (64-bit integers, half floats' bits). */
const ONE: Partial<Record<string, unknown>> = { int64: 1n, uint64: 1n, float16: 0x3c00 };

/**
 * Requests batch together only when their key is equal: every dim but the batch and padding axes
 * matches, and shared inputs hold the same values.
 */
export function batchKey(inputs: TensorMap, axes: readonly InputAxis[]): string {
  let key = '';
  for (const input of axes) {
    const tensor = inputs[input.name]!;
    const { shape } = tensor;
    for (let i = 0; i < shape.length; i++)
      key += i === input.axis ? '*,' : i === input.pad?.axis ? '~,' : `${shape[i]},`;
    if (input.axis === 'shared') key += `=${valuesKey(tensor)}`;
    key += ';';
  }
  return key;
}

/** A shared input's values as part of a key: as they are when short, else a hash of them. */
function valuesKey(tensor: Tensor): string {
  const { data } = tensor;
  if (data.length <= 16)
    return Array.isArray(data) ? JSON.stringify(data) : Array.from(data as ArrayLike<unknown>).join(',');
  // A collision would answer a request with another's shared value: a cryptographic hash, not a fast one.
  const hash = createHash('sha256');
  if (Array.isArray(data)) hash.update(JSON.stringify(data));
  else hash.update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  return `#${hash.digest('base64')}`;
}
