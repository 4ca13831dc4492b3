/**
 * Archives over HTTP: a streaming GET for import and a streaming PUT for export (undici), with
 * timeouts, retried under the one retry policy of src/core/retry.ts.
 */
import { PassThrough, type Readable, type Writable } from 'node:stream';
import { Agent, type Dispatcher, interceptors, request } from 'undici';
import { HttpStatusError, type RetryPolicy, withRetries as retrying } from '../retry.js';

/** Idle limits, not totals: undici re-arms both on every chunk, so a slow large transfer is fine. */
const TIMEOUTS = { headersTimeout: 60_000, bodyTimeout: 60_000, connectTimeout: 30_000 };

let agents: { get: Dispatcher; put: Dispatcher } | undefined;
function dispatchers(): { get: Dispatcher; put: Dispatcher } {
  const plain = new Agent({ connect: { timeout: TIMEOUTS.connectTimeout } });
  // Release assets and object stores answer GETs with redirects; a PUT body cannot be replayed to one.
  agents ??= { get: plain.compose(interceptors.redirect({ maxRedirections: 5 })), put: plain };
  return agents;
}

/** A URL fit for messages: no credentials, and no query string (pre-signed URLs carry secrets there). */
export function displayUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}${url.search ? '?…' : ''}`;
}

export async function httpGet(url: URL, signal?: AbortSignal): Promise<{ body: Readable; size?: number }> {
  const res = await request(url, { method: 'GET', dispatcher: dispatchers().get, signal, ...TIMEOUTS });
  if (res.statusCode < 200 || res.statusCode >= 300) {
    const detail = await snippet(res.body);
    throw new HttpStatusError(
      res.statusCode,
      `GET ${displayUrl(url)} failed: HTTP ${res.statusCode}${detail}`,
      retryAfterOf(res.headers),
    );
  }
  const length = Number(res.headers['content-length']);
  return { body: res.body, ...(Number.isSafeInteger(length) && length >= 0 ? { size: length } : {}) };
}

/**
 * Starts a PUT whose body is written to `body` (chunked, so its size need not be known). `done`
 * settles with the server's answer; a refusal also destroys `body`, so the writer stops at once
 * instead of stalling on a peer that no longer reads.
 */
export function httpPut(
  url: URL,
  contentType: string,
  signal?: AbortSignal,
): { body: Writable; done: Promise<void> } {
  const body = new PassThrough({ highWaterMark: 1 << 20 });
  const done = request(url, {
    method: 'PUT',
    dispatcher: dispatchers().put,
    body,
    headers: { 'content-type': contentType },
    signal,
    ...TIMEOUTS,
  }).then(
    async (res) => {
      const detail = await snippet(res.body);
      if (res.statusCode < 200 || res.statusCode >= 300) {
        const err = new HttpStatusError(
          res.statusCode,
          `PUT ${displayUrl(url)} failed: HTTP ${res.statusCode}${detail}`,
          retryAfterOf(res.headers),
        );
        body.destroy(err);
        throw err;
      }
    },
    (err: unknown) => {
      body.destroy(err as Error);
      throw err;
    },
  );
  return { body, done };
}

function retryAfterOf(headers: Record<string, string | string[] | undefined>): string | undefined {
  const value = headers['retry-after'];
  return Array.isArray(value) ? value[0] : value;
}

async function snippet(body: Readable & { text?: () => Promise<string> }): Promise<string> {
  const text = await (body.text?.() ?? Promise.resolve('')).catch(() => '');
  const line = text.replace(/\s+/g, ' ').trim().slice(0, 200);
  return line ? ` (${line})` : '';
}

/**
 * Runs `attempt` under the retry policy (src/core/retry.ts), saying on `log` (stderr by default)
 * what failed and when the next attempt starts. Each attempt starts from scratch (a new request, a
 * fresh archive stream), so nothing half-sent is ever resumed.
 */
export async function withRetries<T>(
  attempt: () => Promise<T>,
  options: { signal?: AbortSignal; log?: (line: string) => void; policy?: RetryPolicy },
): Promise<T> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  return retrying(attempt, {
    ...(options.policy ? { policy: options.policy } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    onRetry: (err, delay, next, attempts) =>
      log(`${(err as Error).message}; retrying in ${delay} ms (attempt ${next} of ${attempts})`),
  });
}
