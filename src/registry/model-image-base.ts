/**
 * The optional base of a model image (the `base` option): read through our OCI client, checked to be a Linux
 * container image for the requested platform, its layers reused as they are (same digests, same
 * diff_ids), so the modelcar sidecar finds the `sh`, `ln` and `sleep` KServe runs in it.
 */
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { z } from 'zod';
import { BentoError, type UsageError } from '../core/errors.js';
import { invalidValue, type ValueName } from '../core/invalid-value.js';
import { digestHex } from '../core/sha256.js';
import { option, say, type UserText } from '../core/user-text.js';
import type { BlobSource } from '../oci/blob-source.js';
import type { Repository } from '../oci/client.js';
import { parseImageIndex, parseImageManifest } from '../oci/manifests.js';
import {
  DOCKER_CONFIG,
  DOCKER_LAYER_GZIP,
  DOCKER_MANIFEST,
  isIndexType,
  OCI_CONFIG,
  OCI_LAYER_GZIP,
  OCI_LAYER_TAR,
  OCI_MANIFEST,
} from '../oci/media-types.js';
import { formatReference, type Reference } from '../oci/reference.js';
import type { Descriptor } from '../oci/schemas.js';
import { digestSchema } from '../shared/schemas.js';

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

/** The architectures Go (and so every OCI runtime) names; Windows images need a layout we do not write. */
const ARCHITECTURES = ['amd64', 'arm64', 'arm', '386', 'ppc64le', 's390x', 'riscv64', 'mips64le', 'loong64'];
export const DEFAULT_PLATFORM = 'linux/amd64';

export function formatPlatform(p: Platform): string {
  return [p.os, p.architecture, ...(p.variant ? [p.variant] : [])].join('/');
}

/** `linux/<arch>[/<variant>]`, as the `platform` option takes it. */
export function parsePlatform(text: string, name: ValueName = 'platform'): Platform {
  const [os, architecture, variant, ...rest] = text.split('/');
  const valid =
    os === 'linux' &&
    architecture !== undefined &&
    ARCHITECTURES.includes(architecture) &&
    rest.length === 0 &&
    (variant === undefined || /^v[0-9]+$/.test(variant));
  if (!valid) {
    throw invalidValue(
      name,
      text,
      `expected linux/<arch>[/<variant>] with arch one of ${ARCHITECTURES.join(', ')} (e.g. linux/amd64, linux/arm64/v8)`,
    );
  }
  return { os, architecture: architecture as string, ...(variant ? { variant } : {}) };
}

function platformMatches(have: Platform, want: Platform): boolean {
  // arm64 images often leave the variant (v8) out; a requested variant must match one that is named.
  return (
    have.os === want.os &&
    have.architecture === want.architecture &&
    (!want.variant || !have.variant || have.variant === want.variant)
  );
}

/** The base's config as the OCI image spec has it: what we keep and extend. */
const baseConfigSchema = z
  .object({
    architecture: z.string().min(1),
    os: z.string().min(1),
    variant: z.string().optional(),
    config: z.record(z.string(), z.unknown()).nullish(),
    rootfs: z.object({
      type: z.literal('layers'),
      diff_ids: z.array(digestSchema),
    }),
    history: z.array(z.record(z.string(), z.unknown())).optional(),
  })
  .passthrough();
export type BaseConfig = z.infer<typeof baseConfigSchema>;

/** Layer types a runtime unpacks; Docker's gzip layer is the same bytes as OCI's. */
const LAYER_TYPES: Record<string, string> = {
  [OCI_LAYER_TAR]: OCI_LAYER_TAR,
  [OCI_LAYER_GZIP]: OCI_LAYER_GZIP,
  'application/vnd.oci.image.layer.v1.tar+zstd': 'application/vnd.oci.image.layer.v1.tar+zstd',
  [DOCKER_LAYER_GZIP]: OCI_LAYER_GZIP,
};

export interface BaseImage {
  /** `host/repo@sha256:…` of the manifest used (the platform's, when the base is an index). */
  reference: string;
  /** The base as given, for the `org.opencontainers.image.base.name` annotation. */
  name: string;
  digest: string;
  platform: Platform;
  config: BaseConfig;
  /** In the base's order, media types as OCI names them. */
  layers: Descriptor[];
  repo: Repository;
}

/** A bad `base`: the option at fault for every refusal of the base image. */
export function invalidBase(name: string, why: string | UserText): UsageError {
  return invalidValue('base', name, why);
}

function notAnImage(name: string, why: string): UsageError {
  return invalidBase(
    name,
    say`${why}; pass a Linux container image with a shell, ln and sleep (e.g. busybox), or drop ${option('base')} for a files-only image`,
  );
}

/** Reads the base for `platform` (the index's matching manifest, or the manifest itself) and checks it. */
export async function resolveBase(
  repo: Repository,
  ref: Reference,
  wanted: Platform,
  explicitPlatform: boolean,
): Promise<BaseImage> {
  const name = formatReference(ref);
  let fetched = await repo.getManifest(ref.digest ?? ref.tag ?? 'latest');
  if (isIndexType(fetched.mediaType)) {
    const index = parseImageIndex(fetched, `the base ${name}`);
    const images = index.manifests.filter(
      (m) => m.platform && m.mediaType !== 'application/vnd.oci.empty.v1+json',
    );
    const match = images.find((m) => m.platform && platformMatches(m.platform, wanted));
    if (!match) {
      const offered =
        [...new Set(images.map((m) => formatPlatform(m.platform as Platform)))].join(', ') || 'none';
      throw invalidBase(
        name,
        say`it has no image for ${formatPlatform(wanted)} (it has ${offered}); pass ${option('platform')} with one of those, or a base built for ${formatPlatform(wanted)}`,
      );
    }
    fetched = await repo.getManifest(match.digest, match.size);
  }
  if (fetched.mediaType !== OCI_MANIFEST && fetched.mediaType !== DOCKER_MANIFEST)
    throw notAnImage(name, `it is a ${fetched.mediaType}, not an image manifest`);
  const manifest = parseImageManifest(fetched, `the base ${name}`);
  const configType = manifest.config.mediaType;
  if (configType !== OCI_CONFIG && configType !== DOCKER_CONFIG)
    throw notAnImage(name, `its config is ${configType}, not an image config (an artifact, not an image)`);
  const layers = manifest.layers.map((layer) => {
    const type = LAYER_TYPES[layer.mediaType];
    if (!type)
      throw notAnImage(name, `its layer ${layer.digest} is ${layer.mediaType}, which runtimes do not unpack`);
    return { mediaType: type, digest: layer.digest, size: layer.size };
  });
  const configBytes = await repo.fetchBlob(manifest.config.digest, undefined, manifest.config.size);
  let config: BaseConfig;
  try {
    config = baseConfigSchema.parse(JSON.parse(configBytes.toString('utf8')));
  } catch (err) {
    const detail = err instanceof z.ZodError ? err.issues[0]?.path.join('.') : 'not JSON';
    throw notAnImage(name, `its image config is not valid (${detail})`);
  }
  if (config.rootfs.diff_ids.length !== layers.length)
    throw notAnImage(
      name,
      `its config lists ${config.rootfs.diff_ids.length} diff_ids for ${layers.length} layers`,
    );
  const platform: Platform = {
    os: config.os,
    architecture: config.architecture,
    ...(config.variant ? { variant: config.variant } : {}),
  };
  if (!platformMatches(platform, wanted)) {
    throw invalidBase(
      name,
      explicitPlatform
        ? say`it is built for ${formatPlatform(platform)}, not ${formatPlatform(wanted)}; pass a base for ${formatPlatform(wanted)} (or a multi-platform index), or ${option('platform', formatPlatform(platform))}`
        : say`it is built for ${formatPlatform(platform)}, not the default ${formatPlatform(wanted)}; pass ${option('platform', formatPlatform(platform))} to build for it, or a base for ${formatPlatform(wanted)}`,
    );
  }
  return {
    reference: formatReference({
      registry: ref.registry,
      repository: ref.repository,
      digest: fetched.digest,
    }),
    name,
    digest: fetched.digest,
    platform,
    config,
    layers,
    repo,
  };
}

/**
 * A base layer to upload, downloaded only when the upload reads it: a cross-repository mount (same
 * registry) or a layer the target already has never touches the bytes.
 */
export function baseLayerSource(base: BaseImage, layer: Descriptor, work: string): BlobSource {
  const path = join(work, digestHex(layer.digest));
  let downloaded: Promise<void> | undefined;
  return {
    digest: layer.digest,
    size: layer.size,
    open: (start, end) =>
      Readable.from(
        (async function* () {
          downloaded ??= base.repo.downloadBlob(layer.digest, layer.size, path).catch((err: unknown) => {
            downloaded = undefined;
            throw new BentoError(
              `reading layer ${layer.digest} of the base ${base.name} failed: ${(err as Error).message}`,
              { cause: err },
            );
          });
          await downloaded;
          yield* createReadStream(path, { start, end, highWaterMark: 1 << 20 });
        })(),
      ),
  };
}
