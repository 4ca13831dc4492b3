/**
 * sha256 digests as OCI, the stores and the archives write them: `sha256:<64 lowercase hex>`. The
 * rule itself is SHA256_DIGEST in src/shared/schemas.ts (the runtime reads stored files with it).
 */
import { createHash, type Hash } from 'node:crypto';
import { SHA256_DIGEST } from '../shared/schemas.js';

const PREFIX = 'sha256:';

/** The digest of `bytes`. */
export function sha256Digest(bytes: Uint8Array | string): string {
  return digestOf(createHash('sha256').update(bytes));
}

/** The digest of a sha256 hash fed as the bytes streamed by (it is finished here). */
export function digestOf(hash: Hash): string {
  return `${PREFIX}${hash.digest('hex')}`;
}

export function isSha256Digest(text: string): boolean {
  return SHA256_DIGEST.test(text);
}

/** The hex of a digest already checked to be sha256 (a file's recorded sha256, a blob's name on disk). */
export function digestHex(digest: string): string {
  return digest.startsWith(PREFIX) ? digest.slice(PREFIX.length) : digest;
}
