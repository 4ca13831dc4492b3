/**
 * How much of a registry's reply we read. A reply is the registry's to choose, so every body we
 * buffer has a cap: a hostile or broken registry can fail a pull, never fill the memory or the disk.
 */
import { BentoError } from '../core/errors.js';
import { type HttpResponse, header } from './http.js';

/** Manifests, indexes and configs fetched without a known size (containerd's cap for the same). */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
/** A token reply is a JWT or an opaque string in a small JSON object. */
export const MAX_TOKEN_REPLY_BYTES = 1024 * 1024;
/** Of an error reply we quote one line; the rest is read no further. */
export const MAX_ERROR_BODY_BYTES = 64 * 1024;
/** One page of a tag list. */
export const MAX_TAG_PAGE_BYTES = 16 * 1024 * 1024;
/** Pages of a tag list followed before giving up (a Link that loops would never end). */
export const MAX_TAG_PAGES = 1000;

/**
 * The whole body, refused once it passes `limit` bytes (before reading anything when Content-Length
 * already says so); the connection is dropped rather than drained.
 */
export async function readLimited(res: HttpResponse, limit: number, what: string): Promise<Buffer> {
  const declared = Number(header(res, 'content-length'));
  if (Number.isFinite(declared) && declared > limit) {
    res.body.destroy();
    throw new BentoError(`${what} is ${declared} bytes, over the limit of ${limit}: refusing to read it`);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of res.body) {
    total += (chunk as Buffer).length;
    if (total > limit) {
      res.body.destroy();
      throw new BentoError(`${what} is larger than ${limit} bytes: refusing to read it`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** At most the first `limit` bytes of the body as text; the rest is not read. */
export async function readPrefix(res: HttpResponse, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of res.body) {
      const buffer = chunk as Buffer;
      chunks.push(buffer.subarray(0, Math.max(0, limit - total)));
      total += buffer.length;
      if (total >= limit) break;
    }
  } catch {
    // A reply cut short still says what it managed to say.
  } finally {
    res.body.destroy();
  }
  return Buffer.concat(chunks).toString('utf8');
}
