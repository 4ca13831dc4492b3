import { randomBytes } from 'node:crypto';
import { TAG_PART, TAG_PART_MAX } from '../shared/schemas.js';
import { invalidValue, noun, type ValueName } from './invalid-value.js';

/**
 * Our tags, `name:version`: each part follows BentoML's rule (TAG_PART in src/shared/schemas.ts,
 * which the stored files are read with). Registry tags follow the OCI rule in src/oci/reference.ts.
 */
export const LATEST = 'latest';

export interface Tag {
  name: string;
  /** `latest` until resolved through a store. */
  version: string;
}

/** Why `part` is not a valid tag part, or undefined when it is. */
function partProblem(part: string, what: 'name' | 'version'): string | undefined {
  if (part.length === 0) return `the ${what} is empty`;
  if (part.length > TAG_PART_MAX)
    return `the ${what} is ${part.length} characters long (at most ${TAG_PART_MAX})`;
  if (/[A-Z]/.test(part)) return `the ${what} has upper-case letters (use lower case)`;
  if (!TAG_PART.test(part)) {
    return `the ${what} "${part}" must be lower-case letters, digits, '-', '_' or '.', starting and ending with a letter or digit`;
  }
  return undefined;
}

/** Checks one part; `name` is the option that set it (its key) or a noun (src/core/invalid-value.ts). */
export function validateTagPart(
  part: string,
  what: 'name' | 'version',
  name: ValueName = noun('tag'),
): string {
  const problem = partProblem(part, what);
  if (problem) throw invalidValue(name, part, problem);
  return part;
}

/** Parses `name[:version]`; `name` alone means `name:latest`. */
export function parseTag(text: string, name: ValueName = noun('tag')): Tag {
  const parts = text.split(':');
  if (parts.length > 2) throw invalidValue(name, text, "expected name[:version] with one ':'");
  const [tagName = '', version = LATEST] = parts;
  for (const [part, what] of [
    [tagName, 'name'],
    [version, 'version'],
  ] as const) {
    const problem = partProblem(part, what);
    if (problem) throw invalidValue(name, text, problem);
  }
  return { name: tagName, version };
}

export function formatTag(tag: Tag): string {
  return `${tag.name}:${tag.version}`;
}

const BASE32 = '0123456789abcdefghjkmnpqrstvwxyz'; // Crockford: no i, l, o, u

let lastTime = 0;
let lastRandom = 0n;

/**
 * A new version: 16 base32 characters, the first 9 a millisecond timestamp (sortable until the year
 * 3084) and the last 7 random (35 bits). Within one process, versions made in the same millisecond
 * count up from the last random value, so they stay sorted too; across processes the randomness keeps
 * them distinct.
 */
export function newVersion(now = Date.now()): string {
  const fresh = () => BigInt(`0x${randomBytes(5).toString('hex')}`) >> 5n;
  let random: bigint;
  if (now <= lastTime) {
    now = lastTime;
    random = lastRandom + 1n;
    // Counting up ran past 35 bits: take the next millisecond instead of wrapping to a smaller value.
    if (random >= 1n << 35n) {
      now = lastTime + 1;
      random = fresh();
    }
  } else {
    random = fresh();
  }
  lastTime = now;
  lastRandom = random;
  return encodeBase32(BigInt(now), 9) + encodeBase32(random, 7);
}

function encodeBase32(value: bigint, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) {
    out = BASE32[Number(value & 31n)] + out;
    value >>= 5n;
  }
  return out;
}
