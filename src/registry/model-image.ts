/**
 * `bentoci models push --as-image`: a stored model as a runnable OCI image, assembled here without a
 * Docker engine, that clusters mount without bentoci: KServe's modelcar (`storageUri: oci://…`, which
 * runs `ln -sf /proc/$$/root/models /mnt/ && sleep` in the image, so it needs a base with a shell) and
 * Kubernetes image volumes (KEP-4639; the files alone suffice, containerd needs the config's diff_ids).
 *
 * Layers: the base's as they are, then one per large file (the same weights make the same layer in
 * every version, so nodes and registries keep one copy), then the small files with model.yaml. The
 * same model and the same SOURCE_DATE_EPOCH give the same image digest on any machine.
 */
import { mkdir, mkdtemp, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { canonicalJson } from '../core/digest.js';
import { BentoError, UsageError } from '../core/errors.js';
import { removeQuietly } from '../core/files.js';
import { noun } from '../core/invalid-value.js';
import type { ModelStore } from '../core/model-store.js';
import { progress } from '../core/progress.js';
import { sha256Digest } from '../core/sha256.js';
import { formatTag } from '../core/tag.js';
import { option, say } from '../core/user-text.js';
import { bufferSource } from '../oci/blob-source.js';
import { openRepository, type Repository } from '../oci/client.js';
import {
  ANNOTATION_CONTENT_DIGEST,
  ANNOTATION_CREATED,
  ANNOTATION_KIND,
  ANNOTATION_LABEL_PREFIX,
  ANNOTATION_TAG,
  ANNOTATION_TITLE,
  ANNOTATION_VERSION,
  OCI_CONFIG,
  OCI_LAYER_TAR,
  OCI_MANIFEST,
} from '../oci/media-types.js';
import { linkedController, mapLimit } from '../oci/pool.js';
import { formatReference, type Reference, validateTag } from '../oci/reference.js';
import type { Descriptor, ImageManifest } from '../oci/schemas.js';
import type { PushOptions, PushResult } from './artifact-push.js';
import {
  type BaseConfig,
  type BaseImage,
  baseLayerSource,
  DEFAULT_PLATFORM,
  formatPlatform,
  invalidBase,
  type Platform,
  parsePlatform,
  resolveBase,
} from './model-image-base.js';
import {
  type ImageLayer,
  LayerDigests,
  MODELS_DIR,
  smallFilesLayer,
  splitFiles,
} from './model-image-layers.js';
import { type BlobToPush, describeStats, publishManifest, refuseDigestTarget } from './publish.js';
import { releaseTags } from './release-tags.js';
import { ociDir, plural } from './transfer.js';

const ANNOTATION_BASE_NAME = 'org.opencontainers.image.base.name';
const ANNOTATION_BASE_DIGEST = 'org.opencontainers.image.base.digest';
const MODEL_IMAGE_KIND = 'model-image';
const MODEL_INFO_FILE = 'model.yaml';

export interface ModelImageOptions extends PushOptions {
  /** An image whose layers go under the model's (e.g. busybox, for the modelcar sidecar's shell). */
  base?: Reference;
  /** Requested platform; linux/amd64 when absent (the base must then be built for it). */
  platform?: Platform;
  /** Time of the image and of the small files' entries (SOURCE_DATE_EPOCH); the model's creation time when absent. */
  sourceDateEpoch?: Date;
}

export interface ModelImageResult extends PushResult {
  platform: string;
  /** `host/repo@digest` of the base used. */
  base?: string;
  layers: number;
}

interface PlannedImage {
  manifestBytes: Buffer;
  digest: string;
  blobs: BlobToPush[];
  layers: number;
}

/** The image config: the base's (entrypoint, env, history kept) with the model's layers and labels added. */
function imageConfig(
  base: BaseImage | undefined,
  platform: Platform,
  created: string,
  labels: Record<string, string>,
  layers: readonly ImageLayer[],
): Record<string, unknown> {
  const baseConfig: BaseConfig | undefined = base?.config;
  const runConfig = { ...(baseConfig?.config ?? {}) };
  runConfig['Labels'] = { ...((runConfig['Labels'] as Record<string, string> | null) ?? {}), ...labels };
  const ours = layers.map((l) => ({
    created,
    created_by: 'bentoci model image',
    comment: l.comment,
  }));
  // A base without history gets none: entries must match the layers one for one.
  const history = base && !baseConfig?.history ? undefined : [...(baseConfig?.history ?? []), ...ours];
  return {
    ...(baseConfig ?? {}),
    created,
    architecture: platform.architecture,
    os: platform.os,
    variant: platform.variant,
    config: runConfig,
    rootfs: {
      type: 'layers',
      // Uncompressed layers: each one's digest is its diff_id.
      diff_ids: [...(baseConfig?.rootfs.diff_ids ?? []), ...layers.map((l) => l.source.digest)],
    },
    history,
  };
}

async function planImage(
  store: ModelStore,
  tagText: string,
  base: BaseImage | undefined,
  platform: Platform,
  options: ModelImageOptions,
  work: string,
): Promise<PlannedImage & { tag: string; version: string }> {
  const entry = await store.get(tagText);
  const tag = formatTag(entry.tag);
  const what = `model ${tag}`;
  // The metadata is checked here (digest, confined paths); the files as the layers read them.
  await store.assertMetadata(entry);
  const info = entry.info;
  const created = options.sourceDateEpoch?.toISOString() ?? info.creation_time;
  const { large, small } = splitFiles(info.files);
  const digests = await LayerDigests.load(options.home);
  // Weights not pushed as an image from this home before are read once for their layer's digest.
  const unknown = digests.unknown(large);
  const bar = progress(
    `reading ${plural(unknown.length, 'large file')} of ${tag} for their layer digests`,
    unknown.reduce((sum, f) => sum + f.size, 0),
    options.log,
  );
  const largeLayers = await mapLimit(large, 2, (file) =>
    digests.layerOf(entry.dir, file, what, (n) => bar.add(n)),
  );
  if (unknown.length > 0) bar.done();
  const modelInfo = await readFile(join(entry.dir, MODEL_INFO_FILE));
  const smallLayer = await smallFilesLayer(
    entry.dir,
    small,
    new Map([[MODEL_INFO_FILE, modelInfo]]),
    new Date(created),
    what,
  );
  await digests.save().catch(() => undefined);
  const layers = [...largeLayers, smallLayer];

  const annotations: Record<string, string> = {
    [ANNOTATION_CREATED]: created,
    [ANNOTATION_TITLE]: info.name,
    [ANNOTATION_VERSION]: info.version,
    [ANNOTATION_KIND]: MODEL_IMAGE_KIND,
    [ANNOTATION_TAG]: tag,
    [ANNOTATION_CONTENT_DIGEST]: info.digest,
  };
  for (const [key, value] of Object.entries(info.labels))
    annotations[`${ANNOTATION_LABEL_PREFIX}${key}`] = value;
  const configBytes = Buffer.from(
    canonicalJson(imageConfig(base, base?.platform ?? platform, created, { ...annotations }, layers)),
  );
  if (base) {
    annotations[ANNOTATION_BASE_NAME] = base.name;
    annotations[ANNOTATION_BASE_DIGEST] = base.digest;
  }
  const configDescriptor: Descriptor = {
    mediaType: OCI_CONFIG,
    digest: sha256Digest(configBytes),
    size: configBytes.length,
  };
  const ownLayers = layers.map((l) => ({
    descriptor: { mediaType: OCI_LAYER_TAR, digest: l.source.digest, size: l.source.size },
    source: async () => l.source,
  }));
  const baseLayers = (base?.layers ?? []).map((layer) => ({
    descriptor: layer,
    source: async () => baseLayerSource(base as BaseImage, layer, work),
  }));
  const manifest: ImageManifest = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: configDescriptor,
    layers: [...baseLayers, ...ownLayers].map((b) => b.descriptor),
    annotations,
  };
  const manifestBytes = Buffer.from(JSON.stringify(manifest));
  return {
    tag,
    version: info.version,
    manifestBytes,
    digest: sha256Digest(manifestBytes),
    blobs: [
      { descriptor: configDescriptor, source: async () => bufferSource(configBytes) },
      ...baseLayers,
      ...ownLayers,
    ],
    layers: manifest.layers.length,
  };
}

/** Opens the base's repository: on the target's registry it shares the session (and mounts its blobs). */
async function openBase(repo: Repository, base: Reference, options: ModelImageOptions): Promise<Repository> {
  if (base.registry === repo.ref.registry) return repo.sibling(base.repository, false);
  // Another registry: its own credentials (docker login, config.yaml), not the target's flags.
  const { username: _u, password: _p, insecure: _i, caFile: _c, ...rest } = options;
  return openRepository(base, { ...rest, push: false });
}

/** Builds the model image of `tagText` and pushes it to `target` (the tag defaults to the model's version). */
export async function pushModelImage(
  store: ModelStore,
  tagText: string,
  target: Reference,
  options: ModelImageOptions,
): Promise<ModelImageResult> {
  refuseDigestTarget(target);
  const platform = options.platform ?? parsePlatform(DEFAULT_PLATFORM);
  const release = options.release ? releaseTags(options.release, options.releaseTags) : undefined;
  const controller = linkedController(options.signal);
  const repo = await openRepository(target, { ...options, push: true, signal: controller.signal });
  const log = options.log ?? (() => undefined);
  await mkdir(ociDir(options.home), { recursive: true });
  const work = await mkdtemp(join(ociDir(options.home), 'model-image-'));
  let baseRepo: Repository | undefined;
  let reference = formatReference(target);
  try {
    let base: BaseImage | undefined;
    if (options.base) {
      baseRepo = await openBase(repo, options.base, { ...options, signal: controller.signal });
      base = await resolveBase(baseRepo, options.base, platform, options.platform !== undefined).catch(
        (err: unknown) => {
          if (err instanceof UsageError || !(err instanceof Error)) throw err;
          throw invalidBase(
            formatReference(options.base as Reference),
            say`${err}; pass an image the registry holds (e.g. busybox), or drop ${option('base')}`,
          );
        },
      );
    }
    const plan = await planImage(store, tagText, base, platform, options, work);
    const primary = target.tag ?? validateTag(plan.version, noun('model version'));
    const fixed = [primary, ...(release ? [release.exact] : [])];
    const allTags = [...new Set([...fixed, ...(release?.moving ?? [])])];
    reference = formatReference({ ...target, tag: primary });
    const result = {
      kind: 'model' as const,
      tag: plan.tag,
      reference,
      digest: plan.digest,
      tags: allTags,
      platform: formatPlatform(base?.platform ?? platform),
      ...(base ? { base: base.reference } : {}),
      layers: plan.layers,
    };
    const published = await publishManifest(
      repo,
      {
        bytes: plan.manifestBytes,
        digest: plan.digest,
        blobs: plan.blobs,
        fixed,
        moving: release?.moving ?? [],
        label: `pushing the model image of ${plan.tag}`,
        controller,
        // The base's layers are where the base is: a hint for a cross-repository mount instead of a copy.
        ...(base && baseRepo && options.base?.registry === repo.ref.registry
          ? { mountFrom: { repository: baseRepo.name, digests: base.layers.map((l) => l.digest) } }
          : {}),
      },
      options,
    );
    if (published.unchanged)
      log(`model image of ${plan.tag} is already at ${reference} (${plan.digest}): nothing to push`);
    else
      log(
        `pushed the model image of ${plan.tag} (${result.platform}${base ? ` on ${base.name}` : ', files only'}) to ${reference} (${plan.digest}): ${describeStats(published.blobs)}; tags ${published.tagsSet.join(', ')}`,
      );
    return { ...result, unchanged: published.unchanged, blobs: published.blobs };
  } catch (err) {
    if (err instanceof BentoError || !(err instanceof Error)) throw err;
    throw new BentoError(`pushing the model image of ${tagText} to ${reference} failed: ${err.message}`, {
      cause: err,
    });
  } finally {
    if (baseRepo && baseRepo.session !== repo.session) await baseRepo.close();
    await repo.close();
    await removeQuietly(work);
  }
}

export { MODELS_DIR };
