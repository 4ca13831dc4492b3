/**
 * Nested JSON arrays -> a typed array, in two passes that can each run in slices: first the nesting
 * is checked to be rectangular (every array at each depth as long as the first one there) without
 * allocating, then the tensor is allocated and filled. Allocating only after the check means a small
 * ragged body (`[[...1000 numbers], [1], [1], ...]` read as 1000 x 1000) cannot ask for a buffer
 * its numbers do not fill. Neither pass recurses, so a body nested 100k deep cannot exhaust the stack.
 */
import type { Dtype } from '../../src/shared/schemas.js';
import { INTEGER_RANGES } from '../../src/shared/schemas.js';
import type { Tensor, TensorData } from '../../src/shared/service.js';
import { badRequest } from '../errors.js';
import { allocate, toHalfBits } from './dtype.js';

/** ONNX Runtime takes more, but no real model does; NumPy before 2.0 stopped at 32 as well. */
export const MAX_RANK = 32;

/**
 * The largest magnitude that float32 keeps finite: anything at or beyond 2^128 - 2^103 (halfway
 * between FLT_MAX and 2^128) rounds to Infinity, which a JSON literal cannot have meant.
 */
export const FLOAT32_LIMIT = 2 ** 128 - 2 ** 103;
const FLOAT32_MAX = 3.4028234663852886e38;

type Leaf = (value: unknown) => number | bigint | string | undefined;

function leafConverter(dtype: Dtype): Leaf {
  switch (dtype) {
    case 'float32':
      return (v) => (typeof v === 'number' && v < FLOAT32_LIMIT && v > -FLOAT32_LIMIT ? v : undefined);
    case 'float64':
      // JSON has no literal for Infinity: one here is a literal too large for a double (1e400).
      return (v) => (typeof v === 'number' && v - v === 0 ? v : undefined);
    case 'float16':
      return (v) => {
        if (typeof v !== 'number') return undefined;
        const bits = toHalfBits(v);
        return (bits & 0x7fff) === 0x7c00 ? undefined : bits;
      };
    case 'bool':
      return (v) => (v === true || v === 1 ? 1 : v === false || v === 0 ? 0 : undefined);
    case 'string':
      return (v) => (typeof v === 'string' ? v : undefined);
    case 'int64':
    case 'uint64': {
      const [min, max] = INTEGER_RANGES[dtype]!;
      const big = dtype === 'int64' ? BigInt.asIntN : BigInt.asUintN;
      return (v) => {
        if (typeof v === 'number') return Number.isInteger(v) && v >= min && v <= max ? BigInt(v) : undefined;
        // Values beyond 2^53 travel as decimal strings, since JSON numbers would lose digits.
        if (typeof v === 'string' && /^-?\d{1,20}$/.test(v)) {
          const n = BigInt(v);
          return big(64, n) === n ? n : undefined;
        }
        return undefined;
      };
    }
    default: {
      const [min, max] = INTEGER_RANGES[dtype]!;
      return (v) => (typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max ? v : undefined);
    }
  }
}

const FLOAT_RANGES: Partial<Record<Dtype, string>> = {
  float16: '+-65504',
  float32: `+-${FLOAT32_MAX}`,
  float64: `+-${Number.MAX_VALUE}`,
};

function expectation(dtype: Dtype): string {
  if (dtype.startsWith('float')) return `${dtype} numbers`;
  if (dtype === 'bool') return 'booleans';
  if (dtype === 'string') return 'strings';
  const [min, max] = INTEGER_RANGES[dtype]!;
  return `${dtype} integers (${min}..${max}${dtype.endsWith('64') ? ', or decimal strings' : ''})`;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number')
    return Number.isFinite(value) ? String(value) : 'a number too large for a double (it reads as Infinity)';
  if (typeof value === 'string')
    return `the string ${JSON.stringify(value.length > 20 ? `${value.slice(0, 20)}...` : value)}`;
  return `a ${typeof value}`;
}

const where = (path: readonly number[]): string => path.map((i) => `[${i}]`).join('') || 'top level';

/**
 * One JSON value on its way to a tensor of `dtype`. `check` and `fill` each take a budget of work
 * and say whether they are done, so a caller can stop between slices; `input` names it in errors.
 */
export class TensorWalk {
  readonly shape: number[] = [];
  private readonly rank: number;
  /** The innermost arrays in row-major order (the value itself for rank 0 and 1), once checked. */
  private readonly rows: unknown[][] = [];
  /** The index into each enclosing array of the innermost array being checked. */
  private readonly at: number[];
  private readonly stack: unknown[][];
  private checked = false;
  private data?: TensorData;
  private filled = 0;
  private readonly convert: Leaf;

  constructor(
    private readonly value: unknown,
    private readonly dtype: Dtype,
    private readonly input: string,
  ) {
    for (let v = value; Array.isArray(v); v = v[0]) {
      if (this.shape.length === MAX_RANK)
        this.fail(
          `the arrays nest more than ${MAX_RANK} deep: a tensor here has at most ${MAX_RANK} dimensions`,
        );
      this.shape.push(v.length);
      if (v.length === 0) break;
    }
    this.rank = this.shape.length;
    this.at = new Array<number>(Math.max(0, this.rank - 1)).fill(0);
    this.stack = this.rank === 0 ? [] : [value as unknown[]];
    this.convert = leafConverter(dtype);
  }

  /** The number of elements: known to be honest once `check` is done. */
  get size(): number {
    return this.rank === 0 ? 1 : this.rows.length * this.shape[this.rank - 1]!;
  }

  /** Checks up to `budget` arrays for the lengths the first path promised; true when all are checked. */
  check(budget: number): boolean {
    if (this.checked) return true;
    const { rank, shape, at, stack } = this;
    if (rank <= 1) {
      if (rank === 1) this.rows.push(this.value as unknown[]);
      this.checked = true;
      return true;
    }
    // `stack[d]` is the array at depth d on the current path; at[d] the index taken in it.
    for (let work = 0; work < budget; work++) {
      // Descend from the deepest array on the stack to an innermost one, checking each on the way.
      while (stack.length < rank) {
        const d = stack.length - 1;
        const child = stack[d]![at[d]!];
        if (!Array.isArray(child) || child.length !== shape[d + 1]) {
          this.fail(
            `the nested arrays are not rectangular: expected ${shape[d + 1]} elements at ${where(at.slice(0, d + 1))}, got ${Array.isArray(child) ? child.length : describe(child)}`,
          );
        }
        stack.push(child as unknown[]);
      }
      this.rows.push(stack.pop()!);
      // Step to the next innermost array: the odometer over the outer dims.
      let d = rank - 2;
      while (d >= 0 && ++at[d]! === shape[d]) {
        at[d] = 0;
        stack.pop();
        d--;
      }
      if (d < 0) {
        this.checked = true;
        return true;
      }
    }
    return false;
  }

  /** Converts up to `budget` elements into the tensor; true when every element is in. */
  fill(budget: number): boolean {
    if (!this.checked) throw new Error('TensorWalk.fill before check');
    const { convert, rank } = this;
    const size = this.size;
    this.data ??= allocate(this.dtype, size);
    const data = this.data as unknown[];
    if (rank === 0) {
      const x = convert(this.value);
      if (x === undefined) this.failAt([], this.value);
      data[0] = x;
      this.filled = 1;
      return true;
    }
    const width = this.shape[rank - 1]!;
    const end = Math.min(size, this.filled + budget);
    let k = this.filled;
    while (k < end) {
      const r = Math.floor(k / width);
      const row = this.rows[r]!;
      const stop = Math.min(width, end - r * width);
      for (let c = k - r * width; c < stop; c++, k++) {
        const x = convert(row[c]);
        if (x === undefined) this.failAt([...this.pathOf(r), c], row[c]);
        data[k] = x;
      }
    }
    this.filled = k;
    return k === size;
  }

  tensor(): Tensor {
    if (this.data === undefined || this.filled !== this.size)
      throw new Error('TensorWalk.tensor before fill');
    return { dtype: this.dtype, shape: this.shape, data: this.data };
  }

  private failAt(path: readonly number[], v: unknown): never {
    const range = FLOAT_RANGES[this.dtype];
    if (range !== undefined && typeof v === 'number')
      this.fail(
        `the number at ${where(path)} is beyond the ${this.dtype} range (${range}): got ${describe(v)}`,
      );
    this.fail(`expected ${expectation(this.dtype)}, got ${describe(v)} at ${where(path)}`);
  }

  /** The indices over the outer dims of innermost array `r` (only for error messages). */
  private pathOf(r: number): number[] {
    const path: number[] = [];
    for (let d = this.rank - 2; d >= 0; d--) {
      const n = this.shape[d]!;
      path.unshift(r % n);
      r = Math.floor(r / n);
    }
    return path;
  }

  private fail(problem: string): never {
    throw badRequest(`input "${this.input}": ${problem}`);
  }
}
