import { BentoError } from '../core/errors.js';
import { repositoryScope } from './auth.js';
import { BlobDownloader, type DownloadOptions } from './blob-download.js';
import { type BlobSource, bufferSource } from './blob-source.js';
import { BlobUploader, type UploadOptions, type UploadOutcome } from './blob-upload.js';
import { isInsecureRegistry } from './config.js';
import { header } from './http.js';
import { MAX_MANIFEST_BYTES, MAX_TAG_PAGE_BYTES, MAX_TAG_PAGES, readLimited } from './limits.js';
import {
  type FetchedManifest,
  getManifest,
  headManifest,
  type ManifestHead,
  putManifest,
  type StoredManifest,
  storeManifest,
} from './manifests.js';
import { followUrl } from './origin.js';
import { formatReference, parseOciUrl, type Reference } from './reference.js';
import { getReferrers } from './referrers.js';
import { type Descriptor, type ImageIndex, tagListSchema } from './schemas.js';
import { RegistrySession, type SessionOptions } from './session.js';

export interface RepositoryOptions extends SessionOptions {
  /** Ask for push rights (the token scope); pull-only otherwise. */
  push?: boolean;
  /** $BENTOCI_HOME: hosts listed under registries.insecure in its config.yaml get plain HTTP. */
  home?: string;
}

/**
 * One repository on one registry: the small interface the rest of bentoci (push/pull of artifacts,
 * images, signatures) is built on. Manifests and blobs by reference, tags resolved to digests.
 */
export class Repository {
  readonly scopes: string[];
  private readonly uploader: BlobUploader;
  private readonly downloader: BlobDownloader;

  constructor(
    readonly session: RegistrySession,
    readonly ref: Reference,
    readonly push: boolean,
  ) {
    this.scopes = [repositoryScope(ref.repository, push)];
    this.uploader = new BlobUploader(session, ref.repository, this.scopes);
    this.downloader = new BlobDownloader(session, ref.repository, this.scopes);
  }

  get name(): string {
    return this.ref.repository;
  }

  toString(): string {
    return formatReference({ registry: this.ref.registry, repository: this.ref.repository });
  }

  /** Another repository on the same registry, sharing the connection and credentials. */
  sibling(repository: string, push = this.push): Repository {
    return new Repository(this.session, { registry: this.ref.registry, repository }, push);
  }

  /** The digest a tag points at, or undefined when the tag does not exist. */
  async resolve(tag: string): Promise<string | undefined> {
    return (await this.head(tag))?.digest;
  }

  head(reference: string): Promise<ManifestHead | undefined> {
    return headManifest(this.session, this.name, reference, this.scopes);
  }

  /** `size`, from the descriptor that names the manifest, caps the read (4 MiB without it). */
  getManifest(reference: string, size?: number): Promise<FetchedManifest> {
    return getManifest(this.session, this.name, reference, this.scopes, size);
  }

  /** Stores a manifest under `reference` (a tag, or its own digest); returns the digest. */
  putManifest(reference: string, bytes: Buffer, mediaType: string): Promise<string> {
    return putManifest(this.session, this.name, reference, bytes, mediaType, this.scopes);
  }

  /** As putManifest, and whether the registry indexed the manifest's `subject` (it answered `OCI-Subject`). */
  storeManifest(reference: string, bytes: Buffer, mediaType: string): Promise<StoredManifest> {
    return storeManifest(this.session, this.name, reference, bytes, mediaType, this.scopes);
  }

  /** The manifests naming `digest` as their subject (OCI 1.1 referrers API), or undefined without the API. */
  referrers(digest: string, artifactType?: string): Promise<ImageIndex | undefined> {
    return getReferrers(this.session, this.name, digest, this.scopes, artifactType);
  }

  async hasBlob(digest: string): Promise<boolean> {
    return (await this.uploader.exists(digest)) !== undefined;
  }

  uploadBlob(source: BlobSource, options: UploadOptions = {}): Promise<UploadOutcome> {
    const mountScopes = (options.mountFrom ?? []).map((r) => repositoryScope(r, false));
    return this.uploader.upload(source, { ...options, mountScopes });
  }

  /** Uploads bytes held in memory (a config, a signature payload) and returns their descriptor. */
  async putBlob(bytes: Uint8Array, mediaType: string): Promise<Descriptor> {
    const source = bufferSource(bytes);
    await this.uploader.upload(source);
    return { mediaType, digest: source.digest, size: source.size };
  }

  /** A small blob (a config) in memory: at most `limit` bytes, and at most `size` when its descriptor is at hand. */
  fetchBlob(digest: string, limit = MAX_MANIFEST_BYTES, size?: number): Promise<Buffer> {
    return this.downloader.fetch(digest, limit, size);
  }

  /** A blob to a file, never more than the descriptor's `size` bytes on disk. */
  downloadBlob(digest: string, size: number, dest: string, options: DownloadOptions = {}): Promise<void> {
    return this.downloader.toFile(digest, size, dest, options);
  }

  /**
   * Every tag of the repository, following the registry's pagination: a next page on another origin
   * is fetched without credentials, and a Link that loops or never ends stops at MAX_TAG_PAGES.
   */
  async tags(): Promise<string[]> {
    const out: string[] = [];
    const seen = new Set<string>();
    let url: string | undefined = this.session.url(`/v2/${this.name}/tags/list?n=1000`);
    while (url) {
      if (seen.has(url) || seen.size >= MAX_TAG_PAGES) {
        throw new BentoError(
          `the tag list of ${this} ${seen.has(url) ? 'links back to a page already read' : `runs past ${MAX_TAG_PAGES} pages`}: the registry's pagination is broken`,
        );
      }
      seen.add(url);
      const res = await this.session.request({ method: 'GET', url }, this.scopes);
      if (res.status === 404) {
        await res.body.dump().catch(() => undefined);
        return out;
      }
      if (res.status !== 200) return this.session.fail(res, `listing tags of ${this}`);
      const what = `the tag list of ${this}`;
      const text = (await readLimited(res, MAX_TAG_PAGE_BYTES, what)).toString('utf8');
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        throw new BentoError(`${what} is not JSON`);
      }
      const parsed = tagListSchema.safeParse(json);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new BentoError(`${what} is not a tag list: ${issue?.path.join('.')}: ${issue?.message}`);
      }
      out.push(...(parsed.data.tags ?? []));
      const link = header(res, 'link');
      const next = link ? /<([^>]+)>\s*;\s*rel="?next"?/.exec(link)?.[1] : undefined;
      url = next ? followUrl(next, url, this.ref.registry, `the next page of ${what}`) : undefined;
    }
    return out;
  }

  close(): Promise<void> {
    return this.session.close();
  }
}

/** Opens a repository from `oci://host/repo` or a parsed reference. */
export async function openRepository(
  target: string | Reference,
  options: RepositoryOptions = {},
): Promise<Repository> {
  const ref = typeof target === 'string' ? parseOciUrl(target) : target;
  const insecure =
    options.insecure || (options.home ? await isInsecureRegistry(options.home, ref.registry) : false);
  const session = await RegistrySession.open(ref.registry, { ...options, insecure });
  return new Repository(session, ref, options.push ?? false);
}
