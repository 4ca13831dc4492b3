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
export const BENTOCI_BENTO_ARTIFACT = 'application/vnd.bentoci.bento.v1';
/** Config blobs: the entry's model.yaml / bento.yaml as canonical JSON. */
export const BENTOCI_MODEL_CONFIG = 'application/vnd.bentoci.model.config.v1+json';
export const BENTOCI_BENTO_CONFIG = 'application/vnd.bentoci.bento.config.v1+json';
/** One large file, its bytes as they are (so the layer digest is the file's sha256 in the entry's manifest). */
export const BENTOCI_FILE_LAYER = 'application/vnd.bentoci.file.v1';
/** The entry's small files in one uncompressed, reproducible tar. */
export const BENTOCI_FILES_TAR = 'application/vnd.bentoci.files.v1.tar';

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
