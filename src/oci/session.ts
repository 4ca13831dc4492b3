import { BentoError, NotFoundError } from '../core/errors.js';
import { Authenticator } from './auth.js';
import { type CredentialOptions, resolveCredentials } from './credentials.js';
import { HttpClient, type HttpOptions, type HttpRequest, type HttpResponse } from './http.js';
import { MAX_ERROR_BODY_BYTES, readPrefix } from './limits.js';
import { sameOrigin } from './origin.js';
import { apiHost } from './reference.js';
import { errorBodySchema } from './schemas.js';

export interface SessionOptions extends HttpOptions, CredentialOptions {}

/**
 * One registry host: its HTTP client, its authenticator, and requests that carry the right
 * Authorization for the scopes they need and survive one 401 round of the token flow.
 */
export class RegistrySession {
  readonly baseUrl: string;

  private constructor(
    readonly registry: string,
    readonly http: HttpClient,
    readonly auth: Authenticator,
  ) {
    this.baseUrl = auth.baseUrl;
  }

  static async open(registry: string, options: SessionOptions = {}): Promise<RegistrySession> {
    const credentials = await resolveCredentials(registry, options);
    const http = new HttpClient(options);
    const baseUrl = `${http.scheme}://${apiHost(registry)}`;
    return new RegistrySession(
      registry,
      http,
      new Authenticator(http, registry, baseUrl, credentials, options.mask),
    );
  }

  get signal(): AbortSignal | undefined {
    return this.http.signal;
  }

  url(path: string): string {
    return new URL(path, this.baseUrl).toString();
  }

  /**
   * Sends `req` with authorization for `scopes`; a 401 is answered once, by the challenge's scheme.
   * A URL on another origin (an upload Location, a next page, storage) gets no credentials at all.
   */
  async request(req: HttpRequest, scopes: string[]): Promise<HttpResponse> {
    if (!sameOrigin(req.url, this.baseUrl)) return this.http.send(withoutAuthorization(req));
    await this.auth.prepare(scopes);
    const send = () => {
      const authorization = this.auth.authorization(scopes);
      return this.http.send({
        ...req,
        headers: { ...req.headers, ...(authorization ? { authorization } : {}) },
      });
    };
    let res = await send();
    for (let round = 0; res.status === 401 && round < 2; round++) {
      const sent = this.auth.authorization(scopes) !== undefined;
      await res.body.dump().catch(() => undefined);
      await this.auth.onUnauthorized(res, scopes, sent);
      res = await send();
    }
    return res;
  }

  /** Reads an error reply and throws one line naming the registry, the request and the code. */
  async fail(res: HttpResponse, what: string): Promise<never> {
    const body = res.body as HttpResponse['body'] & { bodyUsed?: boolean };
    // A HEAD answer, or one already drained, has no error document to read.
    const raw =
      body.bodyUsed || body.destroyed || body.readableEnded
        ? ''
        : await readPrefix(res, MAX_ERROR_BODY_BYTES);
    // A registry may echo what we sent (the Authorization header) in its error: never quote that.
    const text = this.auth.scrub(raw);
    let detail = '';
    try {
      const body = errorBodySchema.parse(JSON.parse(text));
      const first = body.errors?.[0];
      if (first) detail = `${first.code ?? ''}${first.message ? ` (${first.message})` : ''}`.trim();
    } catch {
      detail = text.trim().split('\n')[0]?.slice(0, 200) ?? '';
    }
    detail = this.auth.scrub(detail.replace(/[\r\n]+/g, ' '));
    const suffix = detail ? `: ${detail}` : '';
    if (res.status === 404)
      throw new NotFoundError(`${what}: not found in registry ${this.registry}${suffix}`);
    if (res.status === 401)
      throw new BentoError(`${what}: registry ${this.registry} answered 401 Unauthorized${suffix}`);
    if (res.status === 403) {
      throw new BentoError(
        `${what}: registry ${this.registry} denied it (403 Forbidden${suffix}): check the credentials' rights on the repository`,
      );
    }
    throw new BentoError(`${what}: registry ${this.registry} answered ${res.status}${suffix}`);
  }

  async close(): Promise<void> {
    await this.http.close();
  }
}

function withoutAuthorization(req: HttpRequest): HttpRequest {
  const headers = Object.fromEntries(
    Object.entries(req.headers ?? {}).filter(([name]) => name.toLowerCase() !== 'authorization'),
  );
  return { ...req, headers };
}
