/**
 * The steps every push shares (artifacts and images alike): decide from the tags whether there is
 * anything to do, move the missing blobs (mounting what the registry has elsewhere), then point the
 * tags at the manifest.
 */
import { UsageError } from '../core/errors.js';
import { formatBytes, progress } from '../core/progress.js';
import type { BlobSource } from '../oci/blob-source.js';
import type { Repository } from '../oci/client.js';
import { mapLimit } from '../oci/pool.js';
import { formatReference } from '../oci/reference.js';
import type { Descriptor } from '../oci/schemas.js';
import type { BlobLocations } from './blob-locations.js';
import { DEFAULT_PARALLEL, plural, uniqueBy } from './transfer.js';

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
        `${formatReference({ ...repo.ref, tag, digest: undefined })} already holds a different artifact (${at}): tags are not moved silently; pass --force to replace it`,
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
