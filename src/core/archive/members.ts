/**
 * The pieces of import that look at one thing at a time: the manifest member, a content member on
 * its way to disk, and the entry (if any) already stored under the archive's tag.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { BentoError, IntegrityError, UsageError } from '../errors.js';
import { exists } from '../files.js';
import type { EntryInfo, EntryStore, StoredEntry } from '../store.js';
import { LATEST, parseTag, type Tag } from '../tag.js';
import { operation, say } from '../user-text.js';
import {
  type ArchiveManifest,
  archiveManifestSchema,
  importOperation,
  LEGACY_FORMAT_VERSION,
  MANIFEST_NAME,
  MAX_MANIFEST_BYTES,
} from './format.js';
import { assertSafePath } from './safety.js';

const KINDS = ['model', 'bento'];

export async function readManifest(
  member: AsyncIterable<unknown> & { header: { size: number } },
  label: string,
): Promise<ArchiveManifest> {
  if (member.header.size > MAX_MANIFEST_BYTES) {
    throw new BentoError(
      `archive "${label}": ${MANIFEST_NAME} is ${member.header.size} bytes, more than a manifest can be`,
    );
  }
  const chunks: Buffer[] = [];
  for await (const chunk of member) chunks.push(chunk as Buffer);
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (err) {
    throw new BentoError(
      `archive "${label}": ${MANIFEST_NAME} is not valid JSON (${(err as Error).message})`,
    );
  }
  const parsed = archiveManifestSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new BentoError(
      `archive "${label}": ${MANIFEST_NAME} is not a bentoci archive manifest: ${issue?.path.join('.') || '(root)'}: ${issue?.message}`,
    );
  }
  return parsed.data;
}

/** Checks the manifest against itself and this store before any member is written. */
export function checkManifest<I extends EntryInfo>(
  manifest: ArchiveManifest,
  store: EntryStore<I>,
  label: string,
): ArchiveManifest {
  const { noun, folder, infoFile } = store.kind;
  if (manifest.kind !== noun) {
    const hint = KINDS.includes(manifest.kind)
      ? say`import it with ${operation(importOperation(manifest.kind))}`
      : 'bentoci imports models and bentos only';
    throw new UsageError(say`archive "${label}" holds a ${manifest.kind}, not a ${noun} (${hint})`);
  }
  parseTag(manifest.tag, { noun: `tag in archive "${label}"` });
  if (manifest.tag.endsWith(`:${LATEST}`)) {
    throw new BentoError(
      `archive "${label}" names version "${LATEST}", which is reserved for the latest pointer; refusing to import it`,
    );
  }
  if (manifest.info_file !== infoFile) {
    throw new BentoError(
      `archive "${label}": its manifest names info file "${manifest.info_file}", expected ${infoFile} for ${folder}`,
    );
  }
  const paths = new Set<string>();
  for (const file of manifest.files) {
    assertSafePath(file.path, 'manifest path', label);
    if (paths.has(file.path))
      throw new BentoError(`archive "${label}": its manifest lists "${file.path}" twice`);
    paths.add(file.path);
  }
  if (!paths.has(infoFile))
    throw new BentoError(`archive "${label}": its manifest does not list ${infoFile}`);
  // The digest covers the info file's content too: the store's commit checks it once that has arrived.
  if (manifest.format_version === LEGACY_FORMAT_VERSION) {
    const again = noun === 'model' ? 'saved' : 'built';
    throw new IntegrityError(
      `archive "${label}" was written by an earlier bentoci (archive format ${LEGACY_FORMAT_VERSION}), whose digest covers the files but not ${infoFile}; refusing it: export it again from a store where it was ${again} with this bentoci`,
    );
  }
  if (manifest.files.reduce((sum, f) => sum + f.size, 0) !== manifest.size) {
    throw new IntegrityError(`archive "${label}": its manifest's size does not add up`);
  }
  return manifest;
}

export type ExistingState<I extends EntryInfo> =
  | { state: 'absent' }
  | { state: 'identical'; entry: StoredEntry<I> }
  | { state: 'different'; digest: string }
  | { state: 'damaged'; problem: string };

/** What the store holds under exactly `tag` (no prefix matching), compared with `digest`. */
export async function existingState<I extends EntryInfo>(
  store: EntryStore<I>,
  tag: Tag,
  digest: string,
): Promise<ExistingState<I>> {
  const dir = store.dirOf(tag);
  if (!(await exists(dir))) return { state: 'absent' };
  let info: I;
  try {
    info = await store.readInfo(dir, tag);
  } catch (err) {
    return { state: 'damaged', problem: (err as Error).message };
  }
  if (info.digest !== digest) return { state: 'different', digest: info.digest };
  const entry = { tag, dir, info };
  const problems = await store.verify(entry);
  if (problems.length > 0)
    return { state: 'damaged', problem: problems.map((p) => `${p.path} ${p.problem}`).join(', ') };
  return { state: 'identical', entry };
}

export interface MemberDigest {
  sha256: string;
  size: number;
  /** The member's bytes, when asked to keep them. */
  bytes?: Buffer;
}

/**
 * Streams one member to a new file (never over an existing one), hashing on the way, and stops as
 * soon as it grows past `declared` bytes: nothing is ever written beyond what the manifest declared.
 */
export async function writeMember(
  member: AsyncIterable<unknown>,
  path: string,
  declared: { size: number; name: string },
): Promise<MemberDigest> {
  await mkdir(dirname(path), { recursive: true });
  const counted = counter(declared);
  await pipeline(counted.chunks(member), createWriteStream(path, { flags: 'wx', highWaterMark: 1 << 20 }));
  return counted.result();
}

/**
 * Reads and hashes one member without writing it (an archive of an entry already stored is still
 * checked); `keep` returns its bytes too, for an info file, which is small or not an info file.
 */
export async function hashMember(
  member: AsyncIterable<unknown>,
  declared: { size: number; name: string },
  keep = false,
): Promise<MemberDigest> {
  if (keep && declared.size > MAX_MANIFEST_BYTES)
    throw new IntegrityError(`${declared.name} is ${declared.size} bytes, more than an info file can be`);
  const counted = counter(declared);
  const kept: Buffer[] = [];
  for await (const bytes of counted.chunks(member)) if (keep) kept.push(bytes);
  return keep ? { ...counted.result(), bytes: Buffer.concat(kept) } : counted.result();
}

function counter(declared: { size: number; name: string }) {
  const hash = createHash('sha256');
  let size = 0;
  return {
    chunks: async function* (member: AsyncIterable<unknown>): AsyncGenerator<Buffer> {
      for await (const chunk of member) {
        const bytes = chunk as Buffer;
        size += bytes.length;
        if (size > declared.size)
          throw new IntegrityError(
            `${declared.name} holds more than the ${declared.size} bytes its manifest declares; refusing to write more`,
          );
        hash.update(bytes);
        yield bytes;
      }
    },
    result: (): MemberDigest => ({ sha256: hash.digest('hex'), size }),
  };
}
