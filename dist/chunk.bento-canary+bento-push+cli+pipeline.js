import { createRequire as __bentociCreateRequire } from 'node:module'; const require = __bentociCreateRequire(import.meta.url);
import {
  BentoError,
  DOCKER_HUB,
  DOCKER_MANIFEST,
  DOCKER_MANIFEST_LIST,
  IntegrityError,
  MANIFEST_TYPES,
  NotFoundError,
  OCI_INDEX,
  OCI_MANIFEST,
  Secrets,
  UsageError,
  apiHost,
  bentociHome,
  external_exports,
  formatReference,
  isDigest,
  isIndexType,
  ociIndexSchema,
  parseOciUrl,
  require_dist,
  require_semver,
  require_undici,
  sha256Digest,
  sha256File,
  validateTag
} from "./chunk.bento-build+bento-canary+bento-containerize+bento-push+cli+pipeline.js";
import {
  __toESM
} from "./chunk.bento-build+bento-canary+bento-containerize+bento-push+cli+index.node+p-map+packageurl-js+pipeline.js";

// src/oci/http.ts
var import_undici = __toESM(require_undici(), 1);
import { readFileSync } from "node:fs";
import * as tls from "node:tls";

// src/oci/retry.ts
var DEFAULT_RETRY = { attempts: 5, baseMs: 250, maxMs: 1e4 };
function isRetryableStatus(status) {
  return status === 408 || status === 429 || status === 500 || status === 502 || status === 503 || status === 504;
}
var RETRYABLE_CODES = /* @__PURE__ */ new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "EAI_AGAIN",
  "ENETUNREACH",
  "EHOSTUNREACH",
  "UND_ERR_SOCKET",
  "UND_ERR_CLOSED",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT"
]);
function errorCode(err) {
  let current = err;
  for (let depth = 0; current && depth < 4; depth++) {
    const code = current.code;
    if (typeof code === "string") return code;
    current = current.cause;
  }
  return void 0;
}
function isAbort(err, signal) {
  if (signal?.aborted) return true;
  const name = err?.name;
  return name === "AbortError" || errorCode(err) === "UND_ERR_ABORTED" || errorCode(err) === "ABORT_ERR";
}
function isRetryableError(err, signal) {
  if (isAbort(err, signal)) return false;
  const code = errorCode(err);
  return code !== void 0 && RETRYABLE_CODES.has(code);
}
function backoffMs(attempt, policy, retryAfter) {
  if (retryAfter) {
    const seconds = Number(retryAfter);
    const ms = Number.isFinite(seconds) ? seconds * 1e3 : Date.parse(retryAfter) - Date.now();
    if (Number.isFinite(ms) && ms >= 0) return Math.min(ms, policy.maxMs * 3);
  }
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** (attempt - 1));
  return ceiling / 2 + Math.random() * (ceiling / 2);
}
function sleep(ms, signal) {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

// src/oci/http.ts
function header(res, name) {
  const value = res.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}
var TLS_CODES = /* @__PURE__ */ new Set([
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_HAS_EXPIRED",
  "ERR_TLS_CERT_ALTNAME_INVALID",
  "ERR_SSL_WRONG_VERSION_NUMBER",
  "EPROTO"
]);
var HttpClient = class {
  scheme;
  timeoutMs;
  retry;
  signal;
  agent;
  constructor(options = {}) {
    this.scheme = options.insecure ? "http" : "https";
    this.timeoutMs = options.timeoutMs ?? 6e4;
    this.retry = options.retry ?? DEFAULT_RETRY;
    this.signal = options.signal;
    let ca;
    if (options.caFile) {
      try {
        ca = readFileSync(options.caFile, "utf8");
      } catch {
        throw new UsageError(
          `invalid --ca-file "${options.caFile}": the file cannot be read (pass a PEM file of CA certificates)`
        );
      }
    }
    this.agent = new import_undici.Agent({
      connections: options.connections ?? 16,
      headersTimeout: this.timeoutMs,
      bodyTimeout: this.timeoutMs,
      keepAliveTimeout: 1e4,
      // Extra CAs add to Node's roots (as NODE_EXTRA_CA_CERTS does) rather than replacing them.
      connect: {
        timeout: Math.min(this.timeoutMs, 3e4),
        ...ca ? { ca: [...tlsRootCertificates(), ca] } : {}
      }
    });
  }
  /** Sends a request, retrying what is worth retrying; the caller judges the final status. */
  async send(req) {
    const attempts = req.retry === false ? 1 : this.retry.attempts;
    for (let attempt = 1; ; attempt++) {
      let res;
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
        const retryAfter = header(res, "retry-after");
        await res.body.dump().catch(() => void 0);
        await sleep(backoffMs(attempt, this.retry, retryAfter), this.signal);
        continue;
      }
      return res;
    }
  }
  /** One attempt, no retry. */
  async once(req) {
    const res = await (0, import_undici.request)(req.url, {
      method: req.method,
      headers: req.headers ?? {},
      body: req.body?.(),
      dispatcher: this.agent,
      signal: this.signal
    });
    return {
      status: res.statusCode,
      headers: res.headers,
      body: res.body,
      url: req.url
    };
  }
  /** Turns a transport failure into one line that says what to check. */
  explain(err, req) {
    if (isAbort(err, this.signal))
      return err instanceof Error ? err : new BentoError("the transfer was cancelled");
    const code = errorCode(err) ?? "error";
    const host = new URL(req.url).host;
    if (TLS_CODES.has(code) || /ssl|tls|certificate/i.test(String(err?.message))) {
      return new BentoError(
        `TLS to registry ${host} failed (${code}): pass --ca-file for a private CA, or --insecure if the registry speaks plain HTTP`,
        { cause: err }
      );
    }
    return new BentoError(
      `cannot reach registry ${host} (${code}: ${err?.message ?? err}) for ${req.method} ${new URL(req.url).pathname}`,
      {
        cause: err
      }
    );
  }
  async close() {
    await this.agent.close();
  }
};
function tlsRootCertificates() {
  const getCACertificates2 = tls.getCACertificates;
  if (getCACertificates2) return getCACertificates2("default");
  const extra = process.env["NODE_EXTRA_CA_CERTS"];
  let extraPem = [];
  try {
    if (extra) extraPem = [readFileSync(extra, "utf8")];
  } catch {
  }
  return [...tls.rootCertificates, ...extraPem];
}

// src/oci/limits.ts
var MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
var MAX_TOKEN_REPLY_BYTES = 1024 * 1024;
var MAX_ERROR_BODY_BYTES = 64 * 1024;
var MAX_TAG_PAGE_BYTES = 16 * 1024 * 1024;
var MAX_TAG_PAGES = 1e3;
async function readLimited(res, limit, what) {
  const declared = Number(header(res, "content-length"));
  if (Number.isFinite(declared) && declared > limit) {
    res.body.destroy();
    throw new BentoError(`${what} is ${declared} bytes, over the limit of ${limit}: refusing to read it`);
  }
  const chunks = [];
  let total = 0;
  for await (const chunk of res.body) {
    total += chunk.length;
    if (total > limit) {
      res.body.destroy();
      throw new BentoError(`${what} is larger than ${limit} bytes: refusing to read it`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
async function readPrefix(res, limit) {
  const chunks = [];
  let total = 0;
  try {
    for await (const chunk of res.body) {
      const buffer = chunk;
      chunks.push(buffer.subarray(0, Math.max(0, limit - total)));
      total += buffer.length;
      if (total >= limit) break;
    }
  } catch {
  } finally {
    res.body.destroy();
  }
  return Buffer.concat(chunks).toString("utf8");
}

// src/oci/origin.ts
function sameOrigin(url, base) {
  return new URL(url).origin === new URL(base).origin;
}
function followUrl(location, replyUrl, registry, what) {
  let url;
  try {
    url = new URL(location, replyUrl);
  } catch {
    throw new BentoError(`registry ${registry} sent an invalid URL for ${what}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new BentoError(
      `registry ${registry} sent a ${url.protocol.replace(/:$/, "")}: URL for ${what}: only http and https are followed`
    );
  }
  if (url.username || url.password)
    throw new BentoError(`registry ${registry} sent a URL with user info for ${what}: refused`);
  return url.toString();
}
function realmMayReceiveCredentials(realm, registryBase) {
  if (realm.protocol === "https:") return true;
  const base = new URL(registryBase);
  return realm.protocol === "http:" && base.protocol === "http:" && realm.hostname === base.hostname;
}

// src/oci/schemas.ts
var digest = external_exports.string().regex(/^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/);
var annotations = external_exports.record(external_exports.string(), external_exports.string());
var descriptorSchema = external_exports.object({
  mediaType: external_exports.string().min(1),
  digest,
  size: external_exports.number().int().min(0),
  urls: external_exports.array(external_exports.string()).optional(),
  annotations: annotations.optional(),
  artifactType: external_exports.string().optional(),
  platform: external_exports.object({
    architecture: external_exports.string(),
    os: external_exports.string(),
    "os.version": external_exports.string().optional(),
    "os.features": external_exports.array(external_exports.string()).optional(),
    variant: external_exports.string().optional()
  }).optional()
});
var imageManifestSchema = external_exports.object({
  schemaVersion: external_exports.literal(2),
  mediaType: external_exports.string().optional(),
  artifactType: external_exports.string().optional(),
  config: descriptorSchema,
  layers: external_exports.array(descriptorSchema),
  subject: descriptorSchema.optional(),
  annotations: annotations.optional()
});
var imageIndexSchema = external_exports.object({
  schemaVersion: external_exports.literal(2),
  mediaType: external_exports.string().optional(),
  artifactType: external_exports.string().optional(),
  manifests: external_exports.array(descriptorSchema),
  subject: descriptorSchema.optional(),
  annotations: annotations.optional()
});
var errorBodySchema = external_exports.object({
  errors: external_exports.array(
    external_exports.object({
      code: external_exports.string().optional(),
      message: external_exports.string().optional(),
      detail: external_exports.unknown().optional()
    })
  ).optional()
});
var tokenResponseSchema = external_exports.object({
  token: external_exports.string().min(1).optional(),
  access_token: external_exports.string().min(1).optional(),
  expires_in: external_exports.number().int().positive().optional()
}).refine((r) => r.token || r.access_token, { message: "neither token nor access_token is set" });
var tagListSchema = external_exports.object({ name: external_exports.string(), tags: external_exports.array(external_exports.string()).nullable() });

// src/oci/auth.ts
function parseChallenges(value) {
  const challenges = [];
  const re = /\s*([A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]*)(?:\s*=\s*("(?:[^"\\]|\\.)*"|[^,\s]*))?\s*,?/y;
  let current;
  re.lastIndex = 0;
  while (re.lastIndex < value.length) {
    const match = re.exec(value);
    if (!match || match[0].length === 0) break;
    const [, word, rawValue] = match;
    if (rawValue === void 0) {
      current = { scheme: word.toLowerCase(), params: {} };
      challenges.push(current);
    } else if (current) {
      const unquoted = rawValue.startsWith('"') ? rawValue.slice(1, -1).replace(/\\(.)/g, "$1") : rawValue;
      current.params[word.toLowerCase()] = unquoted;
    }
  }
  return challenges;
}
function repositoryScope(repository, push) {
  return `repository:${repository}:${push ? "pull,push" : "pull"}`;
}
var Authenticator = class {
  /** `baseUrl` is the registry's origin: the only one Basic credentials and tokens are sent to. */
  constructor(http, registry, baseUrl, credentials, mask) {
    this.http = http;
    this.registry = registry;
    this.baseUrl = baseUrl;
    this.credentials = credentials;
    this.mask = mask;
    if (credentials?.username && credentials.password !== void 0)
      this.secrets.addBasic(credentials.username, credentials.password);
    this.secrets.add(credentials?.password);
    this.secrets.add(credentials?.identityToken);
  }
  http;
  registry;
  baseUrl;
  credentials;
  mask;
  scheme = "unknown";
  realm;
  service;
  tokens = /* @__PURE__ */ new Map();
  secrets = new Secrets();
  /** `text` (a registry's or token service's reply) with our credentials and tokens hidden. */
  scrub(text) {
    return this.secrets.scrub(text);
  }
  /** Learns the scheme from `GET /v2/` once, so no large body is ever sent just to collect a 401. */
  async prepare(scopes) {
    if (this.scheme === "unknown") {
      const res = await this.http.send({ method: "GET", url: `${this.baseUrl}/v2/` });
      await res.body.dump().catch(() => void 0);
      if (res.status === 401) this.learn(res);
      else if (res.status === 200) this.scheme = "none";
      else if (res.status === 404) {
        throw new BentoError(
          `${this.registry} does not answer the registry API (GET /v2/ gave 404): is it an OCI registry?`
        );
      } else this.scheme = "none";
    }
    if (this.scheme === "bearer" && !this.cached(scopes)) await this.fetchToken(scopes);
  }
  /** The Authorization header for a request needing `scopes`, if any. */
  authorization(scopes) {
    if (this.scheme === "basic") return this.basic();
    if (this.scheme === "bearer") {
      const token = this.cached(scopes);
      return token ? `Bearer ${token}` : void 0;
    }
    return void 0;
  }
  /**
   * Called on a 401: learns the challenge and gets what it asks for. Throws when there is nothing
   * new to try, with a message that says which credentials were refused.
   */
  async onUnauthorized(res, scopes, sentAuthorization) {
    const previous = this.scheme;
    const challenge = this.learn(res);
    if (this.scheme === "basic") {
      if (!this.credentials?.username) throw this.needCredentials();
      if (previous === "basic" && sentAuthorization) throw this.rejected(401);
      return;
    }
    if (this.scheme === "bearer") {
      const wanted = new Set(scopes);
      if (challenge?.params["scope"]) for (const s of challenge.params["scope"].split(" ")) wanted.add(s);
      const key = scopeKey(scopes);
      const hadToken = this.tokens.has(key);
      if (hadToken && sentAuthorization && challenge?.params["error"] !== "invalid_token") {
        throw this.credentials ? this.rejected(401) : this.needCredentials();
      }
      await this.fetchToken([...wanted], key);
      return;
    }
    throw this.needCredentials();
  }
  learn(res) {
    const value = header(res, "www-authenticate");
    const challenges = value ? parseChallenges(value) : [];
    const bearer = challenges.find((c) => c.scheme === "bearer" && c.params["realm"]);
    if (bearer) {
      this.scheme = "bearer";
      this.realm = bearer.params["realm"];
      this.service = bearer.params["service"];
      return bearer;
    }
    const basic = challenges.find((c) => c.scheme === "basic");
    if (basic) {
      this.scheme = "basic";
      return basic;
    }
    throw new BentoError(
      `registry ${this.registry} answered 401 without a usable WWW-Authenticate challenge`
    );
  }
  cached(scopes) {
    const token = this.tokens.get(scopeKey(scopes));
    return token && token.expiresAt > Date.now() ? token.value : void 0;
  }
  basic() {
    const c = this.credentials;
    if (!c?.username || c.password === void 0) return void 0;
    return `Basic ${Buffer.from(`${c.username}:${c.password}`).toString("base64")}`;
  }
  async fetchToken(scopes, key = scopeKey(scopes)) {
    if (!this.realm)
      throw new BentoError(`registry ${this.registry} asked for a bearer token but named no realm`);
    const realm = new URL(followUrl(this.realm, this.baseUrl, this.registry, "its token realm"));
    if (this.credentials && !realmMayReceiveCredentials(realm, this.baseUrl)) {
      const why = realm.hostname === new URL(this.baseUrl).hostname ? "over plain HTTP while the registry speaks HTTPS" : "over plain HTTP on another host";
      throw new BentoError(
        `registry ${this.registry} sends logins to the token realm ${realm.origin} ${why}: refusing to send the credentials from ${this.credentials.source} there (the realm must be https, or on the registry's own host when the registry is plain HTTP)`
      );
    }
    let res;
    if (this.credentials?.identityToken) {
      const form = new URLSearchParams({
        grant_type: "refresh_token",
        refresh_token: this.credentials.identityToken,
        client_id: "bentoci",
        ...this.service ? { service: this.service } : {},
        scope: scopes.join(" ")
      });
      res = await this.http.send({
        method: "POST",
        url: realm.toString(),
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: () => form.toString()
      });
    } else {
      if (this.service) realm.searchParams.set("service", this.service);
      for (const scope of scopes) realm.searchParams.append("scope", scope);
      const basic = this.basic();
      res = await this.http.send({
        method: "GET",
        url: realm.toString(),
        headers: basic ? { authorization: basic } : {}
      });
    }
    if (res.status === 401 || res.status === 403) {
      await res.body.dump().catch(() => void 0);
      throw this.credentials ? this.rejected(res.status) : this.needCredentials();
    }
    const what = `the reply of token service ${realm.host} of registry ${this.registry}`;
    if (res.status !== 200) {
      const text2 = this.scrub(await readPrefix(res, MAX_ERROR_BODY_BYTES));
      const line = this.scrub(
        text2.trim().split(/[\r\n]+/)[0]?.slice(0, 200) ?? ""
      );
      throw new BentoError(
        `token service ${realm.host} of registry ${this.registry} answered ${res.status}${line ? `: ${line}` : ""}`
      );
    }
    const text = (await readLimited(res, MAX_TOKEN_REPLY_BYTES, what)).toString("utf8");
    let body;
    try {
      body = tokenResponseSchema.parse(JSON.parse(text));
    } catch {
      throw new BentoError(
        `token service ${realm.host} of registry ${this.registry} sent a reply without a token`
      );
    }
    const value = body.token ?? body.access_token;
    this.mask?.(value);
    this.secrets.add(value);
    const lifetime = Math.max((body.expires_in ?? 60) - 10, 5) * 1e3;
    this.tokens.set(key, { value, expiresAt: Date.now() + lifetime });
  }
  needCredentials() {
    return new BentoError(
      `registry ${this.registry} requires authentication (401 Unauthorized): run docker login ${this.registry}, pass --username with --password-stdin, or set BENTOCI_REGISTRY_USER and BENTOCI_REGISTRY_PASSWORD`
    );
  }
  rejected(status) {
    const who = this.credentials?.username ? `user "${this.credentials.username}"` : "the identity token";
    const word = status === 403 ? "403 Forbidden" : "401 Unauthorized";
    return new BentoError(
      `registry ${this.registry} refused the credentials of ${who} from ${this.credentials?.source} (${word}): check the user name and password or token, and its rights on the repository`
    );
  }
};
function scopeKey(scopes) {
  return [...scopes].sort().join(" ");
}

// src/oci/blob-download.ts
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, rename, rm, stat, truncate } from "node:fs/promises";
import { dirname } from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
var REDIRECTS = /* @__PURE__ */ new Set([301, 302, 303, 307, 308]);
var RetryableStatus = class extends Error {
  constructor(status) {
    super(`status ${status}`);
    this.status = status;
  }
  status;
};
var OversizeError = class extends IntegrityError {
};
function sha256Hex(digest2) {
  if (!/^sha256:[a-f0-9]{64}$/.test(digest2))
    throw new BentoError(`blob digest "${digest2}" is not sha256: cannot verify it`);
  return digest2.slice("sha256:".length);
}
var BlobDownloader = class {
  constructor(session, repository, scopes) {
    this.session = session;
    this.repository = repository;
    this.scopes = scopes;
  }
  session;
  repository;
  scopes;
  what(digest2) {
    return `blob ${digest2} of ${this.session.registry}/${this.repository}`;
  }
  /**
   * GET of the blob, following a registry's redirect to storage: the session sends our credentials
   * only while the URL stays on the registry's origin (scheme, host and port).
   */
  async get(digest2, from) {
    const headers = from > 0 ? { range: `bytes=${from}-` } : {};
    let res = await this.session.request(
      {
        method: "GET",
        url: this.session.url(`/v2/${this.repository}/blobs/${digest2}`),
        headers,
        retry: false
      },
      this.scopes
    );
    for (let hop = 0; REDIRECTS.has(res.status) && hop < 5; hop++) {
      const location = header(res, "location");
      await res.body.dump().catch(() => void 0);
      if (!location)
        throw new BentoError(
          `registry ${this.session.registry} redirected ${this.what(digest2)} without a Location`
        );
      const url = followUrl(location, res.url, this.session.registry, `the redirect of ${this.what(digest2)}`);
      res = await this.session.request({ method: "GET", url, headers, retry: false }, this.scopes);
    }
    return res;
  }
  /** A small blob (config) in memory, verified; `size` (its descriptor's), when known, caps the read. */
  async fetch(digest2, limit, size) {
    const hex = sha256Hex(digest2);
    if (size !== void 0 && size > limit) {
      throw new BentoError(
        `${this.what(digest2)} is described as ${size} bytes, over the limit of ${limit}: refusing to read it`
      );
    }
    const retry = this.session.http.retry;
    for (let attempt = 1; ; attempt++) {
      try {
        const res = await this.get(digest2, 0);
        if (res.status !== 200) {
          if (isRetryableStatus(res.status) && attempt < retry.attempts) {
            await res.body.dump().catch(() => void 0);
            await sleep(backoffMs(attempt, retry, header(res, "retry-after")), this.session.signal);
            continue;
          }
          return this.session.fail(res, `reading ${this.what(digest2)}`);
        }
        const bytes = await readLimited(res, size ?? limit, this.what(digest2));
        const actual = createHash("sha256").update(bytes).digest("hex");
        if (actual !== hex) throw this.mismatch(digest2, actual);
        return bytes;
      } catch (err) {
        if (attempt < retry.attempts && isRetryableError(err, this.session.signal)) {
          await sleep(backoffMs(attempt, retry), this.session.signal);
          continue;
        }
        throw err instanceof BentoError ? err : this.session.http.explain(err, {
          method: "GET",
          url: this.session.url(`/v2/${this.repository}/blobs/${digest2}`)
        });
      }
    }
  }
  /**
   * Streams a blob to `dest`, hashing as it writes. Partial bytes stay in `partPath` between attempts,
   * so a reset resumes with `Range: bytes=<have>-`; the file appears at `dest` only once verified.
   * `size` is the descriptor's: the reply is cut off at its first byte beyond it, so a registry that
   * sends more than it described cannot fill the disk.
   */
  async toFile(digest2, size, dest, options = {}) {
    const hex = sha256Hex(digest2);
    const part = options.partPath ?? `${dest}.part`;
    await mkdir(dirname(part), { recursive: true });
    const retry = this.session.http.retry;
    let failures = 0;
    let restarted = false;
    for (; ; ) {
      const state = await resumeState(part, size);
      let hash = state.hash;
      const have = state.have;
      if (have > 0) options.onBytes?.(have);
      let counted = have;
      try {
        if (have === size) {
        } else {
          const res = await this.get(digest2, have);
          let append = have > 0;
          if (res.status === 200 && have > 0) {
            options.onBytes?.(-have);
            counted = 0;
            append = false;
            hash = createHash("sha256");
          } else if (res.status === 206) {
            const range = header(res, "content-range");
            const start = range ? Number(/bytes\s+([0-9]+)-/.exec(range)?.[1]) : Number.NaN;
            if (start !== have)
              throw new BentoError(
                `registry ${this.session.registry} answered range "${range}" for bytes=${have}-`
              );
          } else if (res.status !== 200) {
            if (isRetryableStatus(res.status) && failures + 1 < retry.attempts) {
              await res.body.dump().catch(() => void 0);
              throw new RetryableStatus(res.status);
            }
            return this.session.fail(res, `reading ${this.what(digest2)}`);
          }
          const declared = Number(header(res, "content-length"));
          if (Number.isFinite(declared) && counted + declared > size) {
            res.body.destroy();
            throw this.oversize(digest2, size, `its reply declares ${counted + declared}`);
          }
          const cutOff = this.oversize(digest2, size, `cut off at byte ${size + 1}`);
          const hashing = new Transform({
            transform(chunk, _encoding, callback) {
              if (counted + chunk.length > size) return callback(cutOff);
              hash.update(chunk);
              counted += chunk.length;
              options.onBytes?.(chunk.length);
              callback(null, chunk);
            }
          });
          await pipeline(res.body, hashing, createWriteStream(part, { flags: append ? "a" : "w" }));
        }
        const actual = hash.digest("hex");
        if (actual !== hex) {
          await rm(part, { force: true });
          if (have > 0 && !restarted) {
            restarted = true;
            options.onBytes?.(-counted);
            continue;
          }
          throw this.mismatch(digest2, actual);
        }
        await rename(part, dest);
        return;
      } catch (err) {
        if (err instanceof OversizeError) {
          options.onBytes?.(-counted);
          await rm(part, { force: true });
          throw err;
        }
        failures++;
        if (failures < retry.attempts && (err instanceof RetryableStatus || isRetryableError(err, this.session.signal))) {
          options.onBytes?.(-counted);
          await sleep(backoffMs(failures, retry), this.session.signal);
          continue;
        }
        if (err instanceof BentoError) throw err;
        throw this.session.http.explain(err, {
          method: "GET",
          url: this.session.url(`/v2/${this.repository}/blobs/${digest2}`)
        });
      }
    }
  }
  oversize(digest2, size, detail) {
    return new OversizeError(
      `${this.what(digest2)} is longer than the ${size} bytes its descriptor says (${detail}): nothing was kept; the registry's copy or its manifest is wrong`
    );
  }
  mismatch(digest2, actual) {
    return new IntegrityError(
      `${this.what(digest2)} does not match its digest (got sha256:${actual}): the registry's copy is damaged; nothing was imported`
    );
  }
};
async function resumeState(part, size) {
  let have = (await stat(part).catch(() => void 0))?.size ?? 0;
  if (have > size) {
    await truncate(part, 0);
    have = 0;
  }
  const hash = createHash("sha256");
  if (have > 0)
    for await (const chunk of createReadStream(part, { highWaterMark: 1 << 20 }))
      hash.update(chunk);
  return { hash, have };
}

// src/oci/blob-source.ts
import { createHash as createHash2 } from "node:crypto";
import { createReadStream as createReadStream2 } from "node:fs";
import { stat as stat2 } from "node:fs/promises";
import { Readable, Transform as Transform2 } from "node:stream";
function bufferSource(bytes) {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return {
    digest: `sha256:${createHash2("sha256").update(buffer).digest("hex")}`,
    size: buffer.length,
    open: (start, end) => Readable.from([buffer.subarray(start, end + 1)])
  };
}
async function fileSource(path, known) {
  const size = known?.size ?? (await stat2(path)).size;
  const hex = known?.sha256 ?? await sha256File(path);
  return {
    digest: `sha256:${hex}`,
    size,
    open: (start, end) => createReadStream2(path, { start, end, highWaterMark: 1 << 20 })
  };
}
function counting(onBytes) {
  return new Transform2({
    transform(chunk, _encoding, callback) {
      onBytes(chunk.length);
      callback(null, chunk);
    }
  });
}

// src/oci/blob-upload.ts
import { pipeline as pipeline2 } from "node:stream";
var DEFAULT_MONOLITHIC_MAX = 16 * 1024 * 1024;
var DEFAULT_CHUNK_SIZE = 64 * 1024 * 1024;
function offsetFromRange(range) {
  const match = range ? /^(?:bytes=)?0-([0-9]+)$/.exec(range.trim()) : null;
  if (!match || match[1] === "0") return 0;
  return Number(match[1]) + 1;
}
var BlobUploader = class {
  constructor(session, repository, scopes) {
    this.session = session;
    this.repository = repository;
    this.scopes = scopes;
  }
  session;
  repository;
  scopes;
  what(source) {
    return `uploading blob ${source.digest.slice(0, 19)} to ${this.session.registry}/${this.repository}`;
  }
  async exists(digest2) {
    const res = await this.session.request(
      { method: "HEAD", url: this.session.url(`/v2/${this.repository}/blobs/${digest2}`) },
      this.scopes
    );
    await res.body.dump().catch(() => void 0);
    if (res.status === 200) return Number(header(res, "content-length") ?? -1);
    if (res.status === 404) return void 0;
    return this.session.fail(res, `checking blob ${digest2} in ${this.session.registry}/${this.repository}`);
  }
  async upload(source, options = {}) {
    if (!options.assumeMissing && await this.exists(source.digest) !== void 0) return "exists";
    const scopes = [...this.scopes, ...options.mountScopes ?? []];
    let location;
    for (const from of options.mountFrom ?? []) {
      if (from === this.repository) continue;
      const started = await this.mount(scopes, source.digest, from);
      if (started === "mounted") return "mounted";
      location = started;
      break;
    }
    location ??= await this.open(scopes);
    const monolithicMax = options.monolithicMax ?? DEFAULT_MONOLITHIC_MAX;
    if (source.size <= monolithicMax) await this.putWhole(source, location, options);
    else await this.putChunked(source, location, options);
    return "uploaded";
  }
  /** POST: opens an upload session and returns its Location. */
  async open(scopes) {
    const result = await this.post(scopes, "");
    if (result === "mounted")
      throw new BentoError(`registry ${this.session.registry} answered 201 to a new upload`);
    return result;
  }
  /** POST with mount/from: 201 when the registry linked the blob, else 202 with a session to upload into. */
  mount(scopes, digest2, from) {
    return this.post(scopes, `?mount=${encodeURIComponent(digest2)}&from=${encodeURIComponent(from)}`);
  }
  async post(scopes, query) {
    const res = await this.session.request(
      {
        method: "POST",
        url: this.session.url(`/v2/${this.repository}/blobs/uploads/${query}`),
        headers: { "content-length": "0" }
      },
      scopes
    );
    await res.body.dump().catch(() => void 0);
    if (query && res.status === 201) return "mounted";
    if (res.status !== 202)
      return this.session.fail(res, `starting an upload to ${this.session.registry}/${this.repository}`);
    return this.location(res);
  }
  /**
   * The upload session's URL, relative to the reply that named it. It may be on another origin
   * (storage in front of the registry): the session then sends it no credentials.
   */
  location(res) {
    const location = header(res, "location");
    if (!location)
      throw new BentoError(`registry ${this.session.registry} opened an upload without a Location header`);
    return followUrl(location, res.url, this.session.registry, "an upload location");
  }
  finishUrl(location, digest2) {
    const url = new URL(location);
    url.searchParams.set("digest", digest2);
    return url.toString();
  }
  body(source, start, end, onBytes) {
    const stream = source.open(start, end);
    if (!onBytes) return stream;
    const counter = counting(onBytes);
    pipeline2(stream, counter, () => void 0);
    return counter;
  }
  /** One PUT with the whole blob; a failed attempt starts over in a new session. */
  async putWhole(source, firstLocation, options) {
    let location = firstLocation;
    const retry = this.session.http.retry;
    for (let attempt = 1; ; attempt++) {
      let sent = 0;
      const onBytes = (n) => {
        sent += n;
        options.onBytes?.(n);
      };
      try {
        const res = await this.session.request(
          {
            method: "PUT",
            url: this.finishUrl(location, source.digest),
            headers: { "content-type": "application/octet-stream", "content-length": String(source.size) },
            body: () => this.body(source, 0, source.size - 1, onBytes),
            retry: false
          },
          this.scopes
        );
        if (res.status === 201 || res.status === 204) {
          await res.body.dump().catch(() => void 0);
          return;
        }
        if (!isRetryableStatus(res.status) || attempt >= retry.attempts)
          return this.session.fail(res, this.what(source));
        await res.body.dump().catch(() => void 0);
      } catch (err) {
        if (!isRetryableError(err, this.session.signal) || attempt >= retry.attempts) {
          throw this.session.http.explain(err, { method: "PUT", url: location });
        }
      }
      options.onBytes?.(-sent);
      await sleep(backoffMs(attempt, retry), this.session.signal);
      if (await this.exists(source.digest) !== void 0) return;
      location = await this.open(this.scopes);
    }
  }
  /**
   * PATCH chunks in order; after a failure, asks the registry how far it got (GET on the session
   * gives `Range: 0-<last>`) and continues from there, or opens a new session if the old one is gone.
   */
  async putChunked(source, firstLocation, options) {
    let location = firstLocation;
    let offset = 0;
    let confirmed = 0;
    const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
    const retry = this.session.http.retry;
    let failures = 0;
    while (offset < source.size) {
      const end = Math.min(offset + chunkSize, source.size) - 1;
      let sent = 0;
      const onBytes = (n) => {
        sent += n;
        options.onBytes?.(n);
      };
      let res;
      let error;
      try {
        res = await this.session.request(
          {
            method: "PATCH",
            url: location,
            headers: {
              "content-type": "application/octet-stream",
              "content-length": String(end - offset + 1),
              "content-range": `${offset}-${end}`
            },
            body: () => this.body(source, offset, end, onBytes),
            retry: false
          },
          this.scopes
        );
      } catch (err) {
        if (!isRetryableError(err, this.session.signal))
          throw this.session.http.explain(err, { method: "PATCH", url: location });
        error = err;
      }
      if (res && res.status === 202) {
        await res.body.dump().catch(() => void 0);
        location = this.location(res);
        const reported = header(res, "range");
        const next = Math.min(reported ? offsetFromRange(reported) : end + 1, end + 1);
        options.onBytes?.(next - offset - sent);
        if (next > offset) failures = 0;
        else if (++failures >= retry.attempts) {
          throw new BentoError(
            `${this.what(source)}: the registry took ${failures} chunks at byte ${offset} without moving past it: try again later`
          );
        }
        offset = next;
        confirmed = offset;
        continue;
      }
      if (res && res.status !== 416 && !isRetryableStatus(res.status))
        return this.session.fail(res, this.what(source));
      await res?.body.dump().catch(() => void 0);
      failures++;
      if (failures >= retry.attempts) {
        const why = res ? `status ${res.status}` : error?.message ?? "error";
        throw new BentoError(
          `${this.what(source)} failed ${failures} times at byte ${offset} (${why}): try again later`
        );
      }
      options.onBytes?.(-sent);
      await sleep(backoffMs(failures, retry), this.session.signal);
      const status = await this.status(location);
      if (status) {
        location = status.location;
        offset = status.offset;
      } else {
        location = await this.open(this.scopes);
        offset = 0;
      }
      options.onBytes?.(offset - confirmed);
      confirmed = offset;
    }
    await this.finish(source, location);
  }
  /** GET on the upload session: where it stands, or undefined when the session is gone. */
  async status(location) {
    const res = await this.session.request({ method: "GET", url: location }, this.scopes);
    await res.body.dump().catch(() => void 0);
    if (res.status === 204 || res.status === 202 || res.status === 200) {
      return {
        location: header(res, "location") ? this.location(res) : location,
        offset: offsetFromRange(header(res, "range"))
      };
    }
    if (res.status === 404) return void 0;
    return this.session.fail(res, `reading the upload status at ${this.session.registry}/${this.repository}`);
  }
  async finish(source, location) {
    const res = await this.session.request(
      { method: "PUT", url: this.finishUrl(location, source.digest), headers: { "content-length": "0" } },
      this.scopes
    );
    await (res.status === 201 || res.status === 204 ? res.body.dump().catch(() => void 0) : void 0);
    if (res.status === 201 || res.status === 204) return;
    if (await this.exists(source.digest) !== void 0) return;
    return this.session.fail(res, this.what(source));
  }
};

// src/oci/config.ts
var import_yaml = __toESM(require_dist(), 1);
import { readFile } from "node:fs/promises";
import { join } from "node:path";
var registryConfigSchema = external_exports.looseObject({
  registries: external_exports.object({
    insecure: external_exports.array(external_exports.string().regex(/^[^\s/]+$/, "expected host or host:port")).optional()
  }).optional()
});
async function insecureRegistries(home) {
  const path = join(home, "config.yaml");
  let raw;
  try {
    raw = await readFile(path, "utf8");
  } catch {
    return [];
  }
  const parsed = registryConfigSchema.safeParse(import_yaml.default.parse(raw) ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UsageError(
      `invalid ${path}: ${issue?.path.join(".")}: ${issue?.message} (registries.insecure is a list of host:port)`
    );
  }
  return (parsed.data.registries?.insecure ?? []).map((h) => h.toLowerCase());
}
async function isInsecureRegistry(home, registry) {
  const listed = await insecureRegistries(home);
  const host = registry.replace(/:[0-9]+$/, "");
  return listed.includes(registry.toLowerCase()) || listed.includes(host.toLowerCase());
}

// src/oci/manifests.ts
import { createHash as createHash3 } from "node:crypto";
function sha256Digest2(bytes) {
  return `sha256:${createHash3("sha256").update(bytes).digest("hex")}`;
}
var ACCEPT = MANIFEST_TYPES.join(", ");
function contentType(res) {
  return (header(res, "content-type") ?? "").split(";")[0].trim();
}
async function getManifest(session, repository, reference, scopes, size) {
  const what = `manifest ${session.registry}/${repository}${isDigest(reference) ? "@" : ":"}${reference}`;
  if (size !== void 0 && size > MAX_MANIFEST_BYTES) {
    throw new BentoError(
      `${what} is described as ${size} bytes, over the manifest limit of ${MAX_MANIFEST_BYTES}: refusing to read it`
    );
  }
  const res = await session.request(
    {
      method: "GET",
      url: session.url(`/v2/${repository}/manifests/${reference}`),
      headers: { accept: ACCEPT }
    },
    scopes
  );
  if (res.status !== 200) return session.fail(res, `reading ${what}`);
  const bytes = await readLimited(res, size ?? MAX_MANIFEST_BYTES, what);
  if (size !== void 0 && bytes.length !== size)
    throw new IntegrityError(`${what} is ${bytes.length} bytes, not the ${size} its descriptor says`);
  const digest2 = sha256Digest2(bytes);
  const expected = isDigest(reference) ? reference : header(res, "docker-content-digest");
  if (expected?.startsWith("sha256:") && expected !== digest2) {
    throw new IntegrityError(
      `${what} does not match its digest ${expected} (got ${digest2}): the registry's copy is damaged`
    );
  }
  let mediaType = contentType(res);
  if (!MANIFEST_TYPES.includes(mediaType)) {
    mediaType = mediaTypeOf(bytes, what);
  }
  return { digest: digest2, mediaType, bytes };
}
function mediaTypeOf(bytes, what) {
  let json;
  try {
    json = JSON.parse(bytes.toString("utf8"));
  } catch {
    throw new BentoError(`${what} is not JSON`);
  }
  if (json.schemaVersion === 1)
    throw new BentoError(`${what} is a Docker schema 1 manifest, which is obsolete and not supported`);
  if (typeof json.mediaType === "string") return json.mediaType;
  return Array.isArray(json.manifests) ? OCI_INDEX : OCI_MANIFEST;
}
async function headManifest(session, repository, reference, scopes) {
  const res = await session.request(
    {
      method: "HEAD",
      url: session.url(`/v2/${repository}/manifests/${reference}`),
      headers: { accept: ACCEPT }
    },
    scopes
  );
  await res.body.dump().catch(() => void 0);
  if (res.status === 404) return void 0;
  if (res.status !== 200)
    return session.fail(res, `checking manifest ${session.registry}/${repository}:${reference}`);
  const digest2 = header(res, "docker-content-digest");
  if (!digest2 || !isDigest(digest2)) {
    const fetched = await getManifest(session, repository, reference, scopes);
    return { digest: fetched.digest, mediaType: fetched.mediaType, size: fetched.bytes.length };
  }
  return { digest: digest2, mediaType: contentType(res), size: Number(header(res, "content-length") ?? 0) };
}
async function putManifest(session, repository, reference, bytes, mediaType, scopes) {
  const digest2 = sha256Digest2(bytes);
  const res = await session.request(
    {
      method: "PUT",
      url: session.url(`/v2/${repository}/manifests/${reference}`),
      headers: { "content-type": mediaType, "content-length": String(bytes.length) },
      body: () => bytes
    },
    scopes
  );
  if (res.status !== 201 && res.status !== 200)
    return session.fail(res, `storing manifest ${session.registry}/${repository}:${reference}`);
  await res.body.dump().catch(() => void 0);
  const told = header(res, "docker-content-digest");
  if (told?.startsWith("sha256:") && told !== digest2) {
    throw new IntegrityError(
      `registry ${session.registry} stored manifest ${repository}:${reference} as ${told}, not ${digest2}`
    );
  }
  return digest2;
}
function parseManifestJson(bytes, what) {
  try {
    return JSON.parse(bytes.toString("utf8"));
  } catch {
    throw new BentoError(`${what} is not JSON`);
  }
}
function parseImageManifest(manifest, what) {
  if (isIndexType(manifest.mediaType))
    throw new BentoError(`${what} is an index (${manifest.mediaType}), not an image manifest`);
  if (manifest.mediaType !== OCI_MANIFEST && manifest.mediaType !== DOCKER_MANIFEST) {
    throw new BentoError(`${what} has the unsupported media type ${manifest.mediaType}`);
  }
  const parsed = imageManifestSchema.safeParse(parseManifestJson(manifest.bytes, what));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new BentoError(
      `${what} is not a valid image manifest: ${issue?.path.join(".")}: ${issue?.message}`
    );
  }
  return parsed.data;
}
function parseImageIndex(manifest, what) {
  if (manifest.mediaType !== OCI_INDEX && manifest.mediaType !== DOCKER_MANIFEST_LIST) {
    throw new BentoError(`${what} is not an index (${manifest.mediaType})`);
  }
  const parsed = imageIndexSchema.safeParse(parseManifestJson(manifest.bytes, what));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new BentoError(`${what} is not a valid image index: ${issue?.path.join(".")}: ${issue?.message}`);
  }
  return parsed.data;
}

// src/oci/credentials.ts
import { spawn } from "node:child_process";
import { readFile as readFile2 } from "node:fs/promises";
import { homedir } from "node:os";
import { join as join2 } from "node:path";
var authEntrySchema = external_exports.object({
  auth: external_exports.string().optional(),
  username: external_exports.string().optional(),
  password: external_exports.string().optional(),
  identitytoken: external_exports.string().optional()
});
var dockerConfigSchema = external_exports.looseObject({
  auths: external_exports.record(external_exports.string(), authEntrySchema).optional(),
  credsStore: external_exports.string().optional(),
  credHelpers: external_exports.record(external_exports.string(), external_exports.string()).optional()
});
var helperReplySchema = external_exports.object({ Username: external_exports.string(), Secret: external_exports.string() });
async function resolveCredentials(registry, options = {}) {
  const env = options.env ?? process.env;
  const found = await find(registry, options, env);
  if (found && options.mask) {
    for (const secret of [found.password, found.identityToken]) if (secret) options.mask(secret);
  }
  return found;
}
async function find(registry, options, env) {
  if (options.username !== void 0 || options.password !== void 0) {
    if (!options.username || !options.password) {
      throw new UsageError(
        "--username and a password (--password-stdin, --password or BENTOCI_REGISTRY_PASSWORD) go together"
      );
    }
    return { username: options.username, password: options.password, source: "--username" };
  }
  const envUser = env["BENTOCI_REGISTRY_USER"];
  const envPassword = env["BENTOCI_REGISTRY_PASSWORD"];
  if (envUser || envPassword) {
    if (!envUser || !envPassword) {
      throw new UsageError(
        "BENTOCI_REGISTRY_USER and BENTOCI_REGISTRY_PASSWORD must both be set (or neither)"
      );
    }
    return { username: envUser, password: envPassword, source: "BENTOCI_REGISTRY_USER" };
  }
  const fromDocker = await fromDockerConfig(registry, options.dockerConfigDir ?? dockerConfigDir(env));
  if (fromDocker) return fromDocker;
  const githubToken = env["GITHUB_TOKEN"];
  if (githubToken && (registry === "ghcr.io" || registry.endsWith(".ghcr.io"))) {
    return { username: env["GITHUB_ACTOR"] || "bentoci", password: githubToken, source: "GITHUB_TOKEN" };
  }
  return void 0;
}
function dockerConfigDir(env = process.env) {
  return env["DOCKER_CONFIG"] || join2(homedir(), ".docker");
}
async function readDockerConfig(dir) {
  const path = join2(dir, "config.json");
  let raw;
  try {
    raw = await readFile2(path, "utf8");
  } catch {
    return void 0;
  }
  let json;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new BentoError(`Docker config ${path} is not valid JSON: fix it or point DOCKER_CONFIG elsewhere`);
  }
  const parsed = dockerConfigSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new BentoError(`Docker config ${path} is invalid at ${issue?.path.join(".")}: ${issue?.message}`);
  }
  return parsed.data;
}
function configKeys(registry) {
  if (registry === DOCKER_HUB)
    return ["https://index.docker.io/v1/", "index.docker.io", "docker.io", "registry-1.docker.io"];
  return [
    registry,
    `https://${registry}`,
    `http://${registry}`,
    `https://${registry}/v1/`,
    `https://${registry}/v2/`
  ];
}
async function fromDockerConfig(registry, dir) {
  const config = await readDockerConfig(dir);
  if (!config) return void 0;
  const keys = configKeys(registry);
  for (const key of keys) {
    const helper = config.credHelpers?.[key];
    if (helper) return fromHelper(helper, key === registry ? registry : key);
  }
  for (const key of keys) {
    const entry = config.auths?.[key];
    if (!entry) continue;
    if (entry.identitytoken) return { identityToken: entry.identitytoken, source: "docker config.json" };
    if (entry.auth) {
      const decoded = Buffer.from(entry.auth, "base64").toString("utf8");
      const colon = decoded.indexOf(":");
      if (colon > 0) {
        return {
          username: decoded.slice(0, colon),
          password: decoded.slice(colon + 1),
          source: "docker config.json"
        };
      }
    }
    if (entry.username && entry.password)
      return { username: entry.username, password: entry.password, source: "docker config.json" };
  }
  if (config.credsStore) return fromHelper(config.credsStore, registry === DOCKER_HUB ? keys[0] : registry);
  return void 0;
}
async function fromHelper(helper, serverUrl, timeoutMs = 15e3) {
  if (!/^[A-Za-z0-9_.-]+$/.test(helper))
    throw new BentoError(`Docker credential helper name "${helper}" is invalid`);
  const program = `docker-credential-${helper}`;
  const { code, stdout } = await new Promise((resolve, reject) => {
    const child = spawn(program, ["get"], { stdio: ["pipe", "pipe", "ignore"], timeout: timeoutMs });
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (chunk) => {
      out += chunk;
    });
    child.on("error", (err) => {
      if (err.code === "ENOENT") {
        reject(
          new BentoError(
            `Docker credential helper ${program} (named in config.json) is not on PATH: install it or remove it from config.json`
          )
        );
      } else reject(new BentoError(`Docker credential helper ${program} failed: ${err.message}`));
    });
    child.on("close", (exitCode) => resolve({ code: exitCode, stdout: out }));
    child.stdin.on("error", () => void 0);
    child.stdin.end(serverUrl);
  });
  if (code !== 0) {
    if (/not found/i.test(stdout)) return void 0;
    throw new BentoError(`Docker credential helper ${program} exited with ${code} for ${serverUrl}`);
  }
  let parsed;
  try {
    parsed = helperReplySchema.parse(JSON.parse(stdout));
  } catch {
    throw new BentoError(
      `Docker credential helper ${program} printed something other than {"Username","Secret"} JSON`
    );
  }
  if (parsed.Username === "<token>")
    return { identityToken: parsed.Secret, source: `credential helper ${helper}` };
  return { username: parsed.Username, password: parsed.Secret, source: `credential helper ${helper}` };
}

// src/oci/session.ts
var RegistrySession = class _RegistrySession {
  constructor(registry, http, auth) {
    this.registry = registry;
    this.http = http;
    this.auth = auth;
    this.baseUrl = auth.baseUrl;
  }
  registry;
  http;
  auth;
  baseUrl;
  static async open(registry, options = {}) {
    const credentials = await resolveCredentials(registry, options);
    const http = new HttpClient(options);
    const baseUrl = `${http.scheme}://${apiHost(registry)}`;
    return new _RegistrySession(
      registry,
      http,
      new Authenticator(http, registry, baseUrl, credentials, options.mask)
    );
  }
  get signal() {
    return this.http.signal;
  }
  url(path) {
    return new URL(path, this.baseUrl).toString();
  }
  /**
   * Sends `req` with authorization for `scopes`; a 401 is answered once, by the challenge's scheme.
   * A URL on another origin (an upload Location, a next page, storage) gets no credentials at all.
   */
  async request(req, scopes) {
    if (!sameOrigin(req.url, this.baseUrl)) return this.http.send(withoutAuthorization(req));
    await this.auth.prepare(scopes);
    const send = () => {
      const authorization = this.auth.authorization(scopes);
      return this.http.send({
        ...req,
        headers: { ...req.headers, ...authorization ? { authorization } : {} }
      });
    };
    let res = await send();
    for (let round = 0; res.status === 401 && round < 2; round++) {
      const sent = this.auth.authorization(scopes) !== void 0;
      await res.body.dump().catch(() => void 0);
      await this.auth.onUnauthorized(res, scopes, sent);
      res = await send();
    }
    return res;
  }
  /** Reads an error reply and throws one line naming the registry, the request and the code. */
  async fail(res, what) {
    const body = res.body;
    const raw = body.bodyUsed || body.destroyed || body.readableEnded ? "" : await readPrefix(res, MAX_ERROR_BODY_BYTES);
    const text = this.auth.scrub(raw);
    let detail = "";
    try {
      const body2 = errorBodySchema.parse(JSON.parse(text));
      const first = body2.errors?.[0];
      if (first) detail = `${first.code ?? ""}${first.message ? ` (${first.message})` : ""}`.trim();
    } catch {
      detail = text.trim().split("\n")[0]?.slice(0, 200) ?? "";
    }
    detail = this.auth.scrub(detail.replace(/[\r\n]+/g, " "));
    const suffix = detail ? `: ${detail}` : "";
    if (res.status === 404)
      throw new NotFoundError(`${what}: not found in registry ${this.registry}${suffix}`);
    if (res.status === 401)
      throw new BentoError(`${what}: registry ${this.registry} answered 401 Unauthorized${suffix}`);
    if (res.status === 403) {
      throw new BentoError(
        `${what}: registry ${this.registry} denied it (403 Forbidden${suffix}): check the credentials' rights on the repository`
      );
    }
    throw new BentoError(`${what}: registry ${this.registry} answered ${res.status}${suffix}`);
  }
  async close() {
    await this.http.close();
  }
};
function withoutAuthorization(req) {
  const headers = Object.fromEntries(
    Object.entries(req.headers ?? {}).filter(([name]) => name.toLowerCase() !== "authorization")
  );
  return { ...req, headers };
}

// src/oci/client.ts
var Repository = class _Repository {
  constructor(session, ref, push) {
    this.session = session;
    this.ref = ref;
    this.push = push;
    this.scopes = [repositoryScope(ref.repository, push)];
    this.uploader = new BlobUploader(session, ref.repository, this.scopes);
    this.downloader = new BlobDownloader(session, ref.repository, this.scopes);
  }
  session;
  ref;
  push;
  scopes;
  uploader;
  downloader;
  get name() {
    return this.ref.repository;
  }
  toString() {
    return formatReference({ registry: this.ref.registry, repository: this.ref.repository });
  }
  /** Another repository on the same registry, sharing the connection and credentials. */
  sibling(repository, push = this.push) {
    return new _Repository(this.session, { registry: this.ref.registry, repository }, push);
  }
  /** The digest a tag points at, or undefined when the tag does not exist. */
  async resolve(tag) {
    return (await this.head(tag))?.digest;
  }
  head(reference) {
    return headManifest(this.session, this.name, reference, this.scopes);
  }
  /** `size`, from the descriptor that names the manifest, caps the read (4 MiB without it). */
  getManifest(reference, size) {
    return getManifest(this.session, this.name, reference, this.scopes, size);
  }
  /** Stores a manifest under `reference` (a tag, or its own digest); returns the digest. */
  putManifest(reference, bytes, mediaType) {
    return putManifest(this.session, this.name, reference, bytes, mediaType, this.scopes);
  }
  async hasBlob(digest2) {
    return await this.uploader.exists(digest2) !== void 0;
  }
  uploadBlob(source, options = {}) {
    const mountScopes = (options.mountFrom ?? []).map((r) => repositoryScope(r, false));
    return this.uploader.upload(source, { ...options, mountScopes });
  }
  /** Uploads bytes held in memory (a config, a signature payload) and returns their descriptor. */
  async putBlob(bytes, mediaType) {
    const source = bufferSource(bytes);
    await this.uploader.upload(source);
    return { mediaType, digest: source.digest, size: source.size };
  }
  /** A small blob (a config) in memory: at most `limit` bytes, and at most `size` when its descriptor is at hand. */
  fetchBlob(digest2, limit = MAX_MANIFEST_BYTES, size) {
    return this.downloader.fetch(digest2, limit, size);
  }
  /** A blob to a file, never more than the descriptor's `size` bytes on disk. */
  downloadBlob(digest2, size, dest, options = {}) {
    return this.downloader.toFile(digest2, size, dest, options);
  }
  /**
   * Every tag of the repository, following the registry's pagination: a next page on another origin
   * is fetched without credentials, and a Link that loops or never ends stops at MAX_TAG_PAGES.
   */
  async tags() {
    const out = [];
    const seen = /* @__PURE__ */ new Set();
    let url = this.session.url(`/v2/${this.name}/tags/list?n=1000`);
    while (url) {
      if (seen.has(url) || seen.size >= MAX_TAG_PAGES) {
        throw new BentoError(
          `the tag list of ${this} ${seen.has(url) ? "links back to a page already read" : `runs past ${MAX_TAG_PAGES} pages`}: the registry's pagination is broken`
        );
      }
      seen.add(url);
      const res = await this.session.request({ method: "GET", url }, this.scopes);
      if (res.status === 404) {
        await res.body.dump().catch(() => void 0);
        return out;
      }
      if (res.status !== 200) return this.session.fail(res, `listing tags of ${this}`);
      const what = `the tag list of ${this}`;
      const text = (await readLimited(res, MAX_TAG_PAGE_BYTES, what)).toString("utf8");
      let json;
      try {
        json = JSON.parse(text);
      } catch {
        throw new BentoError(`${what} is not JSON`);
      }
      const parsed = tagListSchema.safeParse(json);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new BentoError(`${what} is not a tag list: ${issue?.path.join(".")}: ${issue?.message}`);
      }
      out.push(...parsed.data.tags ?? []);
      const link = header(res, "link");
      const next = link ? /<([^>]+)>\s*;\s*rel="?next"?/.exec(link)?.[1] : void 0;
      url = next ? followUrl(next, url, this.ref.registry, `the next page of ${what}`) : void 0;
    }
    return out;
  }
  close() {
    return this.session.close();
  }
};
async function openRepository(target, options = {}) {
  const ref = typeof target === "string" ? parseOciUrl(target) : target;
  const insecure = options.insecure || (options.home ? await isInsecureRegistry(options.home, ref.registry) : false);
  const session = await RegistrySession.open(ref.registry, { ...options, insecure });
  return new Repository(session, ref, options.push ?? false);
}

// src/registry/release-tags.ts
var import_semver = __toESM(require_semver(), 1);
var RELEASE_TAG_KINDS = ["minor", "major", "latest"];
function parseReleaseTagKinds(text) {
  if (text.trim() === "none") return [];
  const kinds = text.split(",").map((k) => k.trim()).filter(Boolean);
  for (const kind of kinds) {
    if (!RELEASE_TAG_KINDS.includes(kind)) {
      throw new UsageError(
        `invalid --release-tags "${text}": expected a comma list of minor, major, latest (or none)`
      );
    }
  }
  return [...new Set(kinds)];
}
function releaseTags(release, kinds = RELEASE_TAG_KINDS) {
  const parsed = import_semver.default.parse(release);
  if (!parsed)
    throw new UsageError(`invalid --release "${release}": expected a semantic version such as 1.4.2`);
  const prefix = release.startsWith("v") ? "v" : "";
  const exact = validateTag(
    `${prefix}${parsed.version}${parsed.build.length > 0 ? `-${parsed.build.join(".")}` : ""}`,
    "--release"
  );
  if (parsed.prerelease.length > 0) return { exact, moving: [] };
  const moving = [];
  for (const kind of kinds) {
    if (kind === "minor") moving.push(`${prefix}${parsed.major}.${parsed.minor}`);
    if (kind === "major") moving.push(`${prefix}${parsed.major}`);
    if (kind === "latest") moving.push("latest");
  }
  return { exact, moving };
}

// src/sign/oci-registry.ts
var MAX_SIGNATURE_BYTES = 4 * 1024 * 1024;
var RepositorySignatureRegistry = class {
  constructor(repository) {
    this.repository = repository;
  }
  repository;
  repo(name) {
    return name === this.repository.name ? this.repository : this.repository.sibling(name);
  }
  async getManifest(repository, reference) {
    try {
      return await this.repo(repository).getManifest(reference);
    } catch (err) {
      if (err instanceof NotFoundError) return void 0;
      throw err;
    }
  }
  async putManifest(repository, reference, mediaType, bytes) {
    const repo = this.repo(repository);
    const session = repo.session;
    const body = Buffer.from(bytes);
    const digest2 = sha256Digest(body);
    const res = await session.request(
      {
        method: "PUT",
        url: session.url(`/v2/${repository}/manifests/${reference}`),
        headers: { "content-type": mediaType, "content-length": String(body.length) },
        body: () => body
      },
      repo.scopes
    );
    if (res.status !== 201 && res.status !== 200)
      return session.fail(res, `storing manifest ${session.registry}/${repository}:${reference}`);
    await res.body.dump().catch(() => void 0);
    const told = header(res, "docker-content-digest");
    if (told?.startsWith("sha256:") && told !== digest2) {
      throw new IntegrityError(
        `registry ${session.registry} stored manifest ${repository}:${reference} as ${told}, not ${digest2}`
      );
    }
    return { digest: digest2, subjectAccepted: header(res, "oci-subject") !== void 0 };
  }
  getBlob(repository, digest2) {
    return this.repo(repository).fetchBlob(digest2, MAX_SIGNATURE_BYTES);
  }
  async putBlob(repository, bytes) {
    return (await this.repo(repository).putBlob(bytes, "application/octet-stream")).digest;
  }
  async getReferrers(repository, digest2, artifactType) {
    const repo = this.repo(repository);
    const session = repo.session;
    const query = artifactType ? `?artifactType=${encodeURIComponent(artifactType)}` : "";
    const res = await session.request(
      {
        method: "GET",
        url: session.url(`/v2/${repository}/referrers/${digest2}${query}`),
        headers: { accept: OCI_INDEX }
      },
      repo.scopes
    );
    if (res.status === 404 || res.status === 405) {
      await res.body.dump().catch(() => void 0);
      return void 0;
    }
    if (res.status !== 200) return session.fail(res, `listing referrers of ${repository}@${digest2}`);
    const bytes = await readLimited(res, MAX_SIGNATURE_BYTES, `referrers of ${repository}@${digest2}`);
    let json;
    try {
      json = JSON.parse(bytes.toString("utf8"));
    } catch {
      return void 0;
    }
    const parsed = ociIndexSchema.safeParse(json);
    if (!parsed.success)
      throw new BentoError(
        `registry ${session.registry} answered the referrers API with something that is not an OCI index`
      );
    return parsed.data;
  }
  close() {
    return this.repository.close();
  }
};
async function openSignatureRegistry(ref, flags, options = {}) {
  const repository = await openRepository(ref, {
    home: bentociHome(),
    ...options,
    ...flags.insecure ? { insecure: true } : {},
    ...flags.caFile ? { caFile: flags.caFile } : {}
  });
  return new RepositorySignatureRegistry(repository);
}

export {
  MAX_MANIFEST_BYTES,
  imageManifestSchema,
  bufferSource,
  fileSource,
  sha256Digest2 as sha256Digest,
  parseImageManifest,
  parseImageIndex,
  openRepository,
  RELEASE_TAG_KINDS,
  parseReleaseTagKinds,
  releaseTags,
  RepositorySignatureRegistry,
  openSignatureRegistry
};
