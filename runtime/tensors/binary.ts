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

export function parseShapeHeader(value: string, input: string): number[] {
  const text = value.trim().replace(/^\[|\]$/g, '');
  if (text === '') return [];
  const dims = text.split(',').map((d) => Number(d.trim()));
  if (dims.some((d) => !Number.isInteger(d) || d < 0)) {
    throw badRequest(
      `input "${input}": invalid ${SHAPE_HEADER} "${value}": expected comma-separated whole numbers like 2,4`,
    );
  }
  return dims;
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

export function decodeNpy(bytes: Uint8Array, input: string): Tensor {
  if (!isNpy(bytes))
    throw badRequest(`input "${input}": body is not a .npy file (it must start with \\x93NUMPY)`);
  const major = bytes[6]!;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const [headerLen, headerStart] =
    major === 1 ? [view.getUint16(8, true), 10] : [view.getUint32(8, true), 12];
  if (headerStart + headerLen > bytes.length) throw badRequest(`input "${input}": .npy header is truncated`);
  const header = Buffer.from(bytes.buffer, bytes.byteOffset + headerStart, headerLen).toString('latin1');
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || !fortran || shapeText === undefined)
    throw badRequest(`input "${input}": .npy header is malformed: ${header.trim()}`);
  const dtype =
    NPY_DESCR[descr === '|i1' || descr === '|u1' || descr === '|b1' ? descr : descr.replace(/^=/, '<')];
  if (!dtype)
    throw badRequest(
      `input "${input}": .npy dtype "${descr}" is not supported (little-endian numbers and bool only)`,
    );
  if (fortran === 'True')
    throw badRequest(`input "${input}": .npy in Fortran order is not supported; save it in C order`);
  const shape = shapeText
    .split(',')
    .map((d) => d.trim())
    .filter((d) => d !== '')
    .map(Number);
  if (shape.some((d) => !Number.isInteger(d) || d < 0))
    throw badRequest(`input "${input}": .npy shape "(${shapeText})" is invalid`);
  return tensorFromBytes(bytes.subarray(headerStart + headerLen), dtype, shape, input);
}

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
