/**
 * Model outputs -> response body, by the Accept header: JSON by default (a single output as its nested
 * array, like BentoML's ndarray IO; several as {name: nested array}), `application/x-npz` (one
 * `<output>.npy` member per output, for any count), `application/x-npy` or `application/octet-stream`
 * (raw bytes, dtype and shape in headers) for a single output.
 */
import { NPZ_ACCEPT_TYPES, NPZ_TYPE } from '../../src/shared/body-formats.js';
import type { Tensor, TensorMap } from '../../src/shared/service.js';
import { HttpError } from '../errors.js';
import { DTYPE_HEADER, encodeNpy, NAME_HEADER, SHAPE_HEADER, tensorBytes } from '../tensors/binary.js';
import { encodeJsonTensor } from '../tensors/json.js';
import { writeNpz } from '../tensors/npz-write.js';

export interface EncodedBody {
  body: string | Buffer;
  headers: Record<string, string>;
}

function isTensor(value: unknown): value is Tensor {
  const t = value as Tensor;
  return (
    typeof t === 'object' &&
    t !== null &&
    typeof t.dtype === 'string' &&
    Array.isArray(t.shape) &&
    typeof t.data === 'object'
  );
}

export function isTensorMap(value: unknown): value is TensorMap {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const values = Object.values(value);
  return values.length > 0 && values.every(isTensor);
}

function single(outputs: TensorMap, accept: string): [string, Tensor] {
  const entries = Object.entries(outputs);
  if (entries.length !== 1) {
    throw new HttpError(
      406,
      `${accept} carries one tensor but this API returns ${entries.length} (${entries.map(([n]) => n).join(', ')}); ask for ${NPZ_TYPE} or application/json`,
    );
  }
  return entries[0]!;
}

export function encodeOutputs(outputs: TensorMap, accept: string | undefined): EncodedBody {
  if (accept && NPZ_ACCEPT_TYPES.some((type) => accept.includes(type))) {
    const strings = Object.entries(outputs).find(([, t]) => t.dtype === 'string');
    if (strings)
      throw new HttpError(
        406,
        `output "${strings[0]}" holds strings, which .npy cannot carry here; ask for application/json`,
      );
    return { body: writeNpz(Object.entries(outputs)), headers: { 'content-type': NPZ_TYPE } };
  }
  if (accept?.includes('application/x-npy')) {
    const [name, tensor] = single(outputs, 'application/x-npy');
    return { body: encodeNpy(tensor), headers: { 'content-type': 'application/x-npy', [NAME_HEADER]: name } };
  }
  if (accept?.includes('application/octet-stream')) {
    const [name, tensor] = single(outputs, 'application/octet-stream');
    return {
      body: Buffer.from(tensorBytes(tensor)),
      headers: {
        'content-type': 'application/octet-stream',
        [NAME_HEADER]: name,
        [DTYPE_HEADER]: tensor.dtype,
        [SHAPE_HEADER]: tensor.shape.join(','),
      },
    };
  }
  const names = Object.keys(outputs);
  const body =
    names.length === 1
      ? encodeJsonTensor(outputs[names[0]!]!)
      : `{${names.map((n) => `${JSON.stringify(n)}:${encodeJsonTensor(outputs[n]!)}`).join(',')}}`;
  return { body, headers: { 'content-type': 'application/json' } };
}

/** A post hook's result: tensors are encoded like model outputs, anything else is sent as JSON. */
export function encodeHookResult(value: unknown, accept: string | undefined): EncodedBody {
  if (isTensorMap(value)) return encodeOutputs(value, accept);
  const body = JSON.stringify(value ?? null, (_k, v) =>
    typeof v === 'bigint'
      ? v.toString()
      : ArrayBuffer.isView(v)
        ? Array.from(v as unknown as ArrayLike<number>)
        : v,
  );
  return { body, headers: { 'content-type': 'application/json' } };
}
