import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tar from 'tar-stream';
import { canonicalJson } from '../core/digest.js';
import { IntegrityError } from '../core/errors.js';
import type { EntryInfo, StoredEntry } from '../core/store.js';
import { formatTag } from '../core/tag.js';
import { type BlobSource, bufferSource, fileSource } from '../oci/blob-source.js';
import { sha256Digest } from '../oci/manifests.js';
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
  BENTOCI_FILES_TAR,
  OCI_MANIFEST,
} from '../oci/media-types.js';
import type { Descriptor, ImageManifest } from '../oci/schemas.js';
import type { FileEntry } from '../shared/schemas.js';
import type { ArtifactKind } from './artifact-kinds.js';

/** Files from this size on travel as their own layer (deduplicated by digest); smaller ones share a tar. */
export const OWN_LAYER_MIN_BYTES = 1024 * 1024;
export const FILE_COUNT_ANNOTATION = 'dev.bentoci.file-count';

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

/** A reproducible tar (sorted, zero times and owners) of small files, each checked against the entry's manifest. */
export async function smallFilesTar(dir: string, files: readonly FileEntry[], what: string): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const collected = (async () => {
    for await (const chunk of pack) chunks.push(chunk as Buffer);
  })();
  for (const file of [...files].sort((a, b) => (a.path < b.path ? -1 : 1))) {
    const data = await readFile(join(dir, file.path));
    if (data.length !== file.size || createHash('sha256').update(data).digest('hex') !== file.sha256) {
      throw new IntegrityError(
        `${what} is damaged: ${file.path} differs from its manifest; delete it and save or pull it again`,
      );
    }
    await new Promise<void>((resolve, reject) => {
      pack.entry(
        {
          name: file.path,
          size: data.length,
          mode: 0o644,
          mtime: new Date(0),
          uid: 0,
          gid: 0,
          uname: '',
          gname: '',
          type: 'file',
        },
        data,
        (err) => (err ? reject(err) : resolve()),
      );
    });
  }
  pack.finalize();
  await collected;
  return Buffer.concat(chunks);
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

/**
 * The artifact of a stored entry: config = the info as canonical JSON; one layer per file of at least
 * 1 MiB (its bytes as they are, so the layer digest is the manifest's sha256); the rest in one tar.
 */
export async function planArtifact<I extends EntryInfo>(
  kind: ArtifactKind<I>,
  entry: StoredEntry<I>,
): Promise<ArtifactPlan> {
  const what = `${kind.noun} ${formatTag(entry.tag)}`;
  const configBytes = Buffer.from(canonicalJson(entry.info));
  const config: PlannedBlob = {
    descriptor: { mediaType: kind.configType, digest: sha256Digest(configBytes), size: configBytes.length },
    source: bufferSource(configBytes),
  };
  const small = entry.info.files.filter((f) => f.size < OWN_LAYER_MIN_BYTES);
  const large = entry.info.files
    .filter((f) => f.size >= OWN_LAYER_MIN_BYTES)
    .sort((a, b) => (a.path < b.path ? -1 : 1));
  const layers: PlannedBlob[] = [];
  if (small.length > 0) {
    const source = bufferSource(await smallFilesTar(entry.dir, small, what));
    layers.push({
      descriptor: {
        mediaType: BENTOCI_FILES_TAR,
        digest: source.digest,
        size: source.size,
        annotations: { [FILE_COUNT_ANNOTATION]: String(small.length) },
      },
      source,
    });
  }
  for (const file of large) {
    const source = await fileSource(join(entry.dir, file.path), file);
    layers.push({
      descriptor: {
        mediaType: BENTOCI_FILE_LAYER,
        digest: source.digest,
        size: source.size,
        annotations: { [ANNOTATION_TITLE]: file.path },
      },
      source,
    });
  }
  const manifest: ImageManifest = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    artifactType: kind.artifactType,
    config: config.descriptor,
    layers: layers.map((l) => l.descriptor),
    annotations: annotationsOf(kind as ArtifactKind<EntryInfo>, entry.info),
  };
  const bytes = Buffer.from(JSON.stringify(manifest));
  return { manifest, bytes, digest: sha256Digest(bytes), config, layers };
}
