/**
 * The content digest of a stored entry: one sha256 that identifies everything a consumer of the entry
 * obeys, its files and its metadata (model.yaml / bento.yaml). docs/archive-format.md describes it.
 *
 *   sha256 over the lines "<sha256>  <path>\n", sorted by path, of
 *     - every content file (the entry's files but the info file and .signatures/), its bytes' sha256;
 *     - the info file, the sha256 of its canonical form: the info as the schema reads it, without
 *       `digest` and `files` (covered by the lines above), as JSON with keys sorted at every level.
 *
 * The content-file lines alone are what bentoci 0.1 took as the digest ("format 1"); an entry whose
 * recorded digest is that older one carries metadata nothing vouches for (see `isLegacyDigest`).
 * Signatures stay outside: they sign this digest (and the same files), they are not part of it.
 */
import { createHash } from 'node:crypto';
import type { FileEntry } from '../shared/schemas.js';
import { manifestDigest } from './files.js';
import { sha256Digest } from './sha256.js';

/** The version of the digest definition above; archives written with it carry `format_version` 2. */
export const DIGEST_FORMAT = 2;

/** JSON with object keys sorted at every level (undefined values dropped): one string per value. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    const record = value as Record<string, unknown>;
    return Object.fromEntries(
      Object.keys(record)
        .sort()
        .filter((k) => record[k] !== undefined)
        .map((k) => [k, sortKeys(record[k])]),
    );
  }
  return value;
}

interface DigestedInfo {
  files: readonly FileEntry[];
  digest?: string | undefined;
}

/** The info's canonical form (see above): everything but `digest` and `files`, keys sorted. */
export function canonicalMetadata(info: DigestedInfo): string {
  const { digest: _digest, files: _files, ...metadata } = info as DigestedInfo & Record<string, unknown>;
  return canonicalJson(metadata);
}

/** The entry digest of `info` (schema-parsed), whose info file is named `infoFile`. */
export function entryDigest(infoFile: string, info: DigestedInfo): string {
  const metadata = createHash('sha256').update(canonicalMetadata(info)).digest('hex');
  const lines = [
    ...info.files.map((f) => ({ path: f.path, sha256: f.sha256 })),
    { path: infoFile, sha256: metadata },
  ]
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    .map((l) => `${l.sha256}  ${l.path}\n`)
    .join('');
  return sha256Digest(lines);
}

/**
 * Whether `info` records the format-1 digest (over the content files only). That digest does not
 * cover the info file, so such an entry's metadata is not vouched for by anything and is refused
 * until it is saved, built, imported or pulled again from a copy written with format 2.
 */
export function isLegacyDigest(info: { files: readonly FileEntry[]; digest: string }): boolean {
  return info.digest === manifestDigest(info.files);
}
