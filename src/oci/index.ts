/**
 * The registry client other features use (push/pull of artifacts and images, signatures): open a
 * repository, put/get manifests and blobs by reference, resolve tags to digests.
 */
export { type Challenge, parseChallenges, repositoryScope } from './auth.js';
export type { DownloadOptions } from './blob-download.js';
export { type BlobSource, bufferSource, fileSource } from './blob-source.js';
export type { UploadOptions, UploadOutcome } from './blob-upload.js';
export { openRepository, Repository, type RepositoryOptions } from './client.js';
export { type Credentials, resolveCredentials } from './credentials.js';
export {
  type FetchedManifest,
  type ManifestHead,
  parseImageIndex,
  parseImageManifest,
  sha256Digest,
} from './manifests.js';
export * from './media-types.js';
export {
  formatReference,
  parseImageReference,
  parseOciUrl,
  type Reference,
  referrersTag,
  signatureTag,
  withTarget,
} from './reference.js';
export type { Descriptor, ImageIndex, ImageManifest } from './schemas.js';
