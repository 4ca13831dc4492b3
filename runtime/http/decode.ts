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
import { badRequest, HttpError } from '../errors.js';
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
import { decodeJsonTensor } from '../tensors/json.js';
import { parseNumberArrays } from '../tensors/json-numbers.js';

export interface DecodedRequest {
  inputs: TensorMap;
  /** The parsed JSON body, for hooks; undefined for binary bodies. */
  json: unknown;
}

const names = (specs: readonly TensorSpec[]) => specs.map((s) => `"${s.name}"`).join(', ');

export function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw badRequest(`the body is not valid JSON: ${(err as Error).message}`);
  }
}

export function decodeJsonInputs(json: unknown, specs: readonly TensorSpec[]): TensorMap {
  if (Array.isArray(json) || typeof json !== 'object' || json === null) {
    if (specs.length !== 1) {
      throw badRequest(
        `this API takes inputs ${names(specs)}: send an object like {${specs.map((s) => `"${s.name}": [...]`).join(', ')}}`,
      );
    }
    const spec = specs[0]!;
    return { [spec.name]: decodeJsonTensor(json, spec.dtype, spec.name) };
  }
  const inputs: TensorMap = {};
  for (const [name, value] of Object.entries(json as Record<string, unknown>)) {
    const spec = specs.find((s) => s.name === name);
    if (!spec) throw badRequest(`input "${name}" is not an input of this API (inputs: ${names(specs)})`);
    inputs[name] = decodeJsonTensor(value, spec.dtype, name);
  }
  return inputs;
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
  const type = (headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  // curl -d sends form encoding and some clients text/plain: bodies in those are read as JSON too.
  if (
    type === '' ||
    type === 'application/json' ||
    type.endsWith('+json') ||
    type === 'text/plain' ||
    type === 'application/x-www-form-urlencoded'
  ) {
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
