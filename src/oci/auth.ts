import { BentoError } from '../core/errors.js';
import { option, say } from '../core/user-text.js';
import type { Credentials } from './credentials.js';
import { type HttpClient, type HttpResponse, header } from './http.js';
import { MAX_ERROR_BODY_BYTES, MAX_TOKEN_REPLY_BYTES, readLimited, readPrefix } from './limits.js';
import { followUrl, realmMayReceiveCredentials } from './origin.js';
import { Secrets } from './redact.js';
import { tokenResponseSchema } from './schemas.js';

export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** Parses a WWW-Authenticate header: `Bearer realm="...",service="...",scope="a:b:pull,push"`. */
export function parseChallenges(value: string): Challenge[] {
  const challenges: Challenge[] = [];
  const re = /\s*([A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]*)(?:\s*=\s*("(?:[^"\\]|\\.)*"|[^,\s]*))?\s*,?/y;
  let current: Challenge | undefined;
  re.lastIndex = 0;
  while (re.lastIndex < value.length) {
    const match = re.exec(value);
    if (!match || match[0].length === 0) break;
    const [, word, rawValue] = match;
    if (rawValue === undefined) {
      current = { scheme: word!.toLowerCase(), params: {} };
      challenges.push(current);
    } else if (current) {
      const unquoted = rawValue.startsWith('"') ? rawValue.slice(1, -1).replace(/\\(.)/g, '$1') : rawValue;
      current.params[word!.toLowerCase()] = unquoted;
    }
  }
  return challenges;
}

/** `repository:<name>:pull` or `:pull,push`. */
export function repositoryScope(repository: string, push: boolean): string {
  return `repository:${repository}:${push ? 'pull,push' : 'pull'}`;
}

interface Token {
  value: string;
  expiresAt: number;
}

/**
 * Anonymous, Basic, or the Bearer token flow of the distribution spec: on a 401 the registry names a
 * realm; we ask it for a token for the scopes we need (with Basic credentials or a refresh token when
 * we have them) and send the token from then on. Tokens are cached per scope set until they expire.
 */
export class Authenticator {
  private scheme: 'unknown' | 'none' | 'basic' | 'bearer' = 'unknown';
  private realm: string | undefined;
  private service: string | undefined;
  private readonly tokens = new Map<string, Token>();
  private readonly secrets = new Secrets();

  /** `baseUrl` is the registry's origin: the only one Basic credentials and tokens are sent to. */
  constructor(
    private readonly http: HttpClient,
    readonly registry: string,
    readonly baseUrl: string,
    private readonly credentials: Credentials | undefined,
    private readonly mask?: (secret: string) => void,
  ) {
    if (credentials?.username && credentials.password !== undefined)
      this.secrets.addBasic(credentials.username, credentials.password);
    this.secrets.add(credentials?.password);
    this.secrets.add(credentials?.identityToken);
  }

  /** `text` (a registry's or token service's reply) with our credentials and tokens hidden. */
  scrub(text: string): string {
    return this.secrets.scrub(text);
  }

  /** Learns the scheme from `GET /v2/` once, so no large body is ever sent just to collect a 401. */
  async prepare(scopes: string[]): Promise<void> {
    if (this.scheme === 'unknown') {
      const res = await this.http.send({ method: 'GET', url: `${this.baseUrl}/v2/` });
      await res.body.dump().catch(() => undefined);
      if (res.status === 401) this.learn(res);
      else if (res.status === 200) this.scheme = 'none';
      else if (res.status === 404) {
        throw new BentoError(
          `${this.registry} does not answer the registry API (GET /v2/ gave 404): is it an OCI registry?`,
        );
      } else this.scheme = 'none';
    }
    if (this.scheme === 'bearer' && !this.cached(scopes)) await this.fetchToken(scopes);
  }

  /** The Authorization header for a request needing `scopes`, if any. */
  authorization(scopes: string[]): string | undefined {
    if (this.scheme === 'basic') return this.basic();
    if (this.scheme === 'bearer') {
      const token = this.cached(scopes);
      return token ? `Bearer ${token}` : undefined;
    }
    return undefined;
  }

  /**
   * Called on a 401: learns the challenge and gets what it asks for. Throws when there is nothing
   * new to try, with a message that says which credentials were refused.
   */
  async onUnauthorized(res: HttpResponse, scopes: string[], sentAuthorization: boolean): Promise<void> {
    const previous = this.scheme;
    const challenge = this.learn(res);
    if (this.scheme === 'basic') {
      if (!this.credentials?.username) throw this.needCredentials();
      if (previous === 'basic' && sentAuthorization) throw this.rejected(401);
      return;
    }
    if (this.scheme === 'bearer') {
      const wanted = new Set(scopes);
      if (challenge?.params['scope']) for (const s of challenge.params['scope'].split(' ')) wanted.add(s);
      const key = scopeKey(scopes);
      const hadToken = this.tokens.has(key);
      if (hadToken && sentAuthorization && challenge?.params['error'] !== 'invalid_token') {
        // A fresh token for exactly these scopes was refused: the credentials lack the rights.
        throw this.credentials ? this.rejected(401) : this.needCredentials();
      }
      await this.fetchToken([...wanted], key);
      return;
    }
    throw this.needCredentials();
  }

  private learn(res: HttpResponse): Challenge | undefined {
    const value = header(res, 'www-authenticate');
    const challenges = value ? parseChallenges(value) : [];
    const bearer = challenges.find((c) => c.scheme === 'bearer' && c.params['realm']);
    if (bearer) {
      this.scheme = 'bearer';
      this.realm = bearer.params['realm'];
      this.service = bearer.params['service'];
      return bearer;
    }
    const basic = challenges.find((c) => c.scheme === 'basic');
    if (basic) {
      this.scheme = 'basic';
      return basic;
    }
    throw new BentoError(
      `registry ${this.registry} answered 401 without a usable WWW-Authenticate challenge`,
    );
  }

  private cached(scopes: string[]): string | undefined {
    const token = this.tokens.get(scopeKey(scopes));
    return token && token.expiresAt > Date.now() ? token.value : undefined;
  }

  private basic(): string | undefined {
    const c = this.credentials;
    if (!c?.username || c.password === undefined) return undefined;
    return `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}`;
  }

  private async fetchToken(scopes: string[], key = scopeKey(scopes)): Promise<void> {
    if (!this.realm)
      throw new BentoError(`registry ${this.registry} asked for a bearer token but named no realm`);
    const realm = new URL(followUrl(this.realm, this.baseUrl, this.registry, 'its token realm'));
    if (this.credentials && !realmMayReceiveCredentials(realm, this.baseUrl)) {
      const why =
        realm.hostname === new URL(this.baseUrl).hostname
          ? 'over plain HTTP while the registry speaks HTTPS'
          : 'over plain HTTP on another host';
      throw new BentoError(
        say`registry ${this.registry} sends logins to the token realm ${realm.origin} ${why}: refusing to send the credentials from ${this.credentials.source} there (the realm must be https, or on the registry's own host when the registry is plain HTTP)`,
      );
    }
    let res: HttpResponse;
    if (this.credentials?.identityToken) {
      const form = new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: this.credentials.identityToken,
        client_id: 'bentoci',
        ...(this.service ? { service: this.service } : {}),
        scope: scopes.join(' '),
      });
      res = await this.http.send({
        method: 'POST',
        url: realm.toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: () => form.toString(),
      });
    } else {
      if (this.service) realm.searchParams.set('service', this.service);
      for (const scope of scopes) realm.searchParams.append('scope', scope);
      const basic = this.basic();
      res = await this.http.send({
        method: 'GET',
        url: realm.toString(),
        headers: basic ? { authorization: basic } : {},
      });
    }
    if (res.status === 401 || res.status === 403) {
      await res.body.dump().catch(() => undefined);
      throw this.credentials ? this.rejected(res.status) : this.needCredentials();
    }
    const what = `the reply of token service ${realm.host} of registry ${this.registry}`;
    if (res.status !== 200) {
      const text = this.scrub(await readPrefix(res, MAX_ERROR_BODY_BYTES));
      const line = this.scrub(
        text
          .trim()
          .split(/[\r\n]+/)[0]
          ?.slice(0, 200) ?? '',
      );
      throw new BentoError(
        `token service ${realm.host} of registry ${this.registry} answered ${res.status}${line ? `: ${line}` : ''}`,
      );
    }
    const text = (await readLimited(res, MAX_TOKEN_REPLY_BYTES, what)).toString('utf8');
    let body: { token?: string; access_token?: string; expires_in?: number };
    try {
      body = tokenResponseSchema.parse(JSON.parse(text));
    } catch {
      throw new BentoError(
        `token service ${realm.host} of registry ${this.registry} sent a reply without a token`,
      );
    }
    const value = (body.token ?? body.access_token)!;
    this.mask?.(value);
    this.secrets.add(value);
    // Renew a little early so a token never expires between check and use.
    const lifetime = Math.max((body.expires_in ?? 60) - 10, 5) * 1000;
    this.tokens.set(key, { value, expiresAt: Date.now() + lifetime });
  }

  private needCredentials(): BentoError {
    return new BentoError(
      say`registry ${this.registry} requires authentication (401 Unauthorized): run docker login ${this.registry}, pass ${option('username')} with ${option('passwordStdin')}, or set BENTOCI_REGISTRY_USER and BENTOCI_REGISTRY_PASSWORD`,
    );
  }

  private rejected(status: number): BentoError {
    const who = this.credentials?.username ? `user "${this.credentials.username}"` : 'the identity token';
    const word = status === 403 ? '403 Forbidden' : '401 Unauthorized';
    return new BentoError(
      say`registry ${this.registry} refused the credentials of ${who} from ${this.credentials?.source} (${word}): check the user name and password or token, and its rights on the repository`,
    );
  }
}

function scopeKey(scopes: string[]): string {
  return [...scopes].sort().join(' ');
}
