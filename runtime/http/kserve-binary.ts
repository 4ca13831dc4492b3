/**
 * The binary tensor data extension of the Open Inference Protocol (Triton's; tritonclient and
 * perf_analyzer use it by default): the body is the JSON inference request, `Inference-Header-Content-
 * Length` bytes long, followed by the binary inputs' bytes in the order the JSON lists them, each
 * `parameters.binary_data_size` long. Numbers are little-endian and row-major, BOOL one byte (0 or 1)
 * per element, BYTES a 4-byte little-endian length before each element. Answers use the same layout
 * for outputs asked for as binary (`binary_data` on an output, `binary_data_output` on the request).
 * Every length is checked against the bytes there are before it is used: the whole body is already
 * within --max-request-bytes, and no decoded tensor is larger than its part of it (BYTES elements
 * cost at least their 4-byte prefix each).
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Dtype } from '../../src/shared/schemas.js';
import type { Tensor } from '../../src/shared/service.js';
import { badRequest, quoted } from '../errors.js';
import { tensorBytes, tensorFromBytes } from '../tensors/binary.js';
import { bytesPerElement, elementCount } from '../tensors/dtype.js';

export const HEADER_LENGTH = 'inference-header-content-length';
/** The name Triton gives the extension in its server metadata. */
export const BINARY_EXTENSION = 'binary_tensor_data';

export interface SplitBody {
  /** The JSON inference request. */
  header: Buffer;
  /** What follows it; undefined when the request has no Inference-Header-Content-Length. */
  binary: Buffer | undefined;
}

export function splitBody(headers: IncomingHttpHeaders, body: Buffer): SplitBody {
  const raw = headers[HEADER_LENGTH];
  if (raw === undefined) return { header: body, binary: undefined };
  const text = (Array.isArray(raw) ? raw.join(', ') : raw).trim();
  if (!/^\d{1,15}$/.test(text))
    throw badRequest(
      `Inference-Header-Content-Length ${quoted(text)} is not a byte count: expected the JSON header's length in decimal digits`,
    );
  const length = Number(text);
  if (length > body.length)
    throw badRequest(
      `Inference-Header-Content-Length ${length} is beyond the body's ${body.length} bytes: it gives the length of the JSON header that the binary data follows`,
    );
  return { header: body.subarray(0, length), binary: body.subarray(length) };
}

/** What the extension needs of a request input. */
export interface BinaryCandidate {
  name: string;
  parameters?: Record<string, unknown> | undefined;
  data?: unknown;
}

/** `parameters.binary_data_size` of an input, checked: undefined when the input is sent as JSON. */
function binaryDataSize(input: BinaryCandidate): number | undefined {
  const size = input.parameters?.['binary_data_size'];
  if (size === undefined) return undefined;
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0)
    throw badRequest(
      `input ${quoted(input.name)}: parameters.binary_data_size must be a whole number of bytes, got ${quoted(JSON.stringify(size) ?? String(size))}`,
    );
  if (input.data !== undefined)
    throw badRequest(
      `input ${quoted(input.name)} has both data and parameters.binary_data_size: send its tensor one way`,
    );
  return size;
}

/**
 * Each input's bytes (undefined for inputs sent as JSON), after checking that the sizes add up to
 * exactly what follows the JSON header.
 */
export function binaryParts(
  inputs: readonly BinaryCandidate[],
  binary: Buffer | undefined,
): Array<Buffer | undefined> {
  const sizes = inputs.map(binaryDataSize);
  if (binary === undefined) {
    const first = inputs.find((_, i) => sizes[i] !== undefined);
    if (first)
      throw badRequest(
        `input ${quoted(first.name)} has parameters.binary_data_size, but the request has no Inference-Header-Content-Length header to say where the JSON ends and its bytes begin`,
      );
    return sizes.map(() => undefined);
  }
  let at = 0;
  let last: string | undefined;
  const parts = sizes.map((size, i) => {
    if (size === undefined) return undefined;
    const name = inputs[i]!.name;
    if (at + size > binary.length)
      throw badRequest(
        `input ${quoted(name)}: its ${size} bytes (binary_data_size) run past the end of the body: ${binary.length - at} bytes of binary data remain after the inputs before it`,
      );
    const part = binary.subarray(at, at + size);
    at += size;
    last = name;
    return part;
  });
  if (at !== binary.length)
    throw badRequest(
      last === undefined
        ? `${binary.length} bytes follow the JSON header (Inference-Header-Content-Length), but no input has parameters.binary_data_size`
        : `${binary.length - at} bytes follow the last binary input (${quoted(last)}): the inputs' binary_data_size add up to ${at}, the body has ${binary.length} bytes after the JSON header`,
    );
  return parts;
}

/** One input's bytes as a tensor of the signature's dtype at the request's shape. */
export function binaryTensor(
  bytes: Buffer,
  dtype: Dtype,
  datatype: string,
  shape: number[],
  name: string,
): Tensor {
  const what = `input ${quoted(name)}`;
  if (dtype === 'string') return { dtype, shape, data: readBytesElements(bytes, elementCount(shape), what) };
  const expected = elementCount(shape) * bytesPerElement(dtype);
  if (bytes.length !== expected)
    throw badRequest(
      `${what}: binary_data_size is ${bytes.length} bytes but ${datatype} [${shape.join(', ')}] takes ${expected}`,
    );
  if (dtype === 'bool') {
    const odd = bytes.findIndex((b) => b > 1);
    if (odd !== -1)
      throw badRequest(
        `${what}: BOOL element [${odd}] is byte ${bytes[odd]}; expected 0 (false) or 1 (true)`,
      );
  }
  return tensorFromBytes(bytes, dtype, shape, name);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** BYTES elements: each a 4-byte little-endian length, then that many bytes (here, UTF-8 text). */
function readBytesElements(bytes: Buffer, count: number, what: string): string[] {
  if (count * 4 > bytes.length)
    throw badRequest(
      `${what}: ${count} BYTES elements need at least ${count * 4} bytes (a 4-byte length each), binary_data_size is ${bytes.length}`,
    );
  const strings: string[] = [];
  let at = 0;
  for (let i = 0; i < count; i++) {
    if (at + 4 > bytes.length)
      throw badRequest(
        `${what}: BYTES element [${i}] has no 4-byte length: its ${bytes.length}-byte data ends first`,
      );
    const length = bytes.readUInt32LE(at);
    at += 4;
    if (at + length > bytes.length)
      throw badRequest(
        `${what}: BYTES element [${i}] declares ${length} bytes but only ${bytes.length - at} remain of its ${bytes.length}-byte data`,
      );
    try {
      strings.push(utf8.decode(bytes.subarray(at, at + length)));
    } catch {
      throw badRequest(`${what}: BYTES element [${i}] is not valid UTF-8, which string inputs must be`);
    }
    at += length;
  }
  if (at !== bytes.length)
    throw badRequest(
      `${what}: ${bytes.length - at} bytes follow its last BYTES element: its ${count} elements take ${at} of binary_data_size ${bytes.length}`,
    );
  return strings;
}

/** An output's bytes in the extension's layout. */
export function binaryOutput(tensor: Tensor): Uint8Array {
  if (tensor.dtype !== 'string') return tensorBytes(tensor);
  const encoded = (tensor.data as string[]).map((s) => Buffer.from(s, 'utf8'));
  const out = Buffer.allocUnsafe(encoded.reduce((n, b) => n + 4 + b.length, 0));
  let at = 0;
  for (const b of encoded) {
    out.writeUInt32LE(b.length, at);
    b.copy(out, at + 4);
    at += 4 + b.length;
  }
  return out;
}

/** A boolean parameter (`binary_data`, `binary_data_output`), checked; `where` names it in errors. */
export function booleanParameter(
  parameters: Record<string, unknown> | undefined,
  key: string,
  where: string,
): boolean | undefined {
  const value = parameters?.[key];
  if (value === undefined || typeof value === 'boolean') return value;
  throw badRequest(
    `${where}parameters.${key} must be true or false, got ${quoted(JSON.stringify(value) ?? '')}`,
  );
}
