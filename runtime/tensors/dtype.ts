/** How each ONNX element type is stored in JavaScript, and how many bytes an element takes. */
import type { Dtype } from '../../src/shared/schemas.js';
import type { TensorData } from '../../src/shared/service.js';

type NumericArray = Exclude<TensorData, string[]>;
type ArrayConstructorOf = {
  new (length: number): NumericArray;
  new (buffer: ArrayBuffer, byteOffset?: number, length?: number): NumericArray;
  readonly BYTES_PER_ELEMENT: number;
};

const ARRAYS: Record<Exclude<Dtype, 'string'>, ArrayConstructorOf> = {
  float32: Float32Array,
  float64: Float64Array,
  // ORT takes float16 as raw IEEE half bits and bool as one byte per element.
  float16: Uint16Array,
  bool: Uint8Array,
  int8: Int8Array,
  uint8: Uint8Array,
  int16: Int16Array,
  uint16: Uint16Array,
  int32: Int32Array,
  uint32: Uint32Array,
  int64: BigInt64Array,
  uint64: BigUint64Array,
};

export function arrayTypeOf(dtype: Exclude<Dtype, 'string'>): ArrayConstructorOf {
  return ARRAYS[dtype];
}

export function isNumericDtype(dtype: Dtype): dtype is Exclude<Dtype, 'string'> {
  return dtype !== 'string';
}

export function allocate(dtype: Dtype, length: number): TensorData {
  return dtype === 'string' ? new Array<string>(length).fill('') : new ARRAYS[dtype](length);
}

export function bytesPerElement(dtype: Exclude<Dtype, 'string'>): number {
  return ARRAYS[dtype].BYTES_PER_ELEMENT;
}

export function elementCount(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** float32 -> IEEE 754 half bits (round to nearest even), for float16 inputs given as JSON numbers. */
export function toHalfBits(value: number): number {
  const f32 = new Float32Array(1);
  const u32 = new Uint32Array(f32.buffer);
  f32[0] = value;
  const x = u32[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    const half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    return sign | (half + (rem > mid || (rem === mid && half & 1) ? 1 : 0));
  }
  const half = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  // A carry out of the mantissa rounds up into the exponent, which is the IEEE behaviour.
  return sign | (half + (rem > 0x1000 || (rem === 0x1000 && half & 1) ? 1 : 0));
}

export function fromHalfBits(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >>> 10) & 0x1f;
  const mant = bits & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}
