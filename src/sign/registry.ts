/**
 * The little of a registry that signatures need, bound to one registry host. Kept narrow so the OCI
 * client in src/oci (or anything speaking the distribution API) can provide it.
 */
import { createHash } from 'node:crypto';
import type { OciIndex } from './formats.js';

export interface FetchedManifest {
  digest: string;
  mediaType: string;
  bytes: Buffer;
}

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
  getReferrers(repository: string, digest: string, artifactType?: string): Promise<OciIndex | undefined>;
}

export function sha256Digest(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** `sha256:<hex>` -> `sha256-<hex>`: the tag form cosign and the OCI referrers fallback use. */
export function digestTag(digest: string, suffix = ''): string {
  return `${digest.replace(':', '-')}${suffix}`;
}
