/**
 * Request bodies -> named tensors for an API. JSON: a nested array (single-input APIs) or an object
 * `{input_name: nested array}`; binary: `application/octet-stream` (raw little-endian bytes with
 * `x-tensor-dtype` and `x-tensor-shape`, `x-tensor-name` when the API has several inputs) or
 * `application/x-npy` (.npy; also detected by its magic under octet-stream). text/plain and form
 * encoding (what `curl -d` sends) are read as JSON.
 */
import type { IncomingHttpHeaders } from 'node:http';
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

const names = (specs: readonly TensorSpec[]) => specs.map((s) => `"${s.name}"`).join(', ');

export function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (err) {
    // V8 quotes a piece of the body, which may hold newlines or control characters: one line here.
    const reason = (err as Error).message.replace(/[\s\p{Cc}]+/gu, ' ');
    throw badRequest(`the body is not valid JSON: ${reason}`);
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
  if (type === 'application/x-npy' || (type === 'application/octet-stream' && isNpy(body))) {
    const name = binaryInputName(headers, specs);
    return { inputs: { [name]: decodeNpy(body, name) }, json: undefined };
  }
  if (type === 'application/octet-stream') {
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
    `unsupported content-type "${type}": send application/json, application/octet-stream or application/x-npy`,
  );
}

/**
 * `decodeRequest` for the server: a JSON body larger than SLICED_JSON_BYTES is parsed and decoded in
 * slices with the event loop free in between (a Promise then), so one large body does not stall
 * every other request; smaller bodies take the synchronous path, which costs nothing extra.
 */
export function decodeBody(
  headers: IncomingHttpHeaders,
  body: Buffer,
  specs: readonly TensorSpec[],
  keepJson = true,
): DecodedRequest | Promise<DecodedRequest> {
  if (body.length > SLICED_JSON_BYTES && isJsonType(contentType(headers)))
    return decodeJsonInSlices(body, specs, keepJson);
  return decodeRequest(headers, body, specs, keepJson);
}
