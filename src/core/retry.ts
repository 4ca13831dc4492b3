/**
 * The one retry policy of every request bentoci sends over the network (the registry client in
 * src/oci, archives over HTTP in src/core/archive): how many attempts, which failures say "later"
 * rather than "no", and how long to wait (exponential backoff with jitter, or the server's
 * Retry-After, capped).
 */
import { BentoError } from './errors.js';

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  attempts: number;
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseMs: 250, maxMs: 10_000 };

/** Statuses that say "later" rather than "no": timeouts, rate limits and server faults. */
export function isRetryableStatus(status: number): boolean {
  return (
    status === 408 || status === 429 || status === 500 || status === 502 || status === 503 || status === 504
  );
}

/** Transport failures worth another attempt: resets, refusals, timeouts, name lookups that may recover. */
const RETRYABLE_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/** The first error code along the `cause` chain (ours wrap what undici and Node throw). */
export function errorCode(err: unknown): string | undefined {
  let current: unknown = err;
  for (let depth = 0; current && depth < 4; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

export function isAbort(err: unknown, signal?: AbortSignal): boolean {
  if (signal?.aborted) return true;
  const name = (err as { name?: string } | undefined)?.name;
  return name === 'AbortError' || errorCode(err) === 'UND_ERR_ABORTED' || errorCode(err) === 'ABORT_ERR';
}

/** A transport failure (no answer from the server) that is worth another attempt. */
export function isRetryableError(err: unknown, signal?: AbortSignal): boolean {
  if (isAbort(err, signal)) return false;
  const code = errorCode(err);
  return code !== undefined && RETRYABLE_CODES.has(code);
}

/** A request the server answered with a status that is not success; `retryAfter` is its header. */
export class HttpStatusError extends BentoError {
  constructor(
    readonly status: number,
    message: string,
    readonly retryAfter?: string,
  ) {
    super(message);
    this.name = 'HttpStatusError';
  }
}

/** Whether any failure, an answered status or a transport error, is worth another attempt. */
export function isTransient(err: unknown, signal?: AbortSignal): boolean {
  if (isAbort(err, signal)) return false;
  if (err instanceof HttpStatusError) return isRetryableStatus(err.status);
  return isRetryableError(err, signal);
}

/**
 * Delay before attempt `attempt + 1` (attempt counts from 1): exponential with full jitter, or the
 * server's Retry-After when it gives one (capped, so a bad header cannot stall a job for hours).
 */
export function backoffMs(attempt: number, policy: RetryPolicy, retryAfter?: string): number {
  if (retryAfter) {
    const seconds = Number(retryAfter);
    const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(retryAfter) - Date.now();
    if (Number.isFinite(ms) && ms >= 0) return Math.min(ms, policy.maxMs * 3);
  }
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** (attempt - 1));
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export interface RetryOptions {
  policy?: RetryPolicy;
  signal?: AbortSignal;
  /** Told of each failure that will be tried again, before the wait. */
  onRetry?: (err: unknown, delayMs: number, next: number, attempts: number) => void;
}

/**
 * Runs `attempt` until it succeeds, fails for good (`isTransient` says no), or runs out of attempts.
 * Each attempt starts from scratch, so nothing half-sent is ever resumed.
 */
export async function withRetries<T>(
  attempt: (n: number) => Promise<T>,
  options: RetryOptions = {},
): Promise<T> {
  const policy = options.policy ?? DEFAULT_RETRY;
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (err) {
      if (n >= policy.attempts || !isTransient(err, options.signal)) throw err;
      const retryAfter = err instanceof HttpStatusError ? err.retryAfter : undefined;
      const delay = Math.round(backoffMs(n, policy, retryAfter));
      options.onRetry?.(err, delay, n + 1, policy.attempts);
      await sleep(delay, options.signal);
    }
  }
}
