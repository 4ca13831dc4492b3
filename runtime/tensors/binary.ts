/**
 * Binary tensor bodies: raw little-endian bytes with the dtype and shape in headers
 * (`application/octet-stream`, `x-tensor-dtype`, `x-tensor-shape`), and NumPy's .npy format
 * (`application/x-npy`, versions 1-3, C order, little-endian). Both copy into a fresh, aligned
 * ArrayBuffer owned by the tensor, so it can later be transferred to a worker.
 */
import { type Dtype, dtypeSchema } from '../../src/shared/schemas.js';
import type { Tensor, TensorData } from '../../src/shared/service.js';
import { badRequest } from '../errors.js';
import { arrayTypeOf, bytesPerElement, elementCount } from './dtype.js';

export const DTYPE_HEADER = 'x-tensor-dtype';
export const SHAPE_HEADER = 'x-tensor-shape';
export const NAME_HEADER = 'x-tensor-name';

/** `2,4` or `[2, 4]`: plain decimal digits only, so `1e0`, `0x4`, `+2` or ` ` cannot slip through Number(). */
export function parseShapeHeader(value: string, input: string): number[] {
  const text = value.trim().replace(/^\[(.*)\]$/, '$1');
  if (text.trim() === '') return [];
  const parts = text.split(',').map((d) => d.trim());
  if (parts.some((d) => !/^\d{1,15}$/.test(d))) {
    throw badRequest(
      `input "${input}": invalid ${SHAPE_HEADER} "${value}": expected comma-separated non-negative whole numbers in decimal digits, like 2,4`,
    );
  }
  return parts.map(Number);
}

export function parseDtypeHeader(value: string | undefined, input: string): Exclude<Dtype, 'string'> {
  const parsed = dtypeSchema.safeParse(value?.trim());
  if (!parsed.success || parsed.data === 'string') {
    throw badRequest(
      `input "${input}": ${value ? `unsupported ${DTYPE_HEADER} "${value}"` : `missing ${DTYPE_HEADER} header`}; expected one of float32, float64, float16, int8..int64, uint8..uint64, bool`,
    );
  }
  return parsed.data;
}

/** Copies `bytes` into a new tensor; the byte count must match dtype and shape exactly. */
export function tensorFromBytes(
  bytes: Uint8Array,
  dtype: Exclude<Dtype, 'string'>,
  shape: number[],
  input: string,
): Tensor {
  const expected = elementCount(shape) * bytesPerElement(dtype);
  if (bytes.byteLength !== expected) {
    throw badRequest(
      `input "${input}": body has ${bytes.byteLength} bytes but ${dtype} [${shape.join(', ')}] needs ${expected}`,
    );
  }
  const buffer = new ArrayBuffer(expected);
  new Uint8Array(buffer).set(bytes);
  const Ctor = arrayTypeOf(dtype);
  return { dtype, shape, data: new Ctor(buffer) };
}

export function tensorBytes(tensor: Tensor): Uint8Array {
  if (tensor.dtype === 'string') throw badRequest('string tensors have no binary form; ask for JSON');
  const data = tensor.data as Exclude<TensorData, string[]>;
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

const NPY_MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const NPY_DESCR: Record<string, Exclude<Dtype, 'string'>> = {
  '<f4': 'float32',
  '<f8': 'float64',
  '<f2': 'float16',
  '|i1': 'int8',
  '|u1': 'uint8',
  '<i2': 'int16',
  '<u2': 'uint16',
  '<i4': 'int32',
  '<u4': 'uint32',
  '<i8': 'int64',
  '<u8': 'uint64',
  '|b1': 'bool',
};
const DESCR_OF = Object.fromEntries(Object.entries(NPY_DESCR).map(([k, v]) => [v, k])) as Record<
  Exclude<Dtype, 'string'>,
  string
>;

export function isNpy(bytes: Uint8Array): boolean {
  return bytes.length >= 10 && NPY_MAGIC.every((b, i) => bytes[i] === b);
}

/**
 * Reads a .npy body. Every length is checked against the bytes there are before it is used, so a
 * truncated or forged file is a 400 that says which part is wrong: the preamble, the header, the
 * dtype, the shape, or the data's byte count.
 */
export function decodeNpy(bytes: Uint8Array, input: string): Tensor {
  const fail = (problem: string): never => {
    throw badRequest(`input "${input}": ${problem}`);
  };
  if (!isNpy(bytes)) fail('body is not a .npy file (it must start with \\x93NUMPY)');
  const major = bytes[6]!;
  if (major < 1 || major > 3) fail(`.npy format version ${major}.${bytes[7]} is not supported (1.0 to 3.0)`);
  const headerStart = major === 1 ? 10 : 12;
  if (bytes.length < headerStart)
    fail(`.npy file is truncated: ${bytes.length} bytes, shorter than its ${headerStart}-byte preamble`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  if (headerStart + headerLen > bytes.length)
    fail(
      `.npy header is truncated: it declares ${headerLen} bytes, the body has ${bytes.length - headerStart} after the preamble`,
    );
  const header = Buffer.from(bytes.buffer, bytes.byteOffset + headerStart, headerLen).toString(
    major === 3 ? 'utf8' : 'latin1',
  );
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || !fortran || shapeText === undefined)
    fail(
      `.npy header is malformed: expected a dict with 'descr', 'fortran_order' and 'shape', got ${JSON.stringify(clip(header.trim()))}`,
    );
  const dtype =
    NPY_DESCR[descr === '|i1' || descr === '|u1' || descr === '|b1' ? descr! : descr!.replace(/^=/, '<')];
  if (!dtype) fail(`.npy dtype "${clip(descr!)}" is not supported (little-endian numbers and bool only)`);
  if (fortran === 'True') fail('.npy in Fortran order is not supported; save it in C order');
  const dims = shapeText!
    .split(',')
    .map((d) => d.trim())
    .filter((d) => d !== '');
  if (dims.some((d) => !/^\d{1,15}$/.test(d)))
    fail(`.npy shape "(${clip(shapeText!)})" is invalid: expected non-negative whole numbers`);
  return tensorFromBytes(bytes.subarray(headerStart + headerLen), dtype!, dims.map(Number), input);
}

/** Header text quoted in an error stays short. */
const clip = (text: string): string => (text.length > 80 ? `${text.slice(0, 80)}...` : text);

export function encodeNpy(tensor: Tensor): Buffer {
  if (tensor.dtype === 'string') throw badRequest('string tensors have no .npy form here; ask for JSON');
  const shape = tensor.shape.length === 1 ? `(${tensor.shape[0]},)` : `(${tensor.shape.join(', ')})`;
  let header = `{'descr': '${DESCR_OF[tensor.dtype]}', 'fortran_order': False, 'shape': ${shape}, }`;
  // The header (with magic, version and length) is padded with spaces to a multiple of 64, ending in \n.
  const total = Math.ceil((10 + header.length + 1) / 64) * 64;
  header = header.padEnd(total - 10 - 1, ' ') + '\n';
  const prefix = Buffer.alloc(10);
  Buffer.from(NPY_MAGIC).copy(prefix, 0);
  prefix[6] = 1;
  prefix[7] = 0;
  prefix.writeUInt16LE(header.length, 8);
  return Buffer.concat([prefix, Buffer.from(header, 'latin1'), tensorBytes(tensor)]);
}
