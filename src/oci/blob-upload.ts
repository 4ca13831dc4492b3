import { pipeline } from 'node:stream';
import { BentoError } from '../core/errors.js';
import { backoffMs, isRetryableError, isRetryableStatus, sleep } from '../core/retry.js';
import { type BlobSource, counting } from './blob-source.js';
import { type HttpResponse, header } from './http.js';
import { followUrl } from './origin.js';
import type { RegistrySession } from './session.js';

export interface UploadOptions {
  /** Repositories on the same registry that may hold the blob already: tried as cross-repository mounts. */
  mountFrom?: string[];
  /** Pull scopes for `mountFrom`, added to the push scope of the target. */
  mountScopes?: string[];
  /** Blobs up to this size go in one PUT; larger ones in PATCH chunks. */
  monolithicMax?: number;
  chunkSize?: number;
  /** The caller has just checked that the repository lacks the blob: skip the HEAD. */
  assumeMissing?: boolean;
  /** Bytes sent; negative when a failed attempt's bytes are taken back before resuming. */
  onBytes?: (n: number) => void;
}

export type UploadOutcome = 'exists' | 'mounted' | 'uploaded';

export const DEFAULT_MONOLITHIC_MAX = 16 * 1024 * 1024;
export const DEFAULT_CHUNK_SIZE = 64 * 1024 * 1024;

/** The byte after the last one the registry holds, from `Range: 0-<last>` (absent: nothing). */
export function offsetFromRange(range: string | undefined): number {
  const match = range ? /^(?:bytes=)?0-([0-9]+)$/.exec(range.trim()) : null;
  // Distribution answers "0-0" both for an empty upload and for one byte; an empty upload is the
  // common case (a session just opened), and a wrong guess costs one 416 and a re-query.
  if (!match || match[1] === '0') return 0;
  return Number(match[1]) + 1;
}

/**
 * Uploads one blob unless the repository has it: HEAD, then a cross-repository mount, then a
 * monolithic PUT (small) or chunked PATCHes (large) that resume from the registry's reported offset.
 */
export class BlobUploader {
  constructor(
    private readonly session: RegistrySession,
    private readonly repository: string,
    private readonly scopes: string[],
  ) {}

  private what(source: BlobSource): string {
    return `uploading blob ${source.digest.slice(0, 19)} to ${this.session.registry}/${this.repository}`;
  }

  async exists(digest: string): Promise<number | undefined> {
    const res = await this.session.request(
      { method: 'HEAD', url: this.session.url(`/v2/${this.repository}/blobs/${digest}`) },
      this.scopes,
    );
    await res.body.dump().catch(() => undefined);
    if (res.status === 200) return Number(header(res, 'content-length') ?? -1);
    if (res.status === 404) return undefined;
    return this.session.fail(res, `checking blob ${digest} in ${this.session.registry}/${this.repository}`);
  }

  async upload(source: BlobSource, options: UploadOptions = {}): Promise<UploadOutcome> {
    if (!options.assumeMissing && (await this.exists(source.digest)) !== undefined) return 'exists';
    const scopes = [...this.scopes, ...(options.mountScopes ?? [])];
    let location: string | undefined;
    for (const from of options.mountFrom ?? []) {
      if (from === this.repository) continue;
      const started = await this.mount(scopes, source.digest, from);
      if (started === 'mounted') return 'mounted';
      location = started;
      break;
    }
    location ??= await this.open(scopes);
    const monolithicMax = options.monolithicMax ?? DEFAULT_MONOLITHIC_MAX;
    if (source.size <= monolithicMax) await this.putWhole(source, location, options);
    else await this.putChunked(source, location, options);
    return 'uploaded';
  }

  /** POST: opens an upload session and returns its Location. */
  private async open(scopes: string[]): Promise<string> {
    const result = await this.post(scopes, '');
    if (result === 'mounted')
      throw new BentoError(`registry ${this.session.registry} answered 201 to a new upload`);
    return result;
  }

  /** POST with mount/from: 201 when the registry linked the blob, else 202 with a session to upload into. */
  private mount(scopes: string[], digest: string, from: string): Promise<string | 'mounted'> {
    return this.post(scopes, `?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(from)}`);
  }

  private async post(scopes: string[], query: string): Promise<string | 'mounted'> {
    const res = await this.session.request(
      {
        method: 'POST',
        url: this.session.url(`/v2/${this.repository}/blobs/uploads/${query}`),
        headers: { 'content-length': '0' },
      },
      scopes,
    );
    await res.body.dump().catch(() => undefined);
    if (query && res.status === 201) return 'mounted';
    if (res.status !== 202)
      return this.session.fail(res, `starting an upload to ${this.session.registry}/${this.repository}`);
    return this.location(res);
  }

  /**
   * The upload session's URL, relative to the reply that named it. It may be on another origin
   * (storage in front of the registry): the session then sends it no credentials.
   */
  private location(res: HttpResponse): string {
    const location = header(res, 'location');
    if (!location)
      throw new BentoError(`registry ${this.session.registry} opened an upload without a Location header`);
    return followUrl(location, res.url, this.session.registry, 'an upload location');
  }

  private finishUrl(location: string, digest: string): string {
    const url = new URL(location);
    url.searchParams.set('digest', digest);
    return url.toString();
  }

  private body(source: BlobSource, start: number, end: number, onBytes?: (n: number) => void) {
    const stream = source.open(start, end);
    if (!onBytes) return stream;
    const counter = counting(onBytes);
    pipeline(stream, counter, () => undefined);
    return counter;
  }

  /** One PUT with the whole blob; a failed attempt starts over in a new session. */
  private async putWhole(source: BlobSource, firstLocation: string, options: UploadOptions): Promise<void> {
    let location = firstLocation;
    const retry = this.session.http.retry;
    for (let attempt = 1; ; attempt++) {
      let sent = 0;
      const onBytes = (n: number) => {
        sent += n;
        options.onBytes?.(n);
      };
      try {
        const res = await this.session.request(
          {
            method: 'PUT',
            url: this.finishUrl(location, source.digest),
            headers: { 'content-type': 'application/octet-stream', 'content-length': String(source.size) },
            body: () => this.body(source, 0, source.size - 1, onBytes),
            retry: false,
          },
          this.scopes,
        );
        if (res.status === 201 || res.status === 204) {
          await res.body.dump().catch(() => undefined);
          return;
        }
        if (!isRetryableStatus(res.status) || attempt >= retry.attempts)
          return this.session.fail(res, this.what(source));
        await res.body.dump().catch(() => undefined);
      } catch (err) {
        if (!isRetryableError(err, this.session.signal) || attempt >= retry.attempts) {
          throw this.session.http.explain(err, { method: 'PUT', url: location });
        }
      }
      options.onBytes?.(-sent);
      await sleep(backoffMs(attempt, retry), this.session.signal);
      // The failed PUT may have landed after all.
      if ((await this.exists(source.digest)) !== undefined) return;
      location = await this.open(this.scopes);
    }
  }

  /**
   * PATCH chunks in order; after a failure, asks the registry how far it got (GET on the session
   * gives `Range: 0-<last>`) and continues from there, or opens a new session if the old one is gone.
   */
  private async putChunked(source: BlobSource, firstLocation: string, options: UploadOptions): Promise<void> {
    let location = firstLocation;
    let offset = 0;
    let confirmed = 0;
    const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
    const retry = this.session.http.retry;
    let failures = 0;
    while (offset < source.size) {
      const end = Math.min(offset + chunkSize, source.size) - 1;
      let sent = 0;
      const onBytes = (n: number) => {
        sent += n;
        options.onBytes?.(n);
      };
      let res: HttpResponse | undefined;
      let error: unknown;
      try {
        res = await this.session.request(
          {
            method: 'PATCH',
            url: location,
            headers: {
              'content-type': 'application/octet-stream',
              'content-length': String(end - offset + 1),
              'content-range': `${offset}-${end}`,
            },
            body: () => this.body(source, offset, end, onBytes),
            retry: false,
          },
          this.scopes,
        );
      } catch (err) {
        if (!isRetryableError(err, this.session.signal))
          throw this.session.http.explain(err, { method: 'PATCH', url: location });
        error = err;
      }
      if (res && res.status === 202) {
        await res.body.dump().catch(() => undefined);
        location = this.location(res);
        const reported = header(res, 'range');
        // The registry's word on where it stands, but never past what we sent.
        const next = Math.min(reported ? offsetFromRange(reported) : end + 1, end + 1);
        options.onBytes?.(next - offset - sent);
        // A registry that takes chunks without moving on would have us send them forever.
        if (next > offset) failures = 0;
        else if (++failures >= retry.attempts) {
          throw new BentoError(
            `${this.what(source)}: the registry took ${failures} chunks at byte ${offset} without moving past it: try again later`,
          );
        }
        offset = next;
        confirmed = offset;
        continue;
      }
      if (res && res.status !== 416 && !isRetryableStatus(res.status))
        return this.session.fail(res, this.what(source));
      await res?.body.dump().catch(() => undefined);
      failures++;
      if (failures >= retry.attempts) {
        const why = res ? `status ${res.status}` : ((error as Error)?.message ?? 'error');
        throw new BentoError(
          `${this.what(source)} failed ${failures} times at byte ${offset} (${why}): try again later`,
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
  private async status(location: string): Promise<{ location: string; offset: number } | undefined> {
    const res = await this.session.request({ method: 'GET', url: location }, this.scopes);
    await res.body.dump().catch(() => undefined);
    if (res.status === 204 || res.status === 202 || res.status === 200) {
      return {
        location: header(res, 'location') ? this.location(res) : location,
        offset: offsetFromRange(header(res, 'range')),
      };
    }
    if (res.status === 404) return undefined;
    return this.session.fail(res, `reading the upload status at ${this.session.registry}/${this.repository}`);
  }

  private async finish(source: BlobSource, location: string): Promise<void> {
    const res = await this.session.request(
      { method: 'PUT', url: this.finishUrl(location, source.digest), headers: { 'content-length': '0' } },
      this.scopes,
    );
    await (res.status === 201 || res.status === 204 ? res.body.dump().catch(() => undefined) : undefined);
    if (res.status === 201 || res.status === 204) return;
    // A retried PUT can find the session already closed because the first one landed.
    if ((await this.exists(source.digest)) !== undefined) return;
    return this.session.fail(res, this.what(source));
  }
}
