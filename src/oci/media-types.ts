/**
 * Media types: the OCI and Docker ones we read and write, and bentoci's own for models and bentos
 * (documented in docs/oci-artifacts.md; changing one breaks every artifact already pushed).
 */
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
export const OCI_LAYER_TAR = 'application/vnd.oci.image.layer.v1.tar';
export const OCI_LAYER_GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip';
export const OCI_EMPTY = 'application/vnd.oci.empty.v1+json';

export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
export const DOCKER_MANIFEST_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
export const DOCKER_CONFIG = 'application/vnd.docker.container.image.v1+json';
export const DOCKER_LAYER_GZIP = 'application/vnd.docker.image.rootfs.diff.tar.gzip';

/** Every manifest kind we can read, for the Accept header. Schema 1 is refused: it is unsigned and obsolete. */
export const MANIFEST_TYPES = [OCI_MANIFEST, OCI_INDEX, DOCKER_MANIFEST, DOCKER_MANIFEST_LIST] as const;
export type ManifestMediaType = (typeof MANIFEST_TYPES)[number];

export function isIndexType(mediaType: string): boolean {
  return mediaType === OCI_INDEX || mediaType === DOCKER_MANIFEST_LIST;
}

export const BENTOCI_MODEL_ARTIFACT = 'application/vnd.bentoci.model.v1';
/** The landed layout of both kinds (small files in one tar); read, no longer written. */
export const BENTOCI_BENTO_ARTIFACT = 'application/vnd.bentoci.bento.v1';
/** A bento with every file, bento.yaml included, as its own titled layer. */
export const BENTOCI_BENTO_ARTIFACT_V2 = 'application/vnd.bentoci.bento.v2';
/** Config blobs: the entry's model.yaml / bento.yaml as canonical JSON. */
export const BENTOCI_MODEL_CONFIG = 'application/vnd.bentoci.model.config.v1+json';
export const BENTOCI_BENTO_CONFIG = 'application/vnd.bentoci.bento.config.v1+json';
/** One large file, its bytes as they are (so the layer digest is the file's sha256 in the entry's manifest). */
export const BENTOCI_FILE_LAYER = 'application/vnd.bentoci.file.v1';
/** The entry's small files in one uncompressed, reproducible tar (landed layout; read only). */
export const BENTOCI_FILES_TAR = 'application/vnd.bentoci.files.v1.tar';
/** A bento's bento.yaml, its bytes as stored, titled `bento.yaml`. */
export const BENTOCI_INFO_LAYER = 'application/vnd.bentoci.info.v1+yaml';

/**
 * CNCF ModelPack (modelpack/model-spec v1): models are pushed in this format. Writers before the
 * spec moved to the CNCF used `vnd.cnai` / `org.cnai` for the same types and keys; pull reads both.
 */
export const MODELPACK_MANIFEST = 'application/vnd.cncf.model.manifest.v1+json';
export const MODELPACK_CONFIG = 'application/vnd.cncf.model.config.v1+json';
export const MODELPACK_WEIGHT = 'application/vnd.cncf.model.weight.v1.raw';
export const MODELPACK_WEIGHT_CONFIG = 'application/vnd.cncf.model.weight.config.v1.raw';
export const MODELPACK_DOC = 'application/vnd.cncf.model.doc.v1.raw';
export const MODELPACK_CODE = 'application/vnd.cncf.model.code.v1.raw';
export const MODELPACK_DATASET = 'application/vnd.cncf.model.dataset.v1.raw';
export const MODELPACK_TYPE_PREFIX = 'application/vnd.cncf.model.';
export const MODELPACK_OLD_TYPE_PREFIX = 'application/vnd.cnai.model.';
export const ANNOTATION_MODEL_FILEPATH = 'org.cncf.model.filepath';
export const ANNOTATION_MODEL_FILE_METADATA = 'org.cncf.model.file.metadata+json';
export const ANNOTATION_MODEL_MEDIATYPE_UNTESTED = 'org.cncf.model.file.mediatype.untested';
export const MODELPACK_ANNOTATION_PREFIX = 'org.cncf.model.';
export const MODELPACK_OLD_ANNOTATION_PREFIX = 'org.cnai.model.';

/** Annotation keys: the OCI pre-defined ones and ours. */
export const ANNOTATION_CREATED = 'org.opencontainers.image.created';
export const ANNOTATION_TITLE = 'org.opencontainers.image.title';
export const ANNOTATION_VERSION = 'org.opencontainers.image.version';
export const ANNOTATION_DESCRIPTION = 'org.opencontainers.image.description';
export const ANNOTATION_REF_NAME = 'org.opencontainers.image.ref.name';
export const ANNOTATION_KIND = 'dev.bentoci.kind';
export const ANNOTATION_TAG = 'dev.bentoci.tag';
export const ANNOTATION_CONTENT_DIGEST = 'dev.bentoci.content-digest';
export const ANNOTATION_LABEL_PREFIX = 'dev.bentoci.label.';
export const ANNOTATION_MODELS = 'dev.bentoci.models';
