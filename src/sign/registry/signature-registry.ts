/**
 * The little of a registry that signatures need, bound to one registry host. Kept narrow so the OCI
 * client in src/oci (oci-registry.ts) or anything speaking the distribution API (tests use an
 * in-memory one) can provide it.
 */
import type { FetchedManifest } from '../../oci/manifests.js';
import type { ImageIndex } from '../../oci/schemas.js';

export type { FetchedManifest };

export interface SignatureRegistry {
  /** The manifest (or index) at a tag or digest, or undefined when the registry answers 404. */
  getManifest(repository: string, reference: string): Promise<FetchedManifest | undefined>;
  /**
   * Stores a manifest under a tag or its digest. `subjectAccepted` is true when the registry answered
   * with an `OCI-Subject` header, i.e. it indexes referrers itself.
   */
  putManifest(
    repository: string,
    reference: string,
    mediaType: string,
    bytes: Uint8Array,
  ): Promise<{ digest: string; subjectAccepted: boolean }>;
  getBlob(repository: string, digest: string): Promise<Buffer>;
  /** Uploads a blob (a no-op when the registry has it) and returns its digest. */
  putBlob(repository: string, bytes: Uint8Array): Promise<string>;
  /** OCI 1.1 referrers of a digest, or undefined when the registry has no referrers API (404). */
  getReferrers(repository: string, digest: string, artifactType?: string): Promise<ImageIndex | undefined>;
}
