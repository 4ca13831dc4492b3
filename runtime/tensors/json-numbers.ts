/**
 * The hot path for the commonest request body: nested arrays of plain numbers for one float input
 * (`[[5.1, 3.5, 1.4, 0.2]]`). It reads the bytes once and writes the numbers straight into a
 * typed array, instead of JSON.parse building an array of arrays of numbers to be copied out again.
 * Anything it does not know (objects, strings, empty arrays, whitespace quirks aside: any other
 * byte, ragged nesting, a number JSON does not allow) returns undefined, and the caller's general
 * path, JSON.parse and the tensor walk, answers it, with its error messages.
 *
 * Numbers come out exactly as JSON.parse gives them: a token with at most 15 significant digits
 * and a decimal exponent within +-22 is an exact integer scaled by an exact power of ten, one
 * correctly rounded operation (Clinger's fast path); any other token is handed to Number().
 * A number the dtype cannot hold (1e39 for float32, 1e400 for either) steps aside too, so the
 * general path refuses it by name instead of the tensor quietly holding Infinity.
 */
import type { Tensor } from '../../src/shared/service.js';
import { FLOAT32_LIMIT } from './json-walk.js';

const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);
const MAX_DIGITS = 15;
const MAX_DEPTH = 32;

enum Byte {
  Tab = 9,
  LineFeed = 10,
  Return = 13,
  Space = 32,
  Plus = 43,
  Comma = 44,
  Minus = 45,
  Dot = 46,
  Zero = 48,
  Nine = 57,
  Open = 91,
  Close = 93,
  UpperE = 69,
  LowerE = 101,
}

/**
 * Reused between requests by the synchronous scan, which never yields, so one body at a time uses
 * it; a scan in slices interleaves with others and has its own. Grows as needed.
 */
let scratch = new Float64Array(4096);

const isSpace = (b: number) => b === Byte.Space || b === Byte.LineFeed || b === Byte.Return || b === Byte.Tab;
const isDigit = (b: number) => b >= Byte.Zero && b <= Byte.Nine;

/** `body` as a float tensor of `dtype`, or undefined when it is anything but rectangular arrays of numbers. */
export function parseNumberArrays(body: Buffer, dtype: 'float32' | 'float64'): Tensor | undefined {
  return scan(body, dtype, undefined, body.length + 1) as Tensor | undefined;
}

const PAUSED = Symbol('paused');

/** Where a scan in slices stopped, with its own buffer (the shared scratch serves one body at a time). */
interface ScanState {
  i: number;
  depth: number;
  n: number;
  leafDepth: number;
  shape: number[];
  counts: number[];
  values: Float64Array;
}

/**
 * `parseNumberArrays` for a large body, about `budget` bytes per `step`, so the caller can let the
 * event loop run in between; the same numbers, and undefined for the same bodies.
 */
export class NumberArraysInSlices {
  private state: ScanState = {
    i: -1,
    depth: 0,
    n: 0,
    leafDepth: -1,
    shape: [],
    counts: new Array<number>(MAX_DEPTH),
    values: new Float64Array(4096),
  };
  private stop = 0;
  private done = false;
  private value: Tensor | undefined;

  constructor(
    private readonly body: Buffer,
    private readonly dtype: 'float32' | 'float64',
  ) {}

  /** Scans about `budget` more bytes; true once the scan has its answer (see `tensor`). */
  step(budget: number): boolean {
    if (this.done) return true;
    // The last slice runs to the end: a pause there could never be resumed past.
    this.stop += budget;
    if (this.stop >= this.body.length) this.stop = this.body.length + 1;
    const result = scan(this.body, this.dtype, this.state, this.stop);
    if (result === PAUSED) return false;
    this.done = true;
    this.value = result;
    return true;
  }

  /** The tensor, or undefined when the body is not plain number arrays (the general path decides). */
  get tensor(): Tensor | undefined {
    if (!this.done) throw new Error('NumberArraysInSlices.tensor before the end');
    return this.value;
  }
}

/**
 * The scan itself: from the start, or from where `state` stopped; it pauses at the start of an
 * element once it is at or past `stop` (never, when `stop` is beyond the body).
 */
function scan(
  body: Buffer,
  dtype: 'float32' | 'float64',
  state: ScanState | undefined,
  stop: number,
): Tensor | undefined | typeof PAUSED {
  const end = body.length;
  const limit = dtype === 'float32' ? FLOAT32_LIMIT : Number.POSITIVE_INFINITY;
  let values = state ? state.values : scratch;
  let shape: number[];
  let counts: number[];
  let leafDepth: number;
  let depth: number;
  let n: number;
  let i: number;
  if (state && state.i !== -1) {
    ({ shape, counts, leafDepth, depth, n, i } = state);
  } else {
    shape = [];
    counts = new Array<number>(MAX_DEPTH);
    leafDepth = -1;
    depth = 0;
    n = 0;
    i = 0;
    while (i < end && isSpace(body[i]!)) i++;
    if (body[i] !== Byte.Open) return undefined;
  }

  // Each turn is at the start of an element: after `[` or `,` (and any spaces).
  for (;;) {
    if (i >= stop) {
      Object.assign(state!, { i, depth, n, leafDepth, shape, counts, values });
      return PAUSED;
    }
    // Open as many arrays as there are `[`.
    while (body[i] === Byte.Open) {
      if (depth === MAX_DEPTH || (leafDepth !== -1 && depth >= leafDepth)) return undefined;
      if (depth > 0) counts[depth - 1]!++;
      if (depth === shape.length) shape.push(-1);
      counts[depth] = 0;
      depth++;
      i++;
      while (i < end && isSpace(body[i]!)) i++;
    }
    // A number, at the depth every number is at.
    if (leafDepth === -1) leafDepth = depth;
    else if (depth !== leafDepth) return undefined;
    const start = i;
    let negative = false;
    if (body[i] === Byte.Minus) {
      negative = true;
      i++;
    }
    let mantissa = 0;
    let digits = 0;
    let scale = 0;
    let exact = true;
    if (body[i] === Byte.Zero) i++;
    else if (i < end && isDigit(body[i]!)) {
      while (i < end && isDigit(body[i]!)) {
        if (digits < MAX_DIGITS) {
          mantissa = mantissa * 10 + (body[i]! - Byte.Zero);
          digits++;
        } else {
          exact = false;
        }
        i++;
      }
    } else return undefined;
    if (body[i] === Byte.Dot) {
      i++;
      if (!(i < end && isDigit(body[i]!))) return undefined;
      while (i < end && isDigit(body[i]!)) {
        const d = body[i]! - Byte.Zero;
        if (mantissa === 0 && d === 0) scale--;
        else if (digits < MAX_DIGITS) {
          mantissa = mantissa * 10 + d;
          digits++;
          scale--;
        } else exact = false;
        i++;
      }
    }
    if (body[i] === Byte.LowerE || body[i] === Byte.UpperE) {
      i++;
      let sign = 1;
      if (body[i] === Byte.Minus || body[i] === Byte.Plus) {
        if (body[i] === Byte.Minus) sign = -1;
        i++;
      }
      if (!(i < end && isDigit(body[i]!))) return undefined;
      let exponent = 0;
      while (i < end && isDigit(body[i]!)) {
        exponent = Math.min(1e6, exponent * 10 + (body[i]! - Byte.Zero));
        i++;
      }
      scale += sign * exponent;
    }
    let value: number;
    if (exact && scale >= -22 && scale <= 22) {
      value = scale < 0 ? mantissa / POW10[-scale]! : mantissa * POW10[scale]!;
      if (negative) value = -value;
    } else {
      value = Number(body.toString('latin1', start, i));
      // Only here can a number overflow: the exact path stays below 1e15 * 1e22.
      if (!(value < limit && value > -limit)) return undefined;
    }
    if (n === values.length) {
      const grown = new Float64Array(values.length * 2);
      grown.set(values);
      values = grown;
      if (!state) scratch = grown;
    }
    values[n++] = value;
    counts[depth - 1]!++;

    // After an element: `,` starts the next one; `]` closes arrays until a `,` or the end.
    while (i < end && isSpace(body[i]!)) i++;
    while (body[i] === Byte.Close) {
      depth--;
      if (shape[depth] === -1) shape[depth] = counts[depth]!;
      else if (shape[depth] !== counts[depth]) return undefined;
      i++;
      while (i < end && isSpace(body[i]!)) i++;
      if (depth === 0) {
        if (i !== end) return undefined;
        const data = dtype === 'float32' ? new Float32Array(n) : new Float64Array(n);
        data.set(values.subarray(0, n));
        return { dtype, shape, data };
      }
    }
    if (body[i] !== Byte.Comma) return undefined;
    i++;
    while (i < end && isSpace(body[i]!)) i++;
  }
}
