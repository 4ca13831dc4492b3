/**
 * JSON.parse for large bodies, in slices: JSON.parse cannot be interrupted, and on a 20 MB body it
 * holds the event loop for a few hundred milliseconds, so every other request (health checks
 * included) waits behind it. This parser keeps its place between small steps, and the event loop
 * runs between slices of a few steps (slices.ts). The values are JSON.parse's: numbers are read
 * as json-numbers.ts reads them (Clinger's fast path, else Number() on the token, both correctly
 * rounded), strings with escapes go through JSON.parse itself, and `__proto__` keys become own
 * properties. Containers live on an explicit stack, so depth costs no call stack.
 */
import { badRequest } from '../errors.js';
import { inSlices, STEP_BYTES } from './slices.js';

/** Deeper nesting than any tensor or service payload needs; it bounds the stack a body can build. */
export const MAX_NESTING = 1000;

const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);
const MAX_DIGITS = 15;

enum Byte {
  Tab = 9,
  LineFeed = 10,
  Return = 13,
  Space = 32,
  Quote = 34,
  Plus = 43,
  Comma = 44,
  Minus = 45,
  Dot = 46,
  Zero = 48,
  Nine = 57,
  Colon = 58,
  UpperE = 69,
  Open = 91,
  Backslash = 92,
  Close = 93,
  LowerE = 101,
  LowerF = 102,
  LowerN = 110,
  LowerT = 116,
  OpenBrace = 123,
  CloseBrace = 125,
}

enum State {
  /** A value is next. */
  Value,
  /** Just after `[`: a value or `]`. */
  FirstValue,
  /** After `,` in an object: a key. */
  Key,
  /** Just after `{`: a key or `}`. */
  FirstKey,
  /** After a value: `,` or the closing bracket, or the end of the body at the top. */
  After,
}

type Container = unknown[] | Record<string, unknown>;

const isSpace = (b: number | undefined) =>
  b === Byte.Space || b === Byte.LineFeed || b === Byte.Return || b === Byte.Tab;
const isDigit = (b: number | undefined) => b !== undefined && b >= Byte.Zero && b <= Byte.Nine;

/** Parses `body` as JSON in slices (see slices.ts); errors are 400s naming the byte. */
export async function parseJsonInSlices(body: Buffer): Promise<unknown> {
  const parser = new JsonSliceParser(body);
  await inSlices(() => parser.step(STEP_BYTES));
  return parser.result;
}

export class JsonSliceParser {
  private i = 0;
  private state = State.Value;
  private readonly containers: Container[] = [];
  /** The key each open object's next value goes under ('' for arrays), parallel to `containers`. */
  private readonly keys: string[] = [];
  private done = false;
  private value: unknown;
  /** Where the last string or number token ended. */
  private tokenEnd = 0;

  constructor(private readonly body: Buffer) {}

  get result(): unknown {
    if (!this.done) throw new Error('JsonSliceParser.result before the end');
    return this.value;
  }

  /** Parses about `budget` more bytes (a token is never split); true once the body is parsed. */
  step(budget: number): boolean {
    if (this.done) return true;
    const { body, containers, keys } = this;
    const end = body.length;
    const stop = Math.min(end, this.i + budget);
    let i = this.i;
    let state = this.state;
    for (;;) {
      while (isSpace(body[i])) i++;
      if (state === State.After && containers.length === 0) {
        if (i !== end) this.fail(i, 'the end of the body after the JSON value');
        this.done = true;
        return true;
      }
      if (i >= stop) {
        if (i >= end) this.fail(i, state === State.After ? "',' or a closing bracket" : 'a value');
        this.i = i;
        this.state = state;
        return false;
      }
      const b = body[i]!;
      if (state === State.After) {
        const top = containers[containers.length - 1]!;
        const array = Array.isArray(top);
        if (b === Byte.Comma) state = array ? State.Value : State.Key;
        else if (b === (array ? Byte.Close : Byte.CloseBrace)) {
          containers.pop();
          keys.pop();
        } else this.fail(i, array ? "',' or ']'" : "',' or '}'");
        i++;
        continue;
      }
      if (state === State.Key || state === State.FirstKey) {
        if (state === State.FirstKey && b === Byte.CloseBrace) {
          containers.pop();
          keys.pop();
          state = State.After;
          i++;
          continue;
        }
        if (b !== Byte.Quote) this.fail(i, state === State.FirstKey ? "a string key or '}'" : 'a string key');
        keys[keys.length - 1] = this.readString(i);
        i = this.tokenEnd;
        while (isSpace(body[i])) i++;
        if (body[i] !== Byte.Colon) this.fail(i, "':' after the key");
        i++;
        state = State.Value;
        continue;
      }
      // A value (or, just after `[`, the `]` of an empty array).
      if (b === Byte.Close && state === State.FirstValue) {
        containers.pop();
        keys.pop();
        state = State.After;
        i++;
        continue;
      }
      if (b === Byte.Open || b === Byte.OpenBrace) {
        if (containers.length === MAX_NESTING)
          throw badRequest(`the body nests arrays and objects more than ${MAX_NESTING} deep`);
        const container: Container = b === Byte.Open ? [] : {};
        this.emit(container);
        containers.push(container);
        keys.push('');
        state = b === Byte.Open ? State.FirstValue : State.FirstKey;
        i++;
        continue;
      }
      let value: unknown;
      if (b === Byte.Quote) {
        value = this.readString(i);
        i = this.tokenEnd;
      } else if (b === Byte.Minus || isDigit(b)) {
        value = this.readNumber(i);
        i = this.tokenEnd;
      } else if (b === Byte.LowerT && this.literal(i, 'true')) {
        value = true;
        i += 4;
      } else if (b === Byte.LowerF && this.literal(i, 'false')) {
        value = false;
        i += 5;
      } else if (b === Byte.LowerN && this.literal(i, 'null')) {
        value = null;
        i += 4;
      } else {
        this.fail(i, state === State.FirstValue ? "a value or ']'" : 'a value');
      }
      this.emit(value);
      state = State.After;
    }
  }

  /** Puts a value into the open container, or makes it the result at the top. */
  private emit(value: unknown): void {
    const { containers } = this;
    const depth = containers.length;
    if (depth === 0) {
      this.value = value;
      return;
    }
    const top = containers[depth - 1]!;
    if (Array.isArray(top)) {
      top.push(value);
      return;
    }
    const key = this.keys[depth - 1]!;
    // JSON.parse defines properties: `"__proto__"` is an own key, never the prototype.
    if (key === '__proto__')
      Object.defineProperty(top, key, { value, writable: true, enumerable: true, configurable: true });
    else top[key] = value;
  }

  private literal(i: number, word: string): boolean {
    for (let k = 1; k < word.length; k++) if (this.body[i + k] !== word.charCodeAt(k)) return false;
    return true;
  }

  private readString(start: number): string {
    const { body } = this;
    const end = body.length;
    let i = start + 1;
    let escaped = false;
    while (i < end) {
      const b = body[i]!;
      if (b === Byte.Quote) break;
      if (b === Byte.Backslash) {
        escaped = true;
        i += 2;
        continue;
      }
      if (b < Byte.Space) this.fail(i, 'a character (control characters must be escaped in strings)');
      i++;
    }
    if (i >= end) this.fail(end, "the closing '\"' of the string that starts at byte " + start);
    this.tokenEnd = i + 1;
    // The token boundaries are ASCII quotes, so decoding the slice gives what decoding the whole body
    // would, malformed UTF-8 included; JSON.parse decodes (and checks) escapes.
    if (!escaped) return body.toString('utf8', start + 1, i);
    try {
      return JSON.parse(body.toString('utf8', start, i + 1)) as string;
    } catch {
      return this.fail(start, 'a string with valid escapes');
    }
  }

  private readNumber(start: number): number {
    const { body } = this;
    let i = start;
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
    else if (isDigit(body[i])) {
      while (isDigit(body[i])) {
        if (digits < MAX_DIGITS) {
          mantissa = mantissa * 10 + (body[i]! - Byte.Zero);
          digits++;
        } else exact = false;
        i++;
      }
    } else this.fail(i, 'a digit');
    if (body[i] === Byte.Dot) {
      i++;
      if (!isDigit(body[i])) this.fail(i, "a digit after '.'");
      while (isDigit(body[i])) {
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
      if (!isDigit(body[i])) this.fail(i, 'a digit in the exponent');
      let exponent = 0;
      while (isDigit(body[i])) {
        exponent = Math.min(1e6, exponent * 10 + (body[i]! - Byte.Zero));
        i++;
      }
      scale += sign * exponent;
    }
    this.tokenEnd = i;
    if (exact && scale >= -22 && scale <= 22) {
      const value = scale < 0 ? mantissa / POW10[-scale]! : mantissa * POW10[scale]!;
      return negative ? -value : value;
    }
    return Number(body.toString('latin1', start, i));
  }

  private fail(i: number, expected: string): never {
    const b = this.body[i];
    const got =
      b === undefined
        ? 'the end of the body'
        : b > Byte.Space && b < 127
          ? `'${String.fromCharCode(b)}'`
          : `byte 0x${b.toString(16).padStart(2, '0')}`;
    throw badRequest(`the body is not valid JSON: expected ${expected} at byte ${i}, got ${got}`);
  }
}
