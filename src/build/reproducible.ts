/**
 * Reproducible builds (https://reproducible-builds.org/specs/source-date-epoch/): with
 * SOURCE_DATE_EPOCH set, the creation time is that instant and the version is derived from it and the
 * content, so the same inputs give the same tag as well as the same digest, on any machine.
 */
import { createHash } from 'node:crypto';
import { UsageError } from '../core/errors.js';

/** git's command for the last commit's time in seconds (its flag, not ours). */
const LAST_COMMIT_TIME = 'git log -1 --format=%ct';

export function parseSourceDateEpoch(value: string | undefined): Date | undefined {
  if (value === undefined || value === '') return undefined;
  const seconds = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(seconds) || seconds * 1000 > 8.64e15) {
    throw new UsageError(
      `invalid SOURCE_DATE_EPOCH "${value}": expected whole seconds since 1970-01-01 UTC (e.g. $(${LAST_COMMIT_TIME}))`,
    );
  }
  return new Date(seconds * 1000);
}

const BASE32 = '0123456789abcdefghjkmnpqrstvwxyz'; // Crockford, as src/core/tag.ts

function base32(value: bigint, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) {
    out = BASE32[Number(value & 31n)] + out;
    value >>= 5n;
  }
  return out;
}

/**
 * A version shaped like generated ones (9 characters of millisecond time, 7 more), so it sorts among
 * them by time; the last 7 come from `identity` (content digest and metadata) instead of randomness.
 */
export function derivedVersion(time: Date, identity: string): string {
  const hash = createHash('sha256').update(identity).digest();
  const tail = BigInt(`0x${hash.subarray(0, 5).toString('hex')}`) >> 5n;
  return base32(BigInt(time.getTime()), 9) + base32(tail, 7);
}
