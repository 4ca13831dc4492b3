/**
 * Request bodies -> named tensors for an API. JSON: a nested array (single-input APIs) or an object
 * `{input_name: nested array}`; binary: `application/octet-stream` (raw little-endian bytes with
 * `x-tensor-dtype` and `x-tensor-shape`, `x-tensor-name` when the API has several inputs),
 * `application/x-npy` (.npy; also detected by its magic under octet-stream), or .npz (np.savez, one
 * array per input; see NPZ_REQUEST_TYPES, also detected under octet-stream). text/plain and form
 * encoding (what `curl -d` sends) are read as JSON. Decoders take the inputs a body carries and do
 * not insist on the others: which inputs must be present is validation's concern (validate.ts).
 */
import type { IncomingHttpHeaders } from 'node:http';
import { NPY_TYPE, NPZ_REQUEST_TYPES, OCTET_TYPE } from '../../src/shared/body-formats.js';
import type { TensorSpec } from '../../src/shared/schemas.js';
import type { TensorMap } from '../../src/shared/service.js';
import { badRequest, HttpError, quoted } from '../errors.js';
import {
  DTYPE_HEADER,
  decodeNpy,
  isNpy,
  NAME_HEADER,
  parseDtypeHeader,
  parseShapeHeader,
  SHAPE_HEADER,
  tensorFromBytes,
} from '../tensors/binary.js';
import { decodeJsonTensor, decodeJsonTensorInSlices } from '../tensors/json.js';
import { NumberArraysInSlices, parseNumberArrays } from '../tensors/json-numbers.js';
import { parseJsonInSlices } from '../tensors/json-parse.js';
import { type NpyTensor, readNpz, readNpzAsync } from '../tensors/npz.js';
import { inSlices, STEP_BYTES } from '../tensors/slices.js';

export interface DecodedRequest {
  inputs: TensorMap;
  /** The parsed JSON body, for hooks; undefined for binary bodies. */
  json: unknown;
}

/**
 * JSON bodies larger than this are parsed and decoded in slices (tensors/json-parse.ts): JSON.parse
 * reads about 100 MB/s, so beyond this it would hold the event loop for more than ~2.5 ms.
 */
export const SLICED_JSON_BYTES = 256 * 1024;

export interface DecodeLimits {
  /**
   * The most an .npz body may inflate to, all members together: the server passes its
   * --max-request-bytes, so a compressed body decodes to no more than a raw body could carry.
   */
  maxInflatedBytes?: number;
}

/** Without a server's setting: the warm-up samples' bound. */
const DEFAULT_MAX_INFLATED_BYTES = 64 * 1024 * 1024;

const names = (specs: readonly TensorSpec[]) => specs.map((s) => `"${s.name}"`).join(', ');

/** `what` names the bytes in the error (the body, or a KServe request's JSON header). */
export function parseJson(body: Buffer, what = 'the body'): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (err) {
    // V8 quotes a piece of the body, which may hold newlines or control characters: one line here.
    const reason = (err as Error).message.replace(/[\s\p{Cc}]+/gu, ' ');
    throw badRequest(`${what} is not valid JSON: ${reason}`);
  }
}

/** Which value of a JSON body goes to which input (a bare array or scalar for a single input). */
function inputValues(json: unknown, specs: readonly TensorSpec[]): Array<[TensorSpec, unknown]> {
  if (Array.isArray(json) || typeof json !== 'object' || json === null) {
    if (specs.length !== 1) {
      throw badRequest(
        `this API takes inputs ${names(specs)}: send an object like {${specs.map((s) => `"${s.name}": [...]`).join(', ')}}`,
      );
    }
    return [[specs[0]!, json]];
  }
  return Object.entries(json as Record<string, unknown>).map(([name, value]) => {
    const spec = specs.find((s) => s.name === name);
    if (!spec)
      throw badRequest(`input ${quoted(name)} is not an input of this API (inputs: ${names(specs)})`);
    return [spec, value];
  });
}

export function decodeJsonInputs(json: unknown, specs: readonly TensorSpec[]): TensorMap {
  const inputs: TensorMap = {};
  for (const [spec, value] of inputValues(json, specs))
    inputs[spec.name] = decodeJsonTensor(value, spec.dtype, spec.name);
  return inputs;
}

/** The large-body counterpart of decodeRequest's JSON branch: the same paths, in slices. */
async function decodeJsonInSlices(
  body: Buffer,
  specs: readonly TensorSpec[],
  keepJson: boolean,
): Promise<DecodedRequest> {
  const only = specs.length === 1 ? specs[0]! : undefined;
  if (!keepJson && only && (only.dtype === 'float32' || only.dtype === 'float64')) {
    const scan = new NumberArraysInSlices(body, only.dtype);
    await inSlices(() => scan.step(STEP_BYTES));
    const tensor = scan.tensor;
    if (tensor) return { inputs: { [only.name]: tensor }, json: undefined };
  }
  const json = await parseJsonInSlices(body);
  const inputs: TensorMap = {};
  for (const [spec, value] of inputValues(json, specs))
    inputs[spec.name] = await decodeJsonTensorInSlices(value, spec.dtype, spec.name);
  return { inputs, json };
}

function contentType(headers: IncomingHttpHeaders): string {
  return (headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}

// curl -d sends form encoding and some clients text/plain: bodies in those are read as JSON too.
function isJsonType(type: string): boolean {
  return (
    type === '' ||
    type === 'application/json' ||
    type.endsWith('+json') ||
    type === 'text/plain' ||
    type === 'application/x-www-form-urlencoded'
  );
}

const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04]; // PK\x03\x04, a zip's first local header
const isZip = (body: Uint8Array) => body.length >= 4 && ZIP_MAGIC.every((b, i) => body[i] === b);

function isNpzBody(type: string, headers: IncomingHttpHeaders, body: Uint8Array): boolean {
  if (NPZ_REQUEST_TYPES.includes(type)) return true;
  // Raw bytes may start with PK by chance: only a body without dtype and shape headers is taken as a zip.
  return type === OCTET_TYPE && headers[DTYPE_HEADER] === undefined && isZip(body);
}

/**
 * The arrays of an .npz body, by input. Names as np.savez(f, name=array) gives them; arrays saved
 * without names (np.savez(f, a, b): arr_0, arr_1, ...) go to the inputs in signature order when no
 * input is named like that. Unknown names are refused before anything is inflated.
 */
function npzOptions(specs: readonly TensorSpec[], limits: DecodeLimits) {
  const known = new Set(specs.map((s) => s.name));
  const positional = (key: string) => {
    const match = /^arr_(\d{1,6})$/.exec(key);
    return match && !known.has(key) ? Number(match[1]) : undefined;
  };
  const inputOf = (key: string): string => {
    if (known.has(key)) return key;
    const at = positional(key);
    if (at !== undefined && at < specs.length) return specs[at]!.name;
    throw badRequest(
      `.npz array ${quoted(key)} is not an input of this API (inputs: ${names(specs)}); save each under its input's name, np.savez(f, ${specs[0]!.name}=...)`,
    );
  };
  const toInputs = (arrays: Map<string, NpyTensor>): TensorMap => {
    const inputs: TensorMap = {};
    for (const [key, tensor] of arrays) {
      const name = inputOf(key);
      if (inputs[name]) throw badRequest(`.npz: input "${name}" is given twice (as "${name}" and as arr_N)`);
      inputs[name] = tensor;
    }
    return inputs;
  };
  return {
    read: { maxBytes: limits.maxInflatedBytes ?? DEFAULT_MAX_INFLATED_BYTES, checkName: inputOf },
    toInputs,
  };
}

function binaryInputName(headers: IncomingHttpHeaders, specs: readonly TensorSpec[]): string {
  const named = headers[NAME_HEADER];
  if (typeof named === 'string' && named) return named;
  if (specs.length !== 1)
    throw badRequest(
      `this API takes inputs ${names(specs)}: a binary body needs an ${NAME_HEADER} header (or send JSON)`,
    );
  return specs[0]!.name;
}

/**
 * `keepJson`: the parsed body is wanted (service hooks see it); otherwise a body of plain number
 * arrays for a single float input skips JSON.parse (see json-numbers.ts).
 */
export function decodeRequest(
  headers: IncomingHttpHeaders,
  body: Buffer,
  specs: readonly TensorSpec[],
  keepJson = true,
  limits: DecodeLimits = {},
): DecodedRequest {
  const type = contentType(headers);
  if (isJsonType(type)) {
    const only = specs.length === 1 ? specs[0]! : undefined;
    if (!keepJson && only && (only.dtype === 'float32' || only.dtype === 'float64')) {
      const tensor = parseNumberArrays(body, only.dtype);
      if (tensor) return { inputs: { [only.name]: tensor }, json: undefined };
    }
    const json = parseJson(body);
    return { inputs: decodeJsonInputs(json, specs), json };
  }
  if (isNpzBody(type, headers, body)) {
    const npz = npzOptions(specs, limits);
    return { inputs: npz.toInputs(readNpz(body, npz.read)), json: undefined };
  }
  if (type === NPY_TYPE || (type === OCTET_TYPE && isNpy(body))) {
    const name = binaryInputName(headers, specs);
    return { inputs: { [name]: decodeNpy(body, name) }, json: undefined };
  }
  if (type === OCTET_TYPE) {
    const name = binaryInputName(headers, specs);
    const dtype = parseDtypeHeader(headers[DTYPE_HEADER] as string | undefined, name);
    const shapeHeader = headers[SHAPE_HEADER];
    if (typeof shapeHeader !== 'string')
      throw badRequest(`input "${name}": missing ${SHAPE_HEADER} header (like 2,4)`);
    return {
      inputs: { [name]: tensorFromBytes(body, dtype, parseShapeHeader(shapeHeader, name), name) },
      json: undefined,
    };
  }
  throw new HttpError(
    415,
    `unsupported content-type ${quoted(type)}: send application/json, application/x-npz, application/x-npy or application/octet-stream`,
  );
}

/**
 * `decodeRequest` for the server: a JSON body larger than SLICED_JSON_BYTES is parsed and decoded in
 * slices with the event loop free in between (a Promise then), and a large .npz body is inflated on
 * the thread pool, so one large body does not stall every other request; smaller bodies take the
 * synchronous path, which costs nothing extra.
 */
export function decodeBody(
  headers: IncomingHttpHeaders,
  body: Buffer,
  specs: readonly TensorSpec[],
  keepJson = true,
  limits: DecodeLimits = {},
): DecodedRequest | Promise<DecodedRequest> {
  if (body.length > SLICED_JSON_BYTES) {
    const type = contentType(headers);
    if (isJsonType(type)) return decodeJsonInSlices(body, specs, keepJson);
    if (isNpzBody(type, headers, body)) {
      const npz = npzOptions(specs, limits);
      return readNpzAsync(body, npz.read).then((arrays) => ({
        inputs: npz.toInputs(arrays),
        json: undefined,
      }));
    }
  }
  return decodeRequest(headers, body, specs, keepJson, limits);
}
