import { mkdir, mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import Dockerode from 'dockerode';
import { z } from 'zod';
import { BentoError, OptionError } from '../core/errors.js';
import { removeQuietly } from '../core/files.js';
import { digestHex, sha256Digest } from '../core/sha256.js';
import { option, say } from '../core/user-text.js';
import { checkKeyValues, OCI_PREDEFINED_KEYS } from '../oci/annotation-keys.js';
import { bufferSource, fileSource } from '../oci/blob-source.js';
import { openRepository, type Repository } from '../oci/client.js';
import { ANNOTATION_CREATED, ANNOTATION_REF_NAME, OCI_CONFIG, OCI_MANIFEST } from '../oci/media-types.js';
import { linkedController, mapLimit } from '../oci/pool.js';
import { formatReference, parseImageReference, type Reference, validateTag } from '../oci/reference.js';
import { type Descriptor, type ImageManifest, imageManifestSchema } from '../oci/schemas.js';
import { exportImage, inspectImage } from './image-export.js';
import { JsonCache } from './json-cache.js';
import { compressLayer } from './layer-compress.js';
import {
  type BlobStats,
  type BlobToPush,
  describeStats,
  NO_BLOBS,
  planTags,
  publishManifest,
  putTags,
  refuseDigestTarget,
} from './publish.js';
import { type ReleaseTagKind, releaseTags } from './release-tags.js';
import { DEFAULT_PARALLEL, ociDir, type TransferOptions } from './transfer.js';

export interface PushImageOptions extends TransferOptions {
  force?: boolean;
  release?: string;
  releaseTags?: ReleaseTagKind[];
  /** Tags to put the manifest under (blobs go up once); default the target's tag, else the local one. */
  tags?: string[];
  /**
   * Manifest annotations. The image's OCI labels (org.opencontainers.image.*) are the defaults, as
   * docker/metadata-action gives both the same values; these win.
   */
  annotations?: Record<string, string>;
  /** The engine; `new Dockerode()` (DOCKER_HOST or the default socket) when absent. */
  docker?: Dockerode;
}

export interface PushImageResult {
  image: string;
  /** The engine's image ID (the config digest). */
  id: string;
  reference: string;
  /** The manifest's digest: what every pushed tag resolves to. */
  digest: string;
  mediaType: string;
  /** The manifest's size in bytes. */
  size: number;
  annotations: Record<string, string>;
  tags: string[];
  /** `host/repo:tag` of every tag. */
  references: string[];
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

/**
 * The manifest under `extra` annotations: the base manifest (cached per image ID) is unchanged when
 * they add nothing, so an image pushed without annotations keeps its digest.
 */
function annotated(
  base: Buffer,
  extra: Record<string, string>,
): { bytes: Buffer; annotations: Record<string, string> } {
  const manifest = imageManifestSchema.parse(JSON.parse(base.toString('utf8')));
  const annotations = { ...manifest.annotations, ...extra };
  const same =
    Object.keys(annotations).length === Object.keys(manifest.annotations ?? {}).length &&
    Object.entries(extra).every(([k, v]) => manifest.annotations?.[k] === v);
  if (same) return { bytes: base, annotations };
  return { bytes: Buffer.from(JSON.stringify({ ...manifest, annotations })), annotations };
}

/** The image's OCI pre-defined labels (but ref.name, which names a tag): the default annotations. */
function ociLabels(labels: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(labels).filter(
      ([key]) => OCI_PREDEFINED_KEYS.includes(key as never) && key !== ANNOTATION_REF_NAME,
    ),
  );
}

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
  refuseDigestTarget(target);
  const requested = [...(target.tag ? [target.tag] : []), ...(options.tags ?? [])].map((t) =>
    validateTag(t, 'tag'),
  );
  const requestedAnnotations = checkKeyValues(options.annotations ?? {}, 'annotation');
  const docker = options.docker ?? new Dockerode();
  const { id, labels } = await inspectImage(docker, image);
  let localTag: string | undefined;
  try {
    localTag = parseImageReference(image).tag;
  } catch {
    localTag = undefined;
  }
  const named = requested.length > 0 ? requested : localTag ? [localTag] : [];
  const primary = named[0];
  if (!primary)
    throw new OptionError(
      'to',
      say`name the tag to push ${image} as: ${option('to', 'oci://host/repo:tag')}`,
    );
  const release = options.release ? releaseTags(options.release, options.releaseTags) : undefined;
  const fixed = [...new Set([...named, ...(release ? [release.exact] : [])])];
  const moving = release?.moving ?? [];
  const allTags = [...new Set([...fixed, ...moving])];
  const reference = formatReference({ ...target, tag: primary });
  const references = allTags.map((tag) => formatReference({ ...target, digest: undefined, tag }));
  const annotations = { ...ociLabels(labels), ...requestedAnnotations };
  const log = options.log ?? (() => undefined);
  const controller = linkedController(options.signal);
  const repo = await openRepository(target, { ...options, push: true, signal: controller.signal });
  const images = await JsonCache.load(options.home, 'images.json', imageCacheSchema, 1000);
  try {
    // Fast path: the manifest pushed for this image ID before, if the registry still has all of it.
    const known = images.get(id);
    if (known) {
      const final = annotated(Buffer.from(known.manifest), annotations);
      const bytes = final.bytes;
      const digest = sha256Digest(bytes);
      const tagPlan = await planTags(repo, digest, fixed, moving, options.force ?? false);
      const result = {
        image,
        id,
        reference,
        digest,
        mediaType: OCI_MANIFEST,
        size: bytes.length,
        annotations: final.annotations,
        tags: allTags,
        references,
        exported: false,
      };
      if (tagPlan.unchanged) {
        log(`image ${image} is already at ${reference} (${digest}): nothing to push`);
        return { ...result, unchanged: true, blobs: { ...NO_BLOBS } };
      }
      const manifest = imageManifestSchema.parse(JSON.parse(known.manifest));
      const blobs = [manifest.config, ...manifest.layers];
      const present = await mapLimit(blobs, 8, (b) => repo.hasBlob(b.digest));
      if (present.every(Boolean)) {
        await putTags(repo, bytes, OCI_MANIFEST, tagPlan.toSet);
        log(
          `pushed image ${image} to ${reference} (${digest}): all blobs already there; tags ${tagPlan.toSet.join(', ')}`,
        );
        return { ...result, unchanged: false, blobs: { ...NO_BLOBS, existing: blobs.length } };
      }
    }
    return await exportAndPush(
      docker,
      repo,
      image,
      id,
      { fixed, moving, allTags, references, annotations, reference, controller, images },
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
    references: string[];
    annotations: Record<string, string>;
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
        join(work, `${digestHex(layer.diffId)}.gz`),
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
    const base = Buffer.from(JSON.stringify(manifest));
    const final = annotated(base, ctx.annotations);
    const bytes = final.bytes;
    const digest = sha256Digest(bytes);
    const blobs: BlobToPush[] = [
      { descriptor: manifest.config, source: async () => bufferSource(exported.configBytes) },
      ...layers.map((l) => ({
        descriptor: l.descriptor,
        source: async () => {
          if (!l.path)
            throw new BentoError(
              `layer ${l.descriptor.digest} vanished from ${repo} while pushing: push again`,
            );
          return fileSource(l.path, { sha256: digestHex(l.descriptor.digest), size: l.descriptor.size });
        },
      })),
    ];
    const published = await publishManifest(
      repo,
      {
        bytes,
        digest,
        blobs,
        fixed: ctx.fixed,
        moving: ctx.moving,
        label: `pushing image ${image}`,
        controller: ctx.controller,
      },
      options,
    );
    const stats = published.unchanged ? { ...NO_BLOBS, existing: blobs.length } : published.blobs;
    ctx.images.set(id, { manifest: base.toString('utf8') });
    await Promise.all([layerCache.save(), ctx.images.save()]).catch(() => undefined);
    if (published.unchanged)
      log(`image ${image} is already at ${ctx.reference} (${digest}): nothing to push`);
    else
      log(
        `pushed image ${image} to ${ctx.reference} (${digest}): ${describeStats(stats)}; tags ${published.tagsSet.join(', ')}`,
      );
    return {
      image,
      id,
      reference: ctx.reference,
      digest,
      mediaType: OCI_MANIFEST,
      size: bytes.length,
      annotations: final.annotations,
      tags: ctx.allTags,
      references: ctx.references,
      unchanged: published.unchanged,
      exported: true,
      blobs: stats,
    };
  } finally {
    await removeQuietly(work);
  }
}
