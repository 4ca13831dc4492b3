/**
 * SignatureRegistry over the OCI client (src/oci `Repository`): its session carries auth, retries and
 * timeouts. Manifest PUTs go through the session directly because attaching signatures needs the
 * `OCI-Subject` reply header, and referrers are asked for with the OCI 1.1 API.
 */
import { BentoError, IntegrityError, NotFoundError } from '../core/errors.js';
import { bentociHome } from '../core/home.js';
import { header } from '../oci/http.js';
import {
  OCI_INDEX,
  openRepository,
  type Reference,
  type Repository,
  type RepositoryOptions,
} from '../oci/index.js';
import { readLimited } from '../oci/manifests.js';
import { ociIndexSchema } from './formats.js';
import { type FetchedManifest, type SignatureRegistry, sha256Digest } from './registry.js';

/** Signature payloads, envelopes, configs and referrer indexes are small; anything larger is not ours. */
const MAX_SIGNATURE_BYTES = 4 * 1024 * 1024;

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

  async putManifest(repository: string, reference: string, mediaType: string, bytes: Uint8Array) {
    const repo = this.repo(repository);
    const session = repo.session;
    const body = Buffer.from(bytes);
    const digest = sha256Digest(body);
    const res = await session.request(
      {
        method: 'PUT',
        url: session.url(`/v2/${repository}/manifests/${reference}`),
        headers: { 'content-type': mediaType, 'content-length': String(body.length) },
        body: () => body,
      },
      repo.scopes,
    );
    if (res.status !== 201 && res.status !== 200)
      return session.fail(res, `storing manifest ${session.registry}/${repository}:${reference}`);
    await res.body.dump().catch(() => undefined);
    const told = header(res, 'docker-content-digest');
    if (told?.startsWith('sha256:') && told !== digest) {
      throw new IntegrityError(
        `registry ${session.registry} stored manifest ${repository}:${reference} as ${told}, not ${digest}`,
      );
    }
    return { digest, subjectAccepted: header(res, 'oci-subject') !== undefined };
  }

  getBlob(repository: string, digest: string): Promise<Buffer> {
    return this.repo(repository).fetchBlob(digest, MAX_SIGNATURE_BYTES);
  }

  async putBlob(repository: string, bytes: Uint8Array): Promise<string> {
    return (await this.repo(repository).putBlob(bytes, 'application/octet-stream')).digest;
  }

  async getReferrers(repository: string, digest: string, artifactType?: string) {
    const repo = this.repo(repository);
    const session = repo.session;
    const query = artifactType ? `?artifactType=${encodeURIComponent(artifactType)}` : '';
    const res = await session.request(
      {
        method: 'GET',
        url: session.url(`/v2/${repository}/referrers/${digest}${query}`),
        headers: { accept: OCI_INDEX },
      },
      repo.scopes,
    );
    // 404 (distribution 2.8 has no such route) or 405: no referrers API, the caller uses the tag fallback.
    if (res.status === 404 || res.status === 405) {
      await res.body.dump().catch(() => undefined);
      return undefined;
    }
    if (res.status !== 200) return session.fail(res, `listing referrers of ${repository}@${digest}`);
    const bytes = await readLimited(res, MAX_SIGNATURE_BYTES, `referrers of ${repository}@${digest}`);
    let json: unknown;
    try {
      json = JSON.parse(bytes.toString('utf8'));
    } catch {
      // A registry that answers unknown routes with a 200 HTML page has no referrers API either.
      return undefined;
    }
    const parsed = ociIndexSchema.safeParse(json);
    if (!parsed.success)
      throw new BentoError(
        `registry ${session.registry} answered the referrers API with something that is not an OCI index`,
      );
    return parsed.data;
  }

  close(): Promise<void> {
    return this.repository.close();
  }
}

/**
 * A SignatureRegistry for the registry of `ref`: plain HTTP with `--insecure` or when the host is
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
