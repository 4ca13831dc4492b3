/**
 * Warm-up samples: the inputs an API is warmed up with instead of zeros (bento.yaml `apis[].warmup`).
 * A sample is one request: a file (.json as a client would POST it, .npy for a single-input API,
 * .npz with one array per input) or every input filled with one value at given shapes. The build
 * checks samples with these same functions, so a bento that builds warms up with what was checked.
 */
import { readFile, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import type { Dtype, TensorSpec, Warmup } from '../../src/shared/schemas.js';
import type { Tensor, TensorMap } from '../../src/shared/service.js';
import { decodeJsonInputs } from '../http/decode.js';
import { axesOfSpecs, rowsOf } from '../tensors/batch-layout.js';
import { decodeNpy } from '../tensors/binary.js';
import { allocate, bytesPerElement, elementCount } from '../tensors/dtype.js';
import { decodeJsonTensor } from '../tensors/json.js';
import { readNpz } from '../tensors/npz.js';
import { formatTensor, validateInputs } from '../tensors/validate.js';

export const SAMPLE_EXTENSIONS = ['.json', '.npy', '.npz'] as const;
/** Bigger samples than this are not a single representative request. */
export const MAX_SAMPLE_BYTES = 64 * 1024 * 1024;

/** What a sample is checked against: the API's inputs and where its batch dim is. */
export interface SampleTarget {
  specs: readonly TensorSpec[];
  batchable: boolean;
  batchDim: number;
}

export interface Sample {
  inputs: TensorMap;
  /** Rows along the batch dim (1 when the signature is not batchable). */
  rows: number;
}

const names = (specs: readonly TensorSpec[]) => specs.map((s) => `"${s.name}"`).join(', ');

/** Decodes the bytes of a sample file (its extension says the format) and checks them. */
export function decodeSampleFile(bytes: Uint8Array, file: string, target: SampleTarget): Sample {
  const { specs } = target;
  const ext = extname(file).toLowerCase();
  let inputs: TensorMap;
  if (ext === '.json') {
    let json: unknown;
    try {
      json = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
    } catch (err) {
      throw new Error(`not valid JSON: ${(err as Error).message}`);
    }
    inputs = decodeJsonInputs(json, specs);
  } else if (ext === '.npy') {
    if (specs.length !== 1)
      throw new Error(`a .npy file holds one array but the API takes inputs ${names(specs)}: use a .npz`);
    inputs = { [specs[0]!.name]: decodeNpy(bytes, specs[0]!.name) };
  } else if (ext === '.npz') {
    inputs = {};
    for (const [name, tensor] of readNpz(bytes, { maxBytes: MAX_SAMPLE_BYTES })) {
      if (!specs.some((s) => s.name === name))
        throw new Error(`array "${name}" is not an input of this API (inputs: ${names(specs)})`);
      inputs[name] = tensor;
    }
  } else {
    throw new Error(`"${ext || file}" files are not samples: use ${SAMPLE_EXTENSIONS.join(', ')}`);
  }
  return checked(inputs, target);
}

/** Every input at the shape `shapes` gives it, filled with `fill` (converted to the input's dtype). */
export function filledSample(
  shapes: Readonly<Record<string, readonly number[]>>,
  fill: number | boolean | string,
  target: SampleTarget,
): Sample {
  const { specs } = target;
  const unknown = Object.keys(shapes).find((name) => !specs.some((s) => s.name === name));
  if (unknown !== undefined)
    throw new Error(`"${unknown}" is not an input of this API (inputs: ${names(specs)})`);
  const inputs: TensorMap = {};
  for (const spec of specs) {
    const shape = shapes[spec.name];
    if (!shape)
      throw new Error(`input "${spec.name}" has no shape: give every input one (inputs: ${names(specs)})`);
    const count = elementCount(shape);
    if (count * bytesOf(spec.dtype) > MAX_SAMPLE_BYTES)
      throw new Error(
        `input "${spec.name}" at [${shape.join(', ')}] would take more than ${MAX_SAMPLE_BYTES} bytes: a sample is one representative request`,
      );
    // A scalar through the JSON decoder: the same range and type checks a request's values get.
    const value = decodeJsonTensor(fill, spec.dtype, spec.name).data[0]!;
    const data = allocate(spec.dtype, count);
    (data as { fill(v: unknown): unknown }).fill(value);
    inputs[spec.name] = { dtype: spec.dtype, shape: [...shape], data };
  }
  return checked(inputs, target);
}

/** Strings are counted at 8 bytes, a pointer each, before they hold anything. */
const bytesOf = (dtype: Dtype): number => (dtype === 'string' ? 8 : bytesPerElement(dtype));

function checked(inputs: TensorMap, target: SampleTarget): Sample {
  validateInputs(inputs, target.specs);
  const rows = target.batchable ? rowsOf(inputs, axesOfSpecs(target.specs, target.batchDim)) : 1;
  return { inputs, rows };
}

/** Reads a sample file; errors say what is wrong with it, without the path (the caller names it). */
export async function readSampleFile(path: string, target: SampleTarget): Promise<Sample> {
  const size = (await stat(path)).size;
  if (size > MAX_SAMPLE_BYTES)
    throw new Error(`${size} bytes is more than the ${MAX_SAMPLE_BYTES} a warm-up sample may have`);
  return decodeSampleFile(await readFile(path), path, target);
}

/** The inputs of a bento API's warm-up, `file` resolved to an absolute path by the caller. */
export async function loadSample(
  warmup: Warmup,
  file: string | undefined,
  target: SampleTarget,
): Promise<Sample> {
  if ('file' in warmup) return readSampleFile(file ?? warmup.file, target);
  return filledSample(warmup.shapes, warmup.fill, target);
}

/** `input [1, 3, 16, 16], mask [1, 16]`: the shapes a warm-up ran with, for its log lines. */
export function describeInputs(inputs: TensorMap): string {
  return Object.entries(inputs)
    .map(([name, t]: [string, Tensor]) => `${name} ${formatTensor(t).replace(/^\S+ /, '')}`)
    .join(', ');
}
