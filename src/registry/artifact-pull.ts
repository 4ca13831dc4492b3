import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar-stream';
import { BentoError, IntegrityError, UsageError } from '../core/errors.js';
import { removeQuietly } from '../core/files.js';
import { noun } from '../core/invalid-value.js';
import { progress } from '../core/progress.js';
import { isSha256Digest } from '../core/sha256.js';
import type { EntryInfo, EntryStore } from '../core/store.js';
import { formatTag, parseTag, type Tag } from '../core/tag.js';
import { option, say } from '../core/user-text.js';
import { openRepository, type Repository } from '../oci/client.js';
import { parseImageManifest } from '../oci/manifests.js';
import { linkedController, mapLimit } from '../oci/pool.js';
import { formatReference, type Reference } from '../oci/reference.js';
import type { Descriptor } from '../oci/schemas.js';
import type { FileEntry } from '../shared/schemas.js';
import type { ArtifactKind } from './artifact-kinds.js';
import { type ReadArtifact, readArtifact } from './artifact-read.js';
import { partialSlot } from './partial.js';
import { safeEntryPath } from './safe-path.js';
import { DEFAULT_PARALLEL, type TransferOptions } from './transfer.js';

export interface PullOptions extends TransferOptions {
  /** Replace a present version that differs (or re-fetch an identical one). */
  force?: boolean;
}

export interface PullResult {
  kind: 'model' | 'bento';
  tag: string;
  reference: string;
  /** Manifest digest. */
  digest: string;
  /** Digest of the entry (over its files and metadata, src/core/digest.ts). */
  contentDigest: string;
  /** True when the store already held this exact entry. */
  unchanged: boolean;
  bytes: number;
}

/** The registry reference to read: the digest or tag of the `from` reference, else the version of TAG. */
function targetOf(source: Reference, tag: Tag | undefined, noun: string): string {
  const target = source.digest ?? source.tag ?? tag?.version;
  if (!target) {
    throw new UsageError(
      say`name the ${noun} to pull: pass name:version, or a tag in ${option('from')} (oci://host/repo:tag)`,
    );
  }
  return target;
}

/** Same paths, digests and sizes: what the registry sent is what the entry's manifest says. */
function sameFiles(a: readonly FileEntry[], b: readonly FileEntry[]): boolean {
  if (a.length !== b.length) return false;
  const byPath = new Map(b.map((f) => [f.path, f]));
  return a.every((f) => {
    const other = byPath.get(f.path);
    return other !== undefined && other.sha256 === f.sha256 && other.size === f.size;
  });
}

/**
 * Pulls a model or bento artifact into the store: every blob is verified against its digest while
 * it streams, the files against the entry's manifest, and the entry appears only by the store's
 * atomic commit. A present identical version is left alone.
 */
export async function pullEntry<I extends EntryInfo>(
  kind: ArtifactKind<I>,
  store: EntryStore<I>,
  tagText: string | undefined,
  source: Reference,
  options: PullOptions,
): Promise<PullResult> {
  const wanted = tagText ? parseTag(tagText, noun(`${kind.noun} tag`)) : undefined;
  const target = targetOf(source, wanted, kind.noun);
  const controller = linkedController(options.signal);
  const repo = await openRepository(source, { ...options, push: false, signal: controller.signal });
  const isDigestRef = isSha256Digest(target);
  const reference = formatReference({
    registry: source.registry,
    repository: source.repository,
    ...(isDigestRef ? { digest: target } : { tag: target }),
  });
  const log = options.log ?? (() => undefined);
  try {
    const fetched = await repo.getManifest(target);
    const manifest = parseImageManifest(fetched, reference);
    const read = await readArtifact(kind, repo, manifest, reference);
    const info = read.info;
    const tag = { name: info.name, version: info.version };
    if (wanted && wanted.name !== info.name) {
      throw new UsageError(`${reference} holds ${kind.noun} ${formatTag(tag)}, not "${wanted.name}"`);
    }
    const result = (unchanged: boolean, bytes: number): PullResult => ({
      kind: kind.noun,
      tag: formatTag(tag),
      reference,
      digest: fetched.digest,
      contentDigest: info.digest,
      unchanged,
      bytes,
    });
    const present = await store.find(tag);
    if (present && !options.force) {
      if (present.info.digest === info.digest) {
        log(`${kind.noun} ${formatTag(tag)} is already in the store (${info.digest}): nothing to pull`);
        return result(true, 0);
      }
      throw new UsageError(
        say`${kind.noun} ${formatTag(tag)} is in the store with different content (${present.info.digest}, the registry has ${info.digest}); pass ${option('force')} to replace it`,
      );
    }
    const bytes = await downloadInto(kind, store, repo, read, reference, options, controller);
    log(`pulled ${kind.noun} ${formatTag(tag)} from ${reference} (${fetched.digest})`);
    return result(false, bytes);
  } catch (err) {
    if (err instanceof BentoError || !(err instanceof Error)) throw err;
    throw new BentoError(`pulling ${kind.noun} from ${reference} failed: ${err.message}`, { cause: err });
  } finally {
    await repo.close();
  }
}

async function downloadInto<I extends EntryInfo>(
  kind: ArtifactKind<I>,
  store: EntryStore<I>,
  repo: Repository,
  read: ReadArtifact<I>,
  reference: string,
  options: PullOptions,
  controller: AbortController,
): Promise<number> {
  const { info } = read;
  const tag = { name: info.name, version: info.version };
  // The info-file layer is not written: the store's commit writes the same bytes from the info.
  const downloads: Download[] = [...read.files, ...read.tars.map((layer) => ({ layer }))];
  const total = downloads.reduce((s, d) => s + d.layer.size, 0);
  const bar = progress(`pulling ${kind.noun} ${formatTag(tag)}`, total, options.log);
  const staged = await store.stage();
  try {
    await mapLimit(
      downloads,
      options.parallel ?? DEFAULT_PARALLEL,
      (download) =>
        fetchLayer(repo, download, staged, store.isContent, reference, options, (n) => bar.add(n)),
      controller,
    );
    bar.done();
  } catch (err) {
    await removeQuietly(staged);
    throw err;
  }
  const latest = await store.find(tag.name);
  await store.commit(
    staged,
    tag,
    (content) => {
      if (!sameFiles(content.files, info.files)) {
        throw new IntegrityError(
          `${reference}: the pulled files differ from the ${kind.noun}'s manifest; nothing was imported`,
        );
      }
      return { ...info, ...content };
    },
    {
      force: options.force ?? false,
      moveLatest: !latest || latest.info.creation_time <= info.creation_time,
      // The store takes the digest again over what it writes, and checks the paths the metadata names.
      expectDigest: info.digest,
      source: reference,
    },
  );
  return total;
}

/** A content-file layer (`path` set) or a tar of content files. */
interface Download {
  layer: Descriptor;
  path?: string;
}

async function fetchLayer(
  repo: Repository,
  { layer, path }: Download,
  staged: string,
  isContent: (rel: string) => boolean,
  reference: string,
  options: PullOptions,
  onBytes: (n: number) => void,
): Promise<void> {
  const slot = await partialSlot(options.home, layer.digest);
  try {
    if (path !== undefined) {
      const dest = join(staged, path);
      await mkdir(dirname(dest), { recursive: true });
      await repo.downloadBlob(layer.digest, layer.size, dest, { partPath: slot.path, onBytes });
      return;
    }
    const tarPath = `${slot.path}.tar`;
    await repo.downloadBlob(layer.digest, layer.size, tarPath, { partPath: slot.path, onBytes });
    try {
      await extractFiles(tarPath, staged, isContent, `${reference} layer ${layer.digest}`);
    } finally {
      await rm(tarPath, { force: true });
    }
  } finally {
    await slot.release();
  }
}

/** Unpacks a files tar: regular files only, each path checked to stay inside the entry. */
async function extractFiles(
  tarPath: string,
  dir: string,
  isContent: (rel: string) => boolean,
  what: string,
): Promise<void> {
  const extract = tar.extract();
  const done = (async () => {
    for await (const entry of extract) {
      const name = entry.header.name.replace(/\/+$/, '');
      if (entry.header.type === 'directory') {
        entry.resume();
        continue;
      }
      if (entry.header.type !== 'file')
        throw new BentoError(`${what} holds ${entry.header.type} "${name}": only regular files are allowed`);
      const path = safeEntryPath(name, what);
      if (!isContent(path)) throw new BentoError(`${what} holds "${path}", which is not a content file`);
      const dest = join(dir, path);
      await mkdir(dirname(dest), { recursive: true });
      await pipeline(entry, createWriteStream(dest, { flags: 'wx' }));
    }
  })();
  await Promise.all([pipeline(createReadStream(tarPath), extract), done]);
}
