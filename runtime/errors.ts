/**
 * An error that becomes an HTTP answer: the status and a one-line message that names the input.
 * It is an expected outcome (a bad input, an overload refusal), thrown on the hot path under
 * overload, so it skips the stack trace capture that makes ordinary errors expensive.
 */
export class HttpError extends Error {
  readonly status: number;
  readonly headers: Record<string, string>;

  constructor(status: number, message: string, headers: Record<string, string> = {}) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = limit;
    this.name = 'HttpError';
    this.status = status;
    this.headers = headers;
  }
}

export const badRequest = (message: string): HttpError => new HttpError(400, message);

/** A 503 for overload, with how long (ms) the request would have waited past its bound. */
export class OverloadError extends HttpError {
  constructor(
    message: string,
    headers: Record<string, string>,
    readonly retryAfterMs: number,
  ) {
    super(503, message, headers);
  }
}

/**
 * A client-supplied name or value inside an error message: JSON-quoted, so a newline or a quote in it
 * cannot break the one line, and clipped, so a megabyte key does not come back as a megabyte error.
 */
export const quoted = (text: string): string =>
  JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}...` : text);

/** A start-up failure (bad bento, missing model file, absent execution provider): printed, exit 1. */
export class RuntimeStartError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RuntimeStartError';
  }
}
