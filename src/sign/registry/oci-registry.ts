/**
 * SignatureRegistry over the OCI client (src/oci `Repository`): its session carries auth, retries,
 * timeouts and the limits on what a registry may send back.
 */
import { NotFoundError } from '../../core/errors.js';
import { bentociHome } from '../../core/home.js';
import { openRepository, type Reference, type Repository, type RepositoryOptions } from '../../oci/index.js';
import type { FetchedManifest, SignatureRegistry } from './signature-registry.js';

export interface RegistryFlags {
  insecure?: boolean;
  caFile?: string;
}

/** Adapts a Repository (and its siblings on the same registry) to what signing needs. */
export class RepositorySignatureRegistry implements SignatureRegistry {
  constructor(readonly repository: Repository) {}

  private repo(name: string): Repository {
    return name === this.repository.name ? this.repository : this.repository.sibling(name);
  }

  async getManifest(repository: string, reference: string): Promise<FetchedManifest | undefined> {
    try {
      return await this.repo(repository).getManifest(reference);
    } catch (err) {
      if (err instanceof NotFoundError) return undefined;
      throw err;
    }
  }

  putManifest(repository: string, reference: string, mediaType: string, bytes: Uint8Array) {
    return this.repo(repository).storeManifest(reference, Buffer.from(bytes), mediaType);
  }

  /** Signature payloads, envelopes and configs are small: read at most the manifest limit. */
  getBlob(repository: string, digest: string): Promise<Buffer> {
    return this.repo(repository).fetchBlob(digest);
  }

  async putBlob(repository: string, bytes: Uint8Array): Promise<string> {
    return (await this.repo(repository).putBlob(bytes, 'application/octet-stream')).digest;
  }

  getReferrers(repository: string, digest: string, artifactType?: string) {
    return this.repo(repository).referrers(digest, artifactType);
  }

  close(): Promise<void> {
    return this.repository.close();
  }
}

/**
 * A SignatureRegistry for the registry of `ref`: plain HTTP with `insecure` or when the host is
 * listed under `registries.insecure` in $BENTOCI_HOME/config.yaml; credentials as for push/pull.
 */
export async function openSignatureRegistry(
  ref: Reference,
  flags: RegistryFlags,
  options: Omit<RepositoryOptions, 'insecure' | 'caFile'> = {},
): Promise<RepositorySignatureRegistry> {
  const repository = await openRepository(ref, {
    home: bentociHome(),
    ...options,
    ...(flags.insecure ? { insecure: true } : {}),
    ...(flags.caFile ? { caFile: flags.caFile } : {}),
  });
  return new RepositorySignatureRegistry(repository);
}
