import { createHash, type Hash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat, truncate } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BentoError, IntegrityError } from '../core/errors.js';
import {
  backoffMs,
  HttpStatusError,
  isRetryableError,
  isRetryableStatus,
  isTransient,
  sleep,
} from '../core/retry.js';
import { digestHex, isSha256Digest } from '../core/sha256.js';
import { type HttpResponse, header } from './http.js';
import { readLimited } from './limits.js';
import { followUrl } from './origin.js';
import type { RegistrySession } from './session.js';

export interface DownloadOptions {
  /** Where partial bytes live between attempts (and between runs): the download resumes from its end. */
  partPath?: string;
  onBytes?: (n: number) => void;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** A reply longer than its descriptor: never retried, its partial bytes are dropped. */
class OversizeError extends IntegrityError {}

/** Hex of a `sha256:` digest; other algorithms cannot be verified here, so they are refused. */
function sha256Hex(digest: string): string {
  if (!isSha256Digest(digest))
    throw new BentoError(`blob digest "${digest}" is not sha256: cannot verify it`);
  return digestHex(digest);
}

/** Reads blobs: small ones into memory, large ones to a file with ranged, resumable, verified GETs. */
export class BlobDownloader {
  constructor(
    private readonly session: RegistrySession,
    private readonly repository: string,
    private readonly scopes: string[],
  ) {}

  private what(digest: string): string {
    return `blob ${digest} of ${this.session.registry}/${this.repository}`;
  }

  /**
   * GET of the blob, following a registry's redirect to storage: the session sends our credentials
   * only while the URL stays on the registry's origin (scheme, host and port).
   */
  private async get(digest: string, from: number): Promise<HttpResponse> {
    const headers: Record<string, string> = from > 0 ? { range: `bytes=${from}-` } : {};
    let res = await this.session.request(
      {
        method: 'GET',
        url: this.session.url(`/v2/${this.repository}/blobs/${digest}`),
        headers,
        retry: false,
      },
      this.scopes,
    );
    for (let hop = 0; REDIRECTS.has(res.status) && hop < 5; hop++) {
      const location = header(res, 'location');
      await res.body.dump().catch(() => undefined);
      if (!location)
        throw new BentoError(
          `registry ${this.session.registry} redirected ${this.what(digest)} without a Location`,
        );
      const url = followUrl(location, res.url, this.session.registry, `the redirect of ${this.what(digest)}`);
      res = await this.session.request({ method: 'GET', url, headers, retry: false }, this.scopes);
    }
    return res;
  }

  /** A small blob (config) in memory, verified; `size` (its descriptor's), when known, caps the read. */
  async fetch(digest: string, limit: number, size?: number): Promise<Buffer> {
    const hex = sha256Hex(digest);
    if (size !== undefined && size > limit) {
      throw new BentoError(
        `${this.what(digest)} is described as ${size} bytes, over the limit of ${limit}: refusing to read it`,
      );
    }
    const retry = this.session.http.retry;
    for (let attempt = 1; ; attempt++) {
      try {
        const res = await this.get(digest, 0);
        if (res.status !== 200) {
          if (isRetryableStatus(res.status) && attempt < retry.attempts) {
            await res.body.dump().catch(() => undefined);
            await sleep(backoffMs(attempt, retry, header(res, 'retry-after')), this.session.signal);
            continue;
          }
          return this.session.fail(res, `reading ${this.what(digest)}`);
        }
        const bytes = await readLimited(res, size ?? limit, this.what(digest));
        const actual = createHash('sha256').update(bytes).digest('hex');
        if (actual !== hex) throw this.mismatch(digest, actual);
        return bytes;
      } catch (err) {
        if (attempt < retry.attempts && isRetryableError(err, this.session.signal)) {
          await sleep(backoffMs(attempt, retry), this.session.signal);
          continue;
        }
        throw err instanceof BentoError
          ? err
          : this.session.http.explain(err, {
              method: 'GET',
              url: this.session.url(`/v2/${this.repository}/blobs/${digest}`),
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
  async toFile(digest: string, size: number, dest: string, options: DownloadOptions = {}): Promise<void> {
    const hex = sha256Hex(digest);
    const part = options.partPath ?? `${dest}.part`;
    await mkdir(dirname(part), { recursive: true });
    const retry = this.session.http.retry;
    let failures = 0;
    let restarted = false;
    for (;;) {
      const state = await resumeState(part, size);
      let hash = state.hash;
      const have = state.have;
      if (have > 0) options.onBytes?.(have);
      let counted = have;
      try {
        if (have === size) {
          // A previous run fetched everything but died before the rename.
        } else {
          const res = await this.get(digest, have);
          let append = have > 0;
          if (res.status === 200 && have > 0) {
            // The server ignored the Range: start over.
            options.onBytes?.(-have);
            counted = 0;
            append = false;
            hash = createHash('sha256');
          } else if (res.status === 206) {
            const range = header(res, 'content-range');
            const start = range ? Number(/bytes\s+([0-9]+)-/.exec(range)?.[1]) : Number.NaN;
            if (start !== have)
              throw new BentoError(
                `registry ${this.session.registry} answered range "${range}" for bytes=${have}-`,
              );
          } else if (res.status !== 200) {
            if (isRetryableStatus(res.status) && failures + 1 < retry.attempts) {
              // Retried like a reset, from the bytes already on disk.
              await res.body.dump().catch(() => undefined);
              throw new HttpStatusError(res.status, `status ${res.status}`, header(res, 'retry-after'));
            }
            return this.session.fail(res, `reading ${this.what(digest)}`);
          }
          const declared = Number(header(res, 'content-length'));
          if (Number.isFinite(declared) && counted + declared > size) {
            res.body.destroy();
            throw this.oversize(digest, size, `its reply declares ${counted + declared}`);
          }
          const cutOff = this.oversize(digest, size, `cut off at byte ${size + 1}`);
          const hashing = new Transform({
            transform(chunk: Buffer, _encoding, callback) {
              // Stop at the first byte past the descriptor's size, before it reaches the disk.
              if (counted + chunk.length > size) return callback(cutOff);
              hash.update(chunk);
              counted += chunk.length;
              options.onBytes?.(chunk.length);
              callback(null, chunk);
            },
          });
          await pipeline(res.body, hashing, createWriteStream(part, { flags: append ? 'a' : 'w' }));
        }
        const actual = hash.digest('hex');
        if (actual !== hex) {
          await rm(part, { force: true });
          // Bytes kept from an earlier attempt may be what is wrong: fetch the whole blob once more.
          if (have > 0 && !restarted) {
            restarted = true;
            options.onBytes?.(-counted);
            continue;
          }
          throw this.mismatch(digest, actual);
        }
        await rename(part, dest);
        return;
      } catch (err) {
        if (err instanceof OversizeError) {
          // What came is not what was described: none of it is worth resuming from.
          options.onBytes?.(-counted);
          await rm(part, { force: true });
          throw err;
        }
        failures++;
        if (failures < retry.attempts && isTransient(err, this.session.signal)) {
          options.onBytes?.(-counted);
          const retryAfter = err instanceof HttpStatusError ? err.retryAfter : undefined;
          await sleep(backoffMs(failures, retry, retryAfter), this.session.signal);
          continue;
        }
        if (err instanceof BentoError) throw err;
        throw this.session.http.explain(err, {
          method: 'GET',
          url: this.session.url(`/v2/${this.repository}/blobs/${digest}`),
        });
      }
    }
  }

  private oversize(digest: string, size: number, detail: string): OversizeError {
    return new OversizeError(
      `${this.what(digest)} is longer than the ${size} bytes its descriptor says (${detail}): nothing was kept; the registry's copy or its manifest is wrong`,
    );
  }

  private mismatch(digest: string, actual: string): IntegrityError {
    return new IntegrityError(
      `${this.what(digest)} does not match its digest (got sha256:${actual}): the registry's copy is damaged; nothing was imported`,
    );
  }
}

/** The hash of the bytes already in `part` (re-read from disk, so it is exactly what was written). */
async function resumeState(part: string, size: number): Promise<{ hash: Hash; have: number }> {
  let have = (await stat(part).catch(() => undefined))?.size ?? 0;
  if (have > size) {
    await truncate(part, 0);
    have = 0;
  }
  const hash = createHash('sha256');
  if (have > 0)
    for await (const chunk of createReadStream(part, { highWaterMark: 1 << 20 }))
      hash.update(chunk as Buffer);
  return { hash, have };
}
