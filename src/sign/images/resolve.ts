/**
 * Reading cosign signatures' surroundings in a registry: what a reference resolves to, the identity
 * cosign signs for it, and the `.sig` manifest.
 */
import { BentoError, NotFoundError } from '../../core/errors.js';
import { type ImageManifest, imageManifestSchema } from '../../oci/schemas.js';
import type { SignatureRegistry } from '../registry/signature-registry.js';
import { formatImageRef, type ImageRef } from '../target.js';

/** cosign's identity for an image: the repository without tag or digest. */
export function dockerReferenceOf(ref: ImageRef): string {
  return `${ref.registry}/${ref.repository}`;
}

/** The digest a reference points at now: its own digest, else what the tag resolves to. */
export async function resolveDigest(registry: SignatureRegistry, ref: ImageRef): Promise<string> {
  if (ref.digest) return ref.digest;
  const found = await registry.getManifest(ref.repository, ref.tag ?? 'latest');
  if (!found)
    throw new NotFoundError(
      `image ${formatImageRef(ref)} is not in the registry (no manifest for tag "${ref.tag}")`,
    );
  return found.digest;
}

export async function readSignatureManifest(
  registry: SignatureRegistry,
  repository: string,
  tag: string,
): Promise<ImageManifest | undefined> {
  const found = await registry.getManifest(repository, tag);
  if (!found) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(found.bytes.toString('utf8'));
  } catch {
    throw new BentoError(
      `signature manifest ${repository}:${tag} is not JSON; delete the tag and sign again`,
    );
  }
  const parsed = imageManifestSchema.safeParse(json);
  if (!parsed.success)
    throw new BentoError(
      `signature manifest ${repository}:${tag} is not an OCI image manifest; delete the tag and sign again`,
    );
  return parsed.data;
}
