/**
 * Reading request bodies within three bounds: one body's size (413), the bytes of all bodies being
 * read or awaiting decoding together (a budget shared by the process: 503 when full), and the time a
 * body may take to arrive (408). Each refusal closes the connection, since the rest of the body is
 * not read; every byte taken from the budget is given back however the request ends.
 */
import type { IncomingMessage } from 'node:http';
import { HttpError } from '../errors.js';
import type { LimitKey, OnLimit } from './limits.js';

/** Body bytes held by requests being read or decoded, against a process-wide limit. */
export class BodyBudget {
  private used = 0;

  constructor(
    readonly limit: number,
    /** Told of each refusal at a body limit, so the log can name the setting (runtime/http/limits.ts). */
    readonly onLimit: OnLimit = () => {},
  ) {}

  /** Bytes taken now (the gauge bentoci_body_bytes_in_flight). */
  get inFlight(): number {
    return this.used;
  }

  take(bytes: number): boolean {
    if (this.used + bytes > this.limit) return false;
    this.used += bytes;
    return true;
  }

  give(bytes: number): void {
    this.used -= bytes;
  }
}

/**
 * From this declared size on, the body is copied into one buffer of that size as it arrives rather
 * than kept as the socket's reads and joined at the end: it never exists twice, the socket's read
 * buffers are reused as soon as they are copied, and the one large allocation is the allocator's to
 * give back to the system when it is freed (many small ones stay in its heap, fragmented).
 */
const PREALLOCATE_BYTES = 256 * 1024;

export interface BodyLimits {
  /** One body at most (--max-request-bytes). */
  maxBytes: number;
  /** From the start of reading to the last byte (--body-timeout-ms). */
  timeoutMs: number;
}

/**
 * One request's body as it is read. A declared Content-Length is taken from the budget before a byte
 * is read (the parser never delivers more); a chunked body takes its bytes as they come. `release()`
 * stops reading, drops what was read and gives the bytes back: the caller calls it once the body is
 * decoded, and again (harmlessly) whenever the request ends.
 */
export class BodyRead {
  readonly body: Promise<Buffer>;
  private held = 0;
  private chunks: Buffer[] = [];
  /** A large declared body is copied into one buffer as it comes (see PREALLOCATE_BYTES). */
  private whole?: Buffer;
  private timer?: NodeJS.Timeout;
  private stop: () => void = () => {};

  constructor(
    private readonly req: IncomingMessage,
    private readonly budget: BodyBudget,
    private readonly limits: BodyLimits,
  ) {
    this.body = new Promise((resolve, reject) => this.start(resolve, reject));
  }

  release(): void {
    this.stop();
    this.chunks = [];
    this.whole = undefined;
    this.budget.give(this.held);
    this.held = 0;
  }

  private start(resolve: (body: Buffer) => void, reject: (err: HttpError) => void): void {
    const { req, budget, limits } = this;
    const header = req.headers['content-length'];
    const declared = header === undefined ? undefined : Number(header);
    if (declared !== undefined) {
      const refusal =
        declared > limits.maxBytes
          ? tooLarge(budget, declared, limits.maxBytes, 'maxRequestBytes')
          : declared > budget.limit
            ? tooLarge(budget, declared, budget.limit, 'maxBodyBytesInFlight')
            : budget.take(declared)
              ? undefined
              : budgetFull(budget);
      if (refusal) {
        reject(refusal);
        return;
      }
      this.held = declared;
      if (declared >= PREALLOCATE_BYTES) this.whole = Buffer.allocUnsafeSlow(declared);
    }
    let size = 0;
    const fail = (err: HttpError) => {
      this.release();
      reject(err);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limits.maxBytes) return fail(tooLarge(budget, size, limits.maxBytes, 'maxRequestBytes'));
      if (declared === undefined) {
        if (size > budget.limit) return fail(tooLarge(budget, size, budget.limit, 'maxBodyBytesInFlight'));
        if (!budget.take(chunk.length)) return fail(budgetFull(budget));
        this.held += chunk.length;
      }
      if (this.whole) chunk.copy(this.whole, size - chunk.length);
      else this.chunks.push(chunk);
    };
    const onEnd = () => {
      const { chunks, whole } = this;
      // The caller holds the body from here: the pieces are not kept twice.
      this.chunks = [];
      this.whole = undefined;
      this.stop();
      if (whole) resolve(whole);
      else resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    };
    const onAborted = () =>
      fail(new HttpError(499, 'the client closed the connection before sending the whole body'));
    const onError = (err: Error) =>
      fail(new HttpError(400, `the request body could not be read: ${err.message}`));
    const onTimeout = () => {
      budget.onLimit('bodyTimeoutMs', limits.timeoutMs);
      fail(
        new HttpError(
          408,
          `the request body did not arrive within ${limits.timeoutMs} ms (${size} bytes came); send it faster`,
          { connection: 'close' },
        ),
      );
    };
    this.stop = () => {
      clearTimeout(this.timer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('aborted', onAborted);
      req.off('error', onError);
      this.stop = () => {};
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('aborted', onAborted);
    req.on('error', onError);
    this.timer = setTimeout(onTimeout, limits.timeoutMs);
  }
}

function tooLarge(budget: BodyBudget, size: number, limit: number, key: LimitKey): HttpError {
  budget.onLimit(key, limit);
  const what = key === 'maxRequestBytes' ? 'the limit' : 'the memory budget for bodies in flight';
  return new HttpError(
    413,
    `the request body is larger than ${what} of ${limit} bytes${Number.isFinite(size) ? ` (at least ${size})` : ''}; send less`,
    { connection: 'close' },
  );
}

function budgetFull(budget: BodyBudget): HttpError {
  budget.onLimit('maxBodyBytesInFlight', budget.limit);
  return new HttpError(
    503,
    `the server is reading ${budget.inFlight} bytes of other request bodies, near its budget of ${budget.limit}; retry shortly`,
    { 'retry-after': '1', connection: 'close' },
  );
}
