/**
 * What pull makes of a manifest, in every layout it reads: the entry's info (validated, its digest
 * over metadata and files checked) and which layer holds which content file. Layouts: CNCF ModelPack
 * (models; also its older `vnd.cnai` names), bentoci's with one titled layer per file and the info
 * file as a layer (bentos), and the landed bentoci layout (config = info, small files in one tar).
 * Nothing here writes to disk; only the config and the info-file layer are fetched.
 */
import YAML from 'yaml';
import { canonicalJson, entryDigest, isLegacyDigest } from '../core/digest.js';
import { BentoError, IntegrityError, UsageError } from '../core/errors.js';
import type { EntryInfo } from '../core/store.js';
import { operation, say } from '../core/user-text.js';
import type { Repository } from '../oci/client.js';
import { MAX_MANIFEST_BYTES } from '../oci/limits.js';
import {
  ANNOTATION_CONTENT_DIGEST,
  ANNOTATION_TITLE,
  BENTOCI_FILE_LAYER,
  BENTOCI_FILES_TAR,
  BENTOCI_INFO_LAYER,
} from '../oci/media-types.js';
import type { Descriptor, ImageManifest } from '../oci/schemas.js';
import { type ArtifactKind, artifactKinds } from './artifact-kinds.js';
import {
  isModelPackConfig,
  MODELPACK_RAW_TYPES,
  modelPackConfigSchema,
  modelPackLayerPath,
  modelPackType,
} from './modelpack.js';
import { safeEntryPath } from './safe-path.js';

/** Configs and info files are metadata: a file list of many thousand entries still fits. */
const MAX_METADATA_BYTES = 16 * 1024 * 1024;

export interface FileLayer {
  layer: Descriptor;
  /** Where it goes in the entry. */
  path: string;
}

export interface ReadArtifact<I extends EntryInfo> {
  info: I;
  /** Layers that are one content file each. */
  files: FileLayer[];
  /** Tars of content files (landed layout). */
  tars: Descriptor[];
}

/** The kind a manifest's config says it holds must be the one asked for. */
export function checkKind(kind: ArtifactKind<EntryInfo>, manifest: ImageManifest, what: string): void {
  const type = manifest.config.mediaType;
  if (kind.readsConfigTypes.includes(type)) return;
  const other = artifactKinds.find((k) => k.readsConfigTypes.includes(type));
  if (other)
    throw new UsageError(
      say`${what} holds a ${other.noun}, not a ${kind.noun}: use ${operation(other.pullOperation)}`,
    );
  throw new UsageError(
    `${what} is not a bentoci ${kind.noun} (its config is ${type}, expected ${kind.configType})`,
  );
}

function parseInfo<I extends EntryInfo>(kind: ArtifactKind<I>, value: unknown, what: string): I {
  const parsed = kind.schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new BentoError(`${what} is invalid at ${issue?.path.join('.')}: ${issue?.message}`);
  }
  return parsed.data;
}

function parseJson(bytes: Buffer, what: string): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new BentoError(`${what} is not JSON: ${(err as Error).message}`);
  }
}

/**
 * The info must carry the digest of its own metadata and file list, whether the manifest was named
 * by digest or by a tag (which the registry may point anywhere): otherwise the metadata is not what
 * was pushed under that digest, or it was pushed by bentoci 0.1, whose digest does not cover it.
 */
function checkInfoDigest(kind: ArtifactKind<EntryInfo>, info: EntryInfo, reference: string, what: string) {
  const computed = entryDigest(kind.infoFile, info);
  if (computed === info.digest) return;
  if (isLegacyDigest(info)) {
    throw new IntegrityError(
      `${reference} was pushed by an earlier bentoci, whose digest (${info.digest}) covers the ${kind.noun}'s files but not its ${kind.infoFile}; refusing it: push it again from a store where it was ${kind.noun === 'model' ? 'saved' : 'built'} with this bentoci`,
    );
  }
  throw new IntegrityError(
    `${reference}: its ${what} does not match the digest it records (${info.digest}; its metadata and files digest to ${computed}): it was altered; nothing was pulled`,
  );
}

/** The info-file layer: the stored model.yaml / bento.yaml, parsed as the store reads it. */
async function fetchInfoLayer<I extends EntryInfo>(
  kind: ArtifactKind<I>,
  repo: Repository,
  layer: Descriptor,
  reference: string,
): Promise<I> {
  const what = `${reference}: its ${kind.infoFile} layer`;
  const bytes = await repo.fetchBlob(layer.digest, MAX_METADATA_BYTES, layer.size);
  let value: unknown;
  try {
    value = YAML.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new BentoError(`${what} is not YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  return parseInfo(kind, value, what);
}

/** Every content-file layer must be a file of the info's manifest (path, digest, size), once. */
function checkFileLayers(
  kind: ArtifactKind<EntryInfo>,
  info: EntryInfo,
  files: FileLayer[],
  reference: string,
) {
  const expected = new Map(info.files.map((f) => [f.path, f]));
  const seen = new Set<string>();
  for (const { layer, path } of files) {
    const file = expected.get(path);
    if (!file || seen.has(path) || `sha256:${file.sha256}` !== layer.digest || file.size !== layer.size) {
      throw new IntegrityError(
        `${reference}: layer ${path} (${layer.digest}) is not in the ${kind.noun}'s file manifest`,
      );
    }
    seen.add(path);
  }
}

/** A CNCF ModelPack model pushed by bentoci: the config checked against the layers, model.yaml as info. */
async function readModelPack<I extends EntryInfo>(
  kind: ArtifactKind<I>,
  repo: Repository,
  manifest: ImageManifest,
  reference: string,
): Promise<ReadArtifact<I>> {
  const configBytes = await repo.fetchBlob(manifest.config.digest, MAX_MANIFEST_BYTES, manifest.config.size);
  const parsed = modelPackConfigSchema.safeParse(parseJson(configBytes, `${reference}: its model config`));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new BentoError(
      `${reference}: its ModelPack config is invalid at ${issue?.path.join('.')}: ${issue?.message}`,
    );
  }
  const config = parsed.data;
  const digests = manifest.layers.map((l) => l.digest);
  // Raw layers are their own uncompressed content: each diff id is the layer's digest.
  if (canonicalJson(config.modelfs.diffIds) !== canonicalJson(digests)) {
    throw new IntegrityError(
      `${reference}: the config's modelfs.diffIds do not name the manifest's layers in order; refusing it`,
    );
  }
  let infoLayer: Descriptor | undefined;
  const files: FileLayer[] = [];
  for (const layer of manifest.layers) {
    const type = modelPackType(layer.mediaType);
    if (!MODELPACK_RAW_TYPES.includes(type)) {
      throw new BentoError(
        `${reference}: layer ${layer.digest} is ${layer.mediaType}; bentoci reads raw ModelPack layers (.raw), as it pushes them`,
      );
    }
    const path = safeEntryPath(modelPackLayerPath(layer) ?? '', `${reference} layer ${layer.digest}`);
    if (path !== kind.infoFile) files.push({ layer, path });
    else if (infoLayer) throw new IntegrityError(`${reference}: more than one layer is ${kind.infoFile}`);
    else infoLayer = layer;
  }
  if (!infoLayer) {
    throw new UsageError(
      say`${reference} is a ModelPack model without a ${kind.infoFile} layer (not pushed by bentoci): pull it with a ModelPack tool (modctl, oras) and save it with ${operation('save-model')}`,
    );
  }
  const info = await fetchInfoLayer(kind, repo, infoLayer, reference);
  checkInfoDigest(kind as ArtifactKind<EntryInfo>, info, reference, `${kind.infoFile}`);
  const { name, version } = config.descriptor;
  if ((name !== undefined && name !== info.name) || (version !== undefined && version !== info.version)) {
    throw new IntegrityError(
      `${reference}: the ModelPack config names ${name}:${version}, its ${kind.infoFile} ${info.name}:${info.version}; refusing it`,
    );
  }
  return { info, files, tars: [] };
}

/** bentoci's layouts: config = info as canonical JSON; file layers, the landed tar, the info layer. */
async function readBentoci<I extends EntryInfo>(
  kind: ArtifactKind<I>,
  repo: Repository,
  manifest: ImageManifest,
  reference: string,
): Promise<ReadArtifact<I>> {
  // Capped at the size its descriptor gives (a registry may not stream more than it declared).
  const configBytes = await repo.fetchBlob(manifest.config.digest, MAX_METADATA_BYTES, manifest.config.size);
  const config = parseInfo(
    kind,
    parseJson(configBytes, `${reference}: its ${kind.noun} config`),
    `${reference}: its ${kind.noun} config`,
  );
  checkInfoDigest(kind as ArtifactKind<EntryInfo>, config, reference, `${kind.noun} config`);
  let info = config;
  const files: FileLayer[] = [];
  const tars: Descriptor[] = [];
  for (const layer of manifest.layers) {
    const what = `${reference} layer ${layer.digest}`;
    if (layer.mediaType === BENTOCI_FILE_LAYER) {
      files.push({ layer, path: safeEntryPath(layer.annotations?.[ANNOTATION_TITLE] ?? '', what) });
    } else if (layer.mediaType === BENTOCI_FILES_TAR) {
      tars.push(layer);
    } else if (layer.mediaType === BENTOCI_INFO_LAYER) {
      if (info !== config || layer.annotations?.[ANNOTATION_TITLE] !== kind.infoFile)
        throw new BentoError(`${what} must be the one ${kind.infoFile} layer, titled so`);
      // The stored bytes of the info file, so the pulled one is the same file: it must say what the config says.
      info = await fetchInfoLayer(kind, repo, layer, reference);
      if (canonicalJson(info) !== canonicalJson(config)) {
        throw new IntegrityError(
          `${reference}: its ${kind.infoFile} layer differs from its ${kind.noun} config; refusing it`,
        );
      }
    } else {
      throw new BentoError(
        `${reference}: layer ${layer.digest} has the unknown media type ${layer.mediaType}`,
      );
    }
  }
  return { info, files, tars };
}

/** Reads the manifest of a `kind` artifact in any layout pull accepts; see the file comment. */
export async function readArtifact<I extends EntryInfo>(
  kind: ArtifactKind<I>,
  repo: Repository,
  manifest: ImageManifest,
  reference: string,
): Promise<ReadArtifact<I>> {
  checkKind(kind as ArtifactKind<EntryInfo>, manifest, reference);
  const read = isModelPackConfig(manifest.config.mediaType)
    ? await readModelPack(kind, repo, manifest, reference)
    : await readBentoci(kind, repo, manifest, reference);
  const recorded = manifest.annotations?.[ANNOTATION_CONTENT_DIGEST];
  if (recorded !== undefined && recorded !== read.info.digest) {
    throw new IntegrityError(
      `${reference}: the manifest records the content digest ${recorded}, its ${kind.infoFile} ${read.info.digest}; refusing it`,
    );
  }
  checkFileLayers(kind as ArtifactKind<EntryInfo>, read.info, read.files, reference);
  return read;
}
