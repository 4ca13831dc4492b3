import { mkdir, mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import Dockerode from 'dockerode';
import { z } from 'zod';
import { BentoError, UsageError } from '../core/errors.js';
import { removeQuietly } from '../core/files.js';
import { bufferSource, fileSource } from '../oci/blob-source.js';
import { openRepository, type Repository } from '../oci/client.js';
import { sha256Digest } from '../oci/manifests.js';
import { ANNOTATION_CREATED, OCI_CONFIG, OCI_MANIFEST } from '../oci/media-types.js';
import { linkedController, mapLimit } from '../oci/pool.js';
import { formatReference, parseImageReference, type Reference } from '../oci/reference.js';
import { type Descriptor, type ImageManifest, imageManifestSchema } from '../oci/schemas.js';
import { BlobLocations } from './blob-locations.js';
import { exportImage, inspectImage } from './image-export.js';
import { JsonCache } from './json-cache.js';
import { compressLayer } from './layer-compress.js';
import { type BlobStats, type BlobToPush, describeStats, planTags, pushBlobs, putTags } from './publish.js';
import { type ReleaseTagKind, releaseTags } from './release-tags.js';
import { DEFAULT_PARALLEL, ociDir, type TransferOptions } from './transfer.js';

export interface PushImageOptions extends TransferOptions {
  force?: boolean;
  release?: string;
  releaseTags?: ReleaseTagKind[];
  /** The engine; `new Dockerode()` (DOCKER_HOST or the default socket) when absent. */
  docker?: Dockerode;
}

export interface PushImageResult {
  image: string;
  /** The engine's image ID (the config digest). */
  id: string;
  reference: string;
  digest: string;
  tags: string[];
  unchanged: boolean;
  /** True when the engine's export was not needed (every blob was in the registry already). */
  exported: boolean;
  blobs: BlobStats;
}

const layerCacheSchema = z.record(
  z.string(),
  z.object({ digest: z.string(), size: z.number().int().min(0), mediaType: z.string() }),
);
const imageCacheSchema = z.record(z.string(), z.object({ manifest: z.string() }));

/** The manifest we push for an exported image: OCI, the engine's config as is, compressed layers. */
function imageManifest(
  configBytes: Buffer,
  created: string | undefined,
  layers: Descriptor[],
): ImageManifest {
  return {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { mediaType: OCI_CONFIG, digest: sha256Digest(configBytes), size: configBytes.length },
    layers,
    ...(created ? { annotations: { [ANNOTATION_CREATED]: created } } : {}),
  };
}

/**
 * Pushes an image from the Docker engine with our registry client (not the engine's push): the same
 * auth, retries, progress, release tags and no-op detection as models and bentos. The engine exports
 * the image (`docker save` through dockerode), layers are gzip-compressed once and remembered by
 * diff_id, so pushing the same image again asks the engine for nothing.
 */
export async function pushImage(
  image: string,
  target: Reference,
  options: PushImageOptions,
): Promise<PushImageResult> {
  if (target.digest)
    throw new UsageError(`invalid --to "${formatReference(target)}": push to a tag, not a digest`);
  const docker = options.docker ?? new Dockerode();
  const { id } = await inspectImage(docker, image);
  let localTag: string | undefined;
  try {
    localTag = parseImageReference(image).tag;
  } catch {
    localTag = undefined;
  }
  const primary = target.tag ?? localTag;
  if (!primary) throw new UsageError(`name the tag to push ${image} as: --to oci://host/repo:tag`);
  const release = options.release ? releaseTags(options.release, options.releaseTags) : undefined;
  const fixed = [primary, ...(release ? [release.exact] : [])];
  const moving = release?.moving ?? [];
  const allTags = [...new Set([...fixed, ...moving])];
  const reference = formatReference({ ...target, tag: primary });
  const log = options.log ?? (() => undefined);
  const controller = linkedController(options.signal);
  const repo = await openRepository(target, { ...options, push: true, signal: controller.signal });
  const images = await JsonCache.load(options.home, 'images.json', imageCacheSchema, 1000);
  const none: BlobStats = { uploaded: 0, existing: 0, mounted: 0, bytes: 0 };
  try {
    // Fast path: the manifest pushed for this image ID before, if the registry still has all of it.
    const known = images.get(id);
    if (known) {
      const bytes = Buffer.from(known.manifest);
      const digest = sha256Digest(bytes);
      const tagPlan = await planTags(repo, digest, fixed, moving, options.force ?? false);
      const result = { image, id, reference, digest, tags: allTags, exported: false };
      if (tagPlan.unchanged) {
        log(`image ${image} is already at ${reference} (${digest}): nothing to push`);
        return { ...result, unchanged: true, blobs: none };
      }
      const manifest = imageManifestSchema.parse(JSON.parse(known.manifest));
      const blobs = [manifest.config, ...manifest.layers];
      const present = await mapLimit(blobs, 8, (b) => repo.hasBlob(b.digest));
      if (present.every(Boolean)) {
        await putTags(repo, bytes, OCI_MANIFEST, tagPlan.toSet);
        log(
          `pushed image ${image} to ${reference} (${digest}): all blobs already there; tags ${tagPlan.toSet.join(', ')}`,
        );
        return { ...result, unchanged: false, blobs: { ...none, existing: blobs.length } };
      }
    }
    return await exportAndPush(
      docker,
      repo,
      image,
      id,
      { fixed, moving, allTags, reference, controller, images },
      options,
    );
  } catch (err) {
    if (err instanceof BentoError || !(err instanceof Error)) throw err;
    throw new BentoError(`pushing image ${image} to ${reference} failed: ${err.message}`, { cause: err });
  } finally {
    await repo.close();
  }
}

async function exportAndPush(
  docker: Dockerode,
  repo: Repository,
  image: string,
  id: string,
  ctx: {
    fixed: string[];
    moving: string[];
    allTags: string[];
    reference: string;
    controller: AbortController;
    images: JsonCache<{ manifest: string }>;
  },
  options: PushImageOptions,
): Promise<PushImageResult> {
  const log = options.log ?? (() => undefined);
  await mkdir(ociDir(options.home), { recursive: true });
  const work = await mkdtemp(join(ociDir(options.home), 'export-'));
  try {
    log(`exporting image ${image} (${id.slice(0, 19)}) from the Docker engine`);
    const exported = await exportImage(docker, id, join(work, 'image'));
    const layerCache = await JsonCache.load(options.home, 'layers.json', layerCacheSchema);
    // Each layer's blob: the remembered compressed digest when the registry has it, else compress now.
    const layers = await mapLimit(exported.layers, options.parallel ?? DEFAULT_PARALLEL, async (layer) => {
      const cached = layerCache.get(layer.diffId);
      if (cached && (await repo.hasBlob(cached.digest))) {
        return {
          descriptor: { mediaType: cached.mediaType, digest: cached.digest, size: cached.size },
          path: undefined,
        };
      }
      const compressed = await compressLayer(
        layer.path,
        layer.diffId,
        join(work, `${layer.diffId.slice(7)}.gz`),
      );
      layerCache.set(layer.diffId, {
        digest: compressed.digest,
        size: compressed.size,
        mediaType: compressed.mediaType,
      });
      return {
        descriptor: { mediaType: compressed.mediaType, digest: compressed.digest, size: compressed.size },
        path: compressed.path,
      };
    });
    const manifest = imageManifest(
      exported.configBytes,
      exported.config.created,
      layers.map((l) => l.descriptor),
    );
    const bytes = Buffer.from(JSON.stringify(manifest));
    const digest = sha256Digest(bytes);
    const tagPlan = await planTags(repo, digest, ctx.fixed, ctx.moving, options.force ?? false);
    const locations = await BlobLocations.load(options.home);
    const blobs: BlobToPush[] = [
      { descriptor: manifest.config, source: async () => bufferSource(exported.configBytes) },
      ...layers.map((l) => ({
        descriptor: l.descriptor,
        source: async () => {
          if (!l.path)
            throw new BentoError(
              `layer ${l.descriptor.digest} vanished from ${repo} while pushing: push again`,
            );
          return fileSource(l.path, { sha256: l.descriptor.digest.slice(7), size: l.descriptor.size });
        },
      })),
    ];
    const stats = tagPlan.unchanged
      ? { uploaded: 0, existing: blobs.length, mounted: 0, bytes: 0 }
      : await pushBlobs(repo, blobs, {
          label: `pushing image ${image}`,
          log,
          locations,
          controller: ctx.controller,
          ...(options.parallel !== undefined ? { parallel: options.parallel } : {}),
          ...(options.monolithicMax !== undefined ? { monolithicMax: options.monolithicMax } : {}),
          ...(options.chunkSize !== undefined ? { chunkSize: options.chunkSize } : {}),
        });
    await putTags(repo, bytes, OCI_MANIFEST, tagPlan.toSet);
    locations.add(
      repo.ref.registry,
      repo.name,
      blobs.map((b) => b.descriptor.digest),
    );
    ctx.images.set(id, { manifest: bytes.toString('utf8') });
    await Promise.all([locations.save(), layerCache.save(), ctx.images.save()]).catch(() => undefined);
    if (tagPlan.unchanged) log(`image ${image} is already at ${ctx.reference} (${digest}): nothing to push`);
    else
      log(
        `pushed image ${image} to ${ctx.reference} (${digest}): ${describeStats(stats)}; tags ${tagPlan.toSet.join(', ')}`,
      );
    return {
      image,
      id,
      reference: ctx.reference,
      digest,
      tags: ctx.allTags,
      unchanged: tagPlan.unchanged,
      exported: true,
      blobs: stats,
    };
  } finally {
    await removeQuietly(work);
  }
}
