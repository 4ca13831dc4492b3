import { BentoError, IntegrityError } from '../core/errors.js';
import { sha256Digest } from '../core/sha256.js';
import { type HttpResponse, header } from './http.js';
import { MAX_MANIFEST_BYTES, readLimited } from './limits.js';
import {
  DOCKER_MANIFEST,
  DOCKER_MANIFEST_LIST,
  isIndexType,
  MANIFEST_TYPES,
  OCI_INDEX,
  OCI_MANIFEST,
} from './media-types.js';
import { isDigest } from './reference.js';
import { type ImageIndex, type ImageManifest, imageIndexSchema, imageManifestSchema } from './schemas.js';
import type { RegistrySession } from './session.js';

// Callers that read other small replies (signatures, referrers) share the same bounded reader.
export { MAX_MANIFEST_BYTES, readLimited } from './limits.js';

export interface FetchedManifest {
  digest: string;
  mediaType: string;
  bytes: Buffer;
}

export interface ManifestHead {
  digest: string;
  mediaType: string;
  size: number;
}

/** Also here for the features that speak OCI; the one definition is src/core/sha256.ts. */
export { sha256Digest };

const ACCEPT = MANIFEST_TYPES.join(', ');

function contentType(res: HttpResponse): string {
  return (header(res, 'content-type') ?? '').split(';')[0]!.trim();
}

/**
 * Reads `reference` (tag or digest); verifies the bytes against the digest we asked for or were told.
 * `size` (from the descriptor that named it) caps the read; without it, MAX_MANIFEST_BYTES does.
 */
export async function getManifest(
  session: RegistrySession,
  repository: string,
  reference: string,
  scopes: string[],
  size?: number,
): Promise<FetchedManifest> {
  const what = `manifest ${session.registry}/${repository}${isDigest(reference) ? '@' : ':'}${reference}`;
  if (size !== undefined && size > MAX_MANIFEST_BYTES) {
    throw new BentoError(
      `${what} is described as ${size} bytes, over the manifest limit of ${MAX_MANIFEST_BYTES}: refusing to read it`,
    );
  }
  const res = await session.request(
    {
      method: 'GET',
      url: session.url(`/v2/${repository}/manifests/${reference}`),
      headers: { accept: ACCEPT },
    },
    scopes,
  );
  if (res.status !== 200) return session.fail(res, `reading ${what}`);
  const bytes = await readLimited(res, size ?? MAX_MANIFEST_BYTES, what);
  if (size !== undefined && bytes.length !== size)
    throw new IntegrityError(`${what} is ${bytes.length} bytes, not the ${size} its descriptor says`);
  const digest = sha256Digest(bytes);
  const expected = isDigest(reference) ? reference : header(res, 'docker-content-digest');
  if (expected?.startsWith('sha256:') && expected !== digest) {
    throw new IntegrityError(
      `${what} does not match its digest ${expected} (got ${digest}): the registry's copy is damaged`,
    );
  }
  let mediaType = contentType(res);
  if (!(MANIFEST_TYPES as readonly string[]).includes(mediaType)) {
    // Some registries answer application/json; the manifest names its own type.
    mediaType = mediaTypeOf(bytes, what);
  }
  return { digest, mediaType, bytes };
}

function mediaTypeOf(bytes: Buffer, what: string): string {
  let json: { mediaType?: unknown; schemaVersion?: unknown; manifests?: unknown };
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new BentoError(`${what} is not JSON`);
  }
  if (json.schemaVersion === 1)
    throw new BentoError(`${what} is a Docker schema 1 manifest, which is obsolete and not supported`);
  if (typeof json.mediaType === 'string') return json.mediaType;
  return Array.isArray(json.manifests) ? OCI_INDEX : OCI_MANIFEST;
}

/** The digest and type of `reference`, or undefined when it does not exist. */
export async function headManifest(
  session: RegistrySession,
  repository: string,
  reference: string,
  scopes: string[],
): Promise<ManifestHead | undefined> {
  const res = await session.request(
    {
      method: 'HEAD',
      url: session.url(`/v2/${repository}/manifests/${reference}`),
      headers: { accept: ACCEPT },
    },
    scopes,
  );
  await res.body.dump().catch(() => undefined);
  if (res.status === 404) return undefined;
  if (res.status !== 200)
    return session.fail(res, `checking manifest ${session.registry}/${repository}:${reference}`);
  const digest = header(res, 'docker-content-digest');
  if (!digest || !isDigest(digest)) {
    // Without the header a HEAD tells us nothing we can trust; read the manifest instead.
    const fetched = await getManifest(session, repository, reference, scopes);
    return { digest: fetched.digest, mediaType: fetched.mediaType, size: fetched.bytes.length };
  }
  return { digest, mediaType: contentType(res), size: Number(header(res, 'content-length') ?? 0) };
}

/** Stores a manifest under a tag or its digest; returns its digest. */
export async function putManifest(
  session: RegistrySession,
  repository: string,
  reference: string,
  bytes: Buffer,
  mediaType: string,
  scopes: string[],
): Promise<string> {
  return (await storeManifest(session, repository, reference, bytes, mediaType, scopes)).digest;
}

export interface StoredManifest {
  digest: string;
  /** The registry answered with `OCI-Subject`: it indexes the manifest's subject's referrers itself. */
  subjectAccepted: boolean;
}

/** As putManifest, and whether the registry indexed the manifest's `subject` (OCI 1.1 referrers). */
export async function storeManifest(
  session: RegistrySession,
  repository: string,
  reference: string,
  bytes: Buffer,
  mediaType: string,
  scopes: string[],
): Promise<StoredManifest> {
  const digest = sha256Digest(bytes);
  const res = await session.request(
    {
      method: 'PUT',
      url: session.url(`/v2/${repository}/manifests/${reference}`),
      headers: { 'content-type': mediaType, 'content-length': String(bytes.length) },
      body: () => bytes,
    },
    scopes,
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

export function parseManifestJson(bytes: Buffer, what: string): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new BentoError(`${what} is not JSON`);
  }
}

/** An OCI image manifest or Docker v2 schema 2 manifest, validated. */
export function parseImageManifest(manifest: FetchedManifest, what: string): ImageManifest {
  if (isIndexType(manifest.mediaType))
    throw new BentoError(`${what} is an index (${manifest.mediaType}), not an image manifest`);
  if (manifest.mediaType !== OCI_MANIFEST && manifest.mediaType !== DOCKER_MANIFEST) {
    throw new BentoError(`${what} has the unsupported media type ${manifest.mediaType}`);
  }
  const parsed = imageManifestSchema.safeParse(parseManifestJson(manifest.bytes, what));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new BentoError(
      `${what} is not a valid image manifest: ${issue?.path.join('.')}: ${issue?.message}`,
    );
  }
  return parsed.data;
}

/** An OCI image index or Docker manifest list, validated. */
export function parseImageIndex(manifest: FetchedManifest, what: string): ImageIndex {
  if (manifest.mediaType !== OCI_INDEX && manifest.mediaType !== DOCKER_MANIFEST_LIST) {
    throw new BentoError(`${what} is not an index (${manifest.mediaType})`);
  }
  const parsed = imageIndexSchema.safeParse(parseManifestJson(manifest.bytes, what));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new BentoError(`${what} is not a valid image index: ${issue?.path.join('.')}: ${issue?.message}`);
  }
  return parsed.data;
}
