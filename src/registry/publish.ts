/**
 * The steps every push shares (artifacts, model images and images alike), as one `publishManifest`:
 * decide from the tags whether there is anything to do, move the missing blobs (mounting what the
 * registry has elsewhere), then point the tags at the manifest.
 */
import { UsageError } from '../core/errors.js';
import { formatBytes, progress } from '../core/progress.js';
import { option, say } from '../core/user-text.js';
import type { BlobSource } from '../oci/blob-source.js';
import type { Repository } from '../oci/client.js';
import { OCI_MANIFEST } from '../oci/media-types.js';
import { mapLimit } from '../oci/pool.js';
import { formatReference, type Reference } from '../oci/reference.js';
import type { Descriptor } from '../oci/schemas.js';
import { BlobLocations } from './blob-locations.js';
import { DEFAULT_PARALLEL, plural, type TransferOptions, uniqueBy } from './transfer.js';

export interface BlobToPush {
  descriptor: Descriptor;
  /** Opened only when the registry lacks the blob (an image layer may need compressing first). */
  source: () => Promise<BlobSource>;
}

export interface BlobStats {
  uploaded: number;
  existing: number;
  mounted: number;
  /** Bytes uploaded. */
  bytes: number;
}

export interface TagPlan {
  /** Every tag already points at the digest: nothing to push. */
  unchanged: boolean;
  /** Tags to (re)point at the digest. */
  toSet: string[];
}

/**
 * Checks the tags: `fixed` ones (the version, the exact release) may not be moved to a different
 * digest without `force`; `moving` ones (`1.4`, `latest`) follow each push.
 */
export async function planTags(
  repo: Repository,
  digest: string,
  fixed: string[],
  moving: string[],
  force: boolean,
): Promise<TagPlan> {
  const all = uniqueBy([...fixed, ...moving], (t) => t);
  const current = await mapLimit(all, 8, (tag) => repo.resolve(tag));
  const toSet: string[] = [];
  for (const [i, tag] of all.entries()) {
    const at = current[i];
    if (at === digest) continue;
    if (at && fixed.includes(tag) && !force) {
      throw new UsageError(
        say`${formatReference({ ...repo.ref, tag, digest: undefined })} already holds a different artifact (${at}): tags are not moved silently; pass ${option('force')} to replace it`,
      );
    }
    toSet.push(tag);
  }
  return { unchanged: toSet.length === 0, toSet };
}

export interface PushBlobsOptions {
  parallel?: number;
  label: string;
  log?: (line: string) => void;
  locations?: BlobLocations;
  monolithicMax?: number;
  chunkSize?: number;
  /** Aborted on the first failure; the repository's requests should carry its signal. */
  controller?: AbortController;
}

/** Uploads what the repository lacks, `parallel` at a time, with one progress line for them all. */
export async function pushBlobs(
  repo: Repository,
  blobs: readonly BlobToPush[],
  options: PushBlobsOptions,
): Promise<BlobStats> {
  const unique = uniqueBy(blobs, (b) => b.descriptor.digest);
  const parallel = options.parallel ?? DEFAULT_PARALLEL;
  const present = await mapLimit(unique, Math.max(parallel, 8), (b) => repo.hasBlob(b.descriptor.digest));
  const missing = unique.filter((_, i) => !present[i]);
  const stats: BlobStats = { uploaded: 0, existing: unique.length - missing.length, mounted: 0, bytes: 0 };
  if (missing.length === 0) return stats;
  const bar = progress(
    options.label,
    missing.reduce((s, b) => s + b.descriptor.size, 0),
    options.log,
  );
  const controller = options.controller ?? new AbortController();
  const outcomes = await mapLimit(
    missing,
    parallel,
    async (blob) => {
      const source = await blob.source();
      const mountFrom = options.locations
        ?.reposOf(repo.ref.registry, blob.descriptor.digest)
        .filter((r) => r !== repo.name);
      const outcome = await repo.uploadBlob(source, {
        assumeMissing: true,
        ...(mountFrom && mountFrom.length > 0 ? { mountFrom } : {}),
        ...(options.monolithicMax !== undefined ? { monolithicMax: options.monolithicMax } : {}),
        ...(options.chunkSize !== undefined ? { chunkSize: options.chunkSize } : {}),
        onBytes: (n) => bar.add(n),
      });
      if (outcome === 'mounted') bar.add(source.size);
      return { outcome, size: source.size };
    },
    controller,
  );
  bar.done();
  for (const { outcome, size } of outcomes) {
    if (outcome === 'uploaded') {
      stats.uploaded++;
      stats.bytes += size;
    } else if (outcome === 'mounted') stats.mounted++;
    else stats.existing++;
  }
  return stats;
}

/** Puts the manifest under each tag (the registry stores it once; each PUT only moves a tag). */
export async function putTags(
  repo: Repository,
  bytes: Buffer,
  mediaType: string,
  tags: readonly string[],
): Promise<void> {
  for (const tag of tags) await repo.putManifest(tag, bytes, mediaType);
}

export function describeStats(stats: BlobStats): string {
  const parts = [`${plural(stats.uploaded, 'blob')} uploaded (${formatBytes(stats.bytes)})`];
  if (stats.mounted > 0) parts.push(`${stats.mounted} mounted from other repositories`);
  if (stats.existing > 0) parts.push(`${stats.existing} already there`);
  return parts.join(', ');
}

/** A push names a repository and a tag, never a digest: the registry decides the digest. */
export function refuseDigestTarget(target: Reference): void {
  if (target.digest)
    throw new UsageError(
      say`invalid ${option('to')} "${formatReference(target)}": push to a tag, not a digest`,
    );
}

export const NO_BLOBS: Readonly<BlobStats> = { uploaded: 0, existing: 0, mounted: 0, bytes: 0 };

export interface ManifestToPublish {
  bytes: Buffer;
  digest: string;
  /** OCI image manifest unless said. */
  mediaType?: string;
  /** Every blob it names. */
  blobs: readonly BlobToPush[];
  /** Tags that move to another digest only with `force` (the version, the exact release). */
  fixed: readonly string[];
  /** Tags that follow each push (`1.4`, `latest`). */
  moving: readonly string[];
  /** The progress line's label. */
  label: string;
  /** Another repository on the same registry that holds some of the blobs (a base image's): mount them. */
  mountFrom?: { repository: string; digests: readonly string[] };
  /** Aborted on the first failure; the repository's requests carry its signal. */
  controller: AbortController;
}

export interface Published {
  /** Every tag already pointed at the digest: nothing was sent. */
  unchanged: boolean;
  /** The tags (re)pointed at the digest. */
  tagsSet: string[];
  blobs: BlobStats;
}

/**
 * Publishes a manifest: checks its tags (a fixed tag moves only with `force`), uploads the blobs the
 * repository lacks, then puts the manifest under each tag, and remembers where the blobs now are
 * (hints for later mounts). Blobs come first, so a registry never holds a tag whose blobs are missing.
 */
export async function publishManifest(
  repo: Repository,
  manifest: ManifestToPublish,
  options: TransferOptions & { force?: boolean },
): Promise<Published> {
  const tags = await planTags(
    repo,
    manifest.digest,
    [...manifest.fixed],
    [...manifest.moving],
    options.force ?? false,
  );
  if (tags.unchanged) return { unchanged: true, tagsSet: [], blobs: { ...NO_BLOBS } };
  const locations = await BlobLocations.load(options.home);
  if (manifest.mountFrom)
    locations.add(repo.ref.registry, manifest.mountFrom.repository, manifest.mountFrom.digests);
  const stats = await pushBlobs(repo, manifest.blobs, {
    label: manifest.label,
    locations,
    controller: manifest.controller,
    ...(options.log ? { log: options.log } : {}),
    ...(options.parallel !== undefined ? { parallel: options.parallel } : {}),
    ...(options.monolithicMax !== undefined ? { monolithicMax: options.monolithicMax } : {}),
    ...(options.chunkSize !== undefined ? { chunkSize: options.chunkSize } : {}),
  });
  await putTags(repo, manifest.bytes, manifest.mediaType ?? OCI_MANIFEST, tags.toSet);
  locations.add(
    repo.ref.registry,
    repo.name,
    manifest.blobs.map((b) => b.descriptor.digest),
  );
  await locations.save().catch(() => undefined);
  return { unchanged: false, tagsSet: tags.toSet, blobs: stats };
}
