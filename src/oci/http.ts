import { readFileSync } from 'node:fs';
import type { Readable } from 'node:stream';
import * as tls from 'node:tls';
import { Agent, request } from 'undici';
import { BentoError } from '../core/errors.js';
import { invalidValue } from '../core/invalid-value.js';
import {
  backoffMs,
  DEFAULT_RETRY,
  errorCode,
  isAbort,
  isRetryableError,
  isRetryableStatus,
  type RetryPolicy,
  sleep,
} from '../core/retry.js';
import { option, say } from '../core/user-text.js';

export interface HttpOptions {
  /** Plain HTTP instead of TLS. */
  insecure?: boolean;
  /** PEM file of extra CAs to trust (a private registry's CA). */
  caFile?: string;
  /** Connect, header and idle-body timeout per request. */
  timeoutMs?: number;
  retry?: RetryPolicy;
  signal?: AbortSignal;
  /** Connections kept per origin. */
  connections?: number;
}

export type RequestBody = string | Buffer | Uint8Array | Readable;

export interface HttpRequest {
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  /** Called once per attempt, so a retry sends the body again from its start. */
  body?: () => RequestBody;
  /** false: one attempt; the caller resumes on its own (chunked uploads). */
  retry?: boolean;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Readable & { text(): Promise<string>; dump(): Promise<void> };
  url: string;
}

export function header(res: Pick<HttpResponse, 'headers'>, name: string): string | undefined {
  const value = res.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

const TLS_CODES = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'EPROTO',
]);

/**
 * HTTP to one registry (and its token service): a keep-alive agent with timeouts, retries with
 * backoff on 5xx/429/resets, and the caller's AbortSignal on every request.
 */
export class HttpClient {
  readonly scheme: 'http' | 'https';
  readonly timeoutMs: number;
  readonly retry: RetryPolicy;
  readonly signal: AbortSignal | undefined;
  private readonly agent: Agent;

  constructor(options: HttpOptions = {}) {
    this.scheme = options.insecure ? 'http' : 'https';
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.retry = options.retry ?? DEFAULT_RETRY;
    this.signal = options.signal;
    let ca: string | undefined;
    if (options.caFile) {
      try {
        ca = readFileSync(options.caFile, 'utf8');
      } catch {
        throw invalidValue(
          'caFile',
          options.caFile,
          'the file cannot be read (pass a PEM file of CA certificates)',
        );
      }
    }
    this.agent = new Agent({
      connections: options.connections ?? 16,
      headersTimeout: this.timeoutMs,
      bodyTimeout: this.timeoutMs,
      keepAliveTimeout: 10_000,
      // Extra CAs add to Node's roots (as NODE_EXTRA_CA_CERTS does) rather than replacing them.
      connect: {
        timeout: Math.min(this.timeoutMs, 30_000),
        ...(ca ? { ca: [...tlsRootCertificates(), ca] } : {}),
      },
    });
  }

  /** Sends a request, retrying what is worth retrying; the caller judges the final status. */
  async send(req: HttpRequest): Promise<HttpResponse> {
    const attempts = req.retry === false ? 1 : this.retry.attempts;
    for (let attempt = 1; ; attempt++) {
      let res: HttpResponse;
      try {
        res = await this.once(req);
      } catch (err) {
        if (attempt < attempts && isRetryableError(err, this.signal)) {
          await sleep(backoffMs(attempt, this.retry), this.signal);
          continue;
        }
        throw this.explain(err, req);
      }
      if (attempt < attempts && isRetryableStatus(res.status)) {
        const retryAfter = header(res, 'retry-after');
        await res.body.dump().catch(() => undefined);
        await sleep(backoffMs(attempt, this.retry, retryAfter), this.signal);
        continue;
      }
      return res;
    }
  }

  /** One attempt, no retry. */
  async once(req: HttpRequest): Promise<HttpResponse> {
    const res = await request(req.url, {
      method: req.method,
      headers: req.headers ?? {},
      body: req.body?.(),
      dispatcher: this.agent,
      signal: this.signal,
    });
    return {
      status: res.statusCode,
      headers: res.headers,
      body: res.body as HttpResponse['body'],
      url: req.url,
    };
  }

  /** Turns a transport failure into one line that says what to check. */
  explain(err: unknown, req: Pick<HttpRequest, 'method' | 'url'>): Error {
    if (isAbort(err, this.signal))
      return err instanceof Error ? err : new BentoError('the transfer was cancelled');
    const code = errorCode(err) ?? 'error';
    const host = new URL(req.url).host;
    if (TLS_CODES.has(code) || /ssl|tls|certificate/i.test(String((err as Error)?.message))) {
      return new BentoError(
        say`TLS to registry ${host} failed (${code}): pass ${option('caFile')} for a private CA, or ${option('insecure')} if the registry speaks plain HTTP`,
        { cause: err },
      );
    }
    return new BentoError(
      `cannot reach registry ${host} (${code}: ${(err as Error)?.message ?? err}) for ${req.method} ${new URL(req.url).pathname}`,
      {
        cause: err,
      },
    );
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}

/** The CAs Node trusts by default (with NODE_EXTRA_CA_CERTS), so `--ca-file` adds to them. */
function tlsRootCertificates(): string[] {
  const getCACertificates = (tls as { getCACertificates?: (kind: string) => string[] }).getCACertificates;
  if (getCACertificates) return getCACertificates('default');
  const extra = process.env['NODE_EXTRA_CA_CERTS'];
  let extraPem: string[] = [];
  try {
    if (extra) extraPem = [readFileSync(extra, 'utf8')];
  } catch {
    // Node itself only warns about an unreadable NODE_EXTRA_CA_CERTS; so do we, by ignoring it.
  }
  return [...tls.rootCertificates, ...extraPem];
}
