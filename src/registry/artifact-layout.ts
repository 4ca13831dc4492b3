import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import YAML from 'yaml';
import { canonicalJson } from '../core/digest.js';
import { IntegrityError, UsageError } from '../core/errors.js';
import { sha256Digest } from '../core/sha256.js';
import type { EntryInfo, StoredEntry } from '../core/store.js';
import { formatTag } from '../core/tag.js';
import { type BlobSource, bufferSource, fileSource } from '../oci/blob-source.js';
import { MAX_MANIFEST_BYTES } from '../oci/limits.js';
import {
  ANNOTATION_CONTENT_DIGEST,
  ANNOTATION_CREATED,
  ANNOTATION_DESCRIPTION,
  ANNOTATION_KIND,
  ANNOTATION_LABEL_PREFIX,
  ANNOTATION_MODELS,
  ANNOTATION_TAG,
  ANNOTATION_TITLE,
  ANNOTATION_VERSION,
  BENTOCI_FILE_LAYER,
  BENTOCI_INFO_LAYER,
  MODELPACK_WEIGHT_CONFIG,
  OCI_MANIFEST,
} from '../oci/media-types.js';
import type { Descriptor, ImageManifest } from '../oci/schemas.js';
import type { FileEntry, ModelInfo } from '../shared/schemas.js';
import type { ArtifactKind } from './artifact-kinds.js';
import { fileAnnotations, fileKind, modelPackConfig } from './modelpack.js';

/** Files below this size are read and checked against the entry's manifest while the plan is made. */
export const CHECKED_FILE_MAX_BYTES = 1024 * 1024;

export interface PlannedBlob {
  descriptor: Descriptor;
  source: BlobSource;
}

export interface ArtifactPlan {
  manifest: ImageManifest;
  bytes: Buffer;
  digest: string;
  config: PlannedBlob;
  layers: PlannedBlob[];
}

/** One file of the entry, ready to upload: small ones read and checked now, large ones by digest. */
async function contentSource(dir: string, file: FileEntry, what: string): Promise<BlobSource> {
  if (file.size >= CHECKED_FILE_MAX_BYTES) return fileSource(join(dir, file.path), file);
  const data = await readFile(join(dir, file.path));
  if (data.length !== file.size || createHash('sha256').update(data).digest('hex') !== file.sha256) {
    throw new IntegrityError(
      `${what} is damaged: ${file.path} differs from its manifest; delete it and save or pull it again`,
    );
  }
  return bufferSource(data);
}

/**
 * The info file's bytes as stored, so a pull writes the same file. It must still say what the entry
 * was read as (its digest was checked against that).
 */
async function infoFileSource<I extends EntryInfo>(
  kind: ArtifactKind<I>,
  entry: StoredEntry<I>,
  what: string,
): Promise<BlobSource> {
  const bytes = await readFile(join(entry.dir, kind.infoFile));
  const parsed = kind.schema.safeParse(YAML.parse(bytes.toString('utf8')));
  if (!parsed.success || canonicalJson(parsed.data) !== canonicalJson(entry.info))
    throw new IntegrityError(`${what}: ${kind.infoFile} changed while it was being pushed; push it again`);
  return bufferSource(bytes);
}

function annotationsOf(kind: ArtifactKind<EntryInfo>, info: EntryInfo): Record<string, string> {
  const extra = info as EntryInfo & {
    labels?: Record<string, string>;
    description?: string;
    models?: { tag: string }[];
  };
  const annotations: Record<string, string> = {
    [ANNOTATION_CREATED]: info.creation_time,
    [ANNOTATION_TITLE]: info.name,
    [ANNOTATION_VERSION]: info.version,
    [ANNOTATION_KIND]: kind.noun,
    [ANNOTATION_TAG]: `${info.name}:${info.version}`,
    [ANNOTATION_CONTENT_DIGEST]: info.digest,
  };
  if (extra.description) annotations[ANNOTATION_DESCRIPTION] = extra.description;
  for (const [key, value] of Object.entries(extra.labels ?? {}))
    annotations[`${ANNOTATION_LABEL_PREFIX}${key}`] = value;
  if (extra.models && extra.models.length > 0)
    annotations[ANNOTATION_MODELS] = extra.models.map((m) => m.tag).join(',');
  return annotations;
}

function byPath(a: FileEntry, b: FileEntry): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}

function planned(source: BlobSource, mediaType: string, annotations: Record<string, string>): PlannedBlob {
  return { descriptor: { mediaType, digest: source.digest, size: source.size, annotations }, source };
}

/** Model: ModelPack layers (model.yaml first, then the files by path), each titled with its path. */
async function modelLayers(entry: StoredEntry<ModelInfo>, info: BlobSource, what: string) {
  const created = entry.info.creation_time;
  const layers = [
    planned(info, MODELPACK_WEIGHT_CONFIG, fileAnnotations('model.yaml', info.size, created, false)),
  ];
  for (const file of [...entry.info.files].sort(byPath)) {
    const kind = fileKind(file.path, file.size, entry.info.entrypoint);
    const source = await contentSource(entry.dir, file, what);
    layers.push(
      planned(source, kind.mediaType, fileAnnotations(file.path, file.size, created, kind.untested)),
    );
  }
  return layers;
}

/** Bento: bento.yaml first, then every file by path, each its own titled layer. */
async function bentoLayers(entry: StoredEntry<EntryInfo>, info: BlobSource, what: string) {
  const layers = [planned(info, BENTOCI_INFO_LAYER, { [ANNOTATION_TITLE]: 'bento.yaml' })];
  for (const file of [...entry.info.files].sort(byPath)) {
    const source = await contentSource(entry.dir, file, what);
    layers.push(planned(source, BENTOCI_FILE_LAYER, { [ANNOTATION_TITLE]: file.path }));
  }
  return layers;
}

/**
 * The artifact of a stored entry (docs/oci-artifacts.md): one layer per file, the info file included,
 * each its bytes as they are and titled with its path, so the layer digest of a content file is its
 * sha256 in the entry's manifest and an ORAS pull writes the whole entry. A model is a CNCF ModelPack
 * artifact; a bento keeps bentoci's types with its bento.yaml as canonical JSON for config. The same
 * entry always gives the same manifest bytes.
 */
export async function planArtifact<I extends EntryInfo>(
  kind: ArtifactKind<I>,
  entry: StoredEntry<I>,
): Promise<ArtifactPlan> {
  const what = `${kind.noun} ${formatTag(entry.tag)}`;
  const info = await infoFileSource(kind, entry, what);
  const layers =
    kind.layout === 'modelpack'
      ? await modelLayers(entry as unknown as StoredEntry<ModelInfo>, info, what)
      : await bentoLayers(entry, info, what);
  const configValue =
    kind.layout === 'modelpack'
      ? modelPackConfig(
          entry.info as unknown as ModelInfo,
          layers.map((l) => l.descriptor),
        )
      : entry.info;
  const configBytes = Buffer.from(canonicalJson(configValue));
  const config: PlannedBlob = {
    descriptor: { mediaType: kind.configType, digest: sha256Digest(configBytes), size: configBytes.length },
    source: bufferSource(configBytes),
  };
  const manifest: ImageManifest = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    artifactType: kind.artifactType,
    config: config.descriptor,
    layers: layers.map((l) => l.descriptor),
    annotations: annotationsOf(kind as ArtifactKind<EntryInfo>, entry.info),
  };
  const bytes = Buffer.from(JSON.stringify(manifest));
  // One layer per file: an entry of very many files makes a manifest registries refuse (and we do too).
  if (bytes.length > MAX_MANIFEST_BYTES) {
    throw new UsageError(
      `${what} has ${entry.info.files.length} files, which make a manifest of ${bytes.length} bytes, over the ${MAX_MANIFEST_BYTES} that registries accept: put the small files in an archive (one file) and ${kind.noun === 'model' ? 'save' : 'build'} it again`,
    );
  }
  return { manifest, bytes, digest: sha256Digest(bytes), config, layers };
}
