/** The one set of sha256 digest helpers (src/core/sha256.ts) the stores, archives and OCI code share. */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { digestHex, digestOf, isSha256Digest, sha256Digest } from '../../../src/core/sha256.js';
import { sha256Digest as ociSha256Digest } from '../../../src/oci/manifests.js';
import { isDigest } from '../../../src/oci/reference.js';
import { digestSchema } from '../../../src/shared/schemas.js';

const EMPTY = 'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

describe('sha256 digests', () => {
  it('digests bytes, strings and a streamed hash alike', () => {
    expect(sha256Digest(Buffer.alloc(0))).toBe(EMPTY);
    expect(sha256Digest('')).toBe(EMPTY);
    expect(digestOf(createHash('sha256').update('abc'))).toBe(sha256Digest('abc'));
    expect(ociSha256Digest).toBe(sha256Digest);
  });

  it('accepts only sha256 with 64 lowercase hex digits, as every reader does', () => {
    const bad = [
      'sha256:ABC',
      `sha256:${'A'.repeat(64)}`,
      `sha512:${'a'.repeat(64)}`,
      'a'.repeat(64),
      `${EMPTY}0`,
    ];
    for (const text of [EMPTY, ...bad]) {
      const ok = text === EMPTY;
      expect(isSha256Digest(text), text).toBe(ok);
      expect(isDigest(text), text).toBe(ok);
      expect(digestSchema.safeParse(text).success, text).toBe(ok);
    }
  });

  it('gives the hex of a digest', () => {
    expect(digestHex(EMPTY)).toBe(EMPTY.slice('sha256:'.length));
  });
});
