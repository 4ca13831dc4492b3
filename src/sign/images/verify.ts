/**
 * Verifying an image's cosign signature: a layer of `sha256-<digest>.sig` must verify with the key,
 * and its payload must name the digest the reference resolves to now and the same repository.
 */
import { BentoError, IntegrityError } from '../../core/errors.js';
import { operation, option, say, type UserText } from '../../core/user-text.js';
import { sha256Digest } from '../../oci/manifests.js';
import { signatureTag } from '../../oci/reference.js';
import type { Descriptor } from '../../oci/schemas.js';
import { failureText, mostTelling } from '../failures.js';
import { COSIGN_SIGNATURE_ANNOTATION, type SimpleSigningPayload } from '../formats/cosign.js';
import type { Verifier } from '../keys/signer.js';
import type { SignatureRegistry } from '../registry/signature-registry.js';
import { formatImageRef, type ImageRef } from '../target.js';
import { parseSimpleSigningPayload, signatureLayers } from './layers.js';
import { readSignatureManifest, resolveDigest } from './resolve.js';

export type ImageVerification =
  | { ok: true; digest: string; payload: SimpleSigningPayload; signatures: number }
  | {
      ok: false;
      reason: 'unsigned' | 'wrong-key' | 'digest-mismatch' | 'other-repository' | 'malformed';
      message: string;
      text?: UserText;
    };

/**
 * Accepts when some layer of `sha256-<digest>.sig` verifies with `verifier`, its payload names the
 * digest the reference resolves to, and the same repository path (the host may differ: mirrors).
 */
export async function verifyImage(
  registry: SignatureRegistry,
  ref: ImageRef,
  verifier: Verifier,
): Promise<ImageVerification> {
  const { what, digest, tag, layers } = await imageSignatures(registry, ref);
  if (layers.length === 0) {
    return {
      ok: false,
      reason: 'unsigned',
      ...failureText(
        say`${what} (${digest}) has no signature (no ${ref.repository}:${tag}); sign it with ${operation('sign')} or cosign`,
      ),
    };
  }
  const failures: Exclude<ImageVerification, { ok: true }>[] = [];
  for (const layer of layers) {
    const payload = await layerPayload(registry, ref, layer, what);
    if (!Buffer.isBuffer(payload)) {
      failures.push(payload);
      continue;
    }
    const sig = Buffer.from(layer.annotations?.[COSIGN_SIGNATURE_ANNOTATION] ?? '', 'base64');
    if (!verifier.verify(payload, sig)) continue;
    const checked = checkSignedPayload(what, payload, digest, ref);
    if (!checked.ok) {
      failures.push(checked);
      continue;
    }
    return { ok: true, digest, payload: checked.payload, signatures: layers.length };
  }
  return (
    mostTelling(failures) ?? {
      ok: false,
      reason: 'wrong-key',
      ...failureText(
        say`${what} is not signed by the key in ${option('pub')} (${layers.length} signature${layers.length > 1 ? 's' : ''} by other keys)`,
      ),
    }
  );
}

/** The signature layers of the digest a reference resolves to now (none when it has no `.sig`). */
export async function imageSignatures(
  registry: SignatureRegistry,
  ref: ImageRef,
): Promise<{ what: string; digest: string; tag: string; layers: Descriptor[] }> {
  const digest = await resolveDigest(registry, ref);
  const tag = signatureTag(digest);
  const manifest = await readSignatureManifest(registry, ref.repository, tag);
  return {
    what: `image ${formatImageRef(ref)}`,
    digest,
    tag,
    layers: manifest ? signatureLayers(manifest) : [],
  };
}

/** A layer's payload, refused when the registry's bytes do not match the layer's digest. */
export async function layerPayload(
  registry: SignatureRegistry,
  ref: ImageRef,
  layer: Descriptor,
  what: string,
): Promise<Buffer | PayloadFailure> {
  const payload = await registry.getBlob(ref.repository, layer.digest);
  if (sha256Digest(payload) === layer.digest) return payload;
  return {
    ok: false,
    reason: 'malformed',
    message: `${what}: signature payload ${layer.digest} does not match its digest`,
  };
}

export type PayloadFailure = {
  ok: false;
  reason: 'digest-mismatch' | 'other-repository' | 'malformed';
  message: string;
};

/**
 * What a verified signature covers must be this image: cosign simple-signing JSON naming the digest
 * the reference resolves to now and the same repository path (the host may differ: mirrors).
 */
export function checkSignedPayload(
  what: string,
  payload: Buffer,
  digest: string,
  ref: ImageRef,
): { ok: true; payload: SimpleSigningPayload } | PayloadFailure {
  const parsed = parseSimpleSigningPayload(payload);
  if (!parsed)
    return {
      ok: false,
      reason: 'malformed',
      message: `${what}: a signed payload is not cosign simple-signing JSON`,
    };
  const signedDigest = parsed.critical.image['docker-manifest-digest'];
  if (signedDigest !== digest)
    return {
      ok: false,
      reason: 'digest-mismatch',
      message: `${what}: digest mismatch: the signature is for ${signedDigest}, the image is ${digest}`,
    };
  const signedRepo = repositoryPath(parsed.critical.identity['docker-reference']);
  if (signedRepo !== ref.repository)
    return {
      ok: false,
      reason: 'other-repository',
      message: `${what}: the signature names repository ${parsed.critical.identity['docker-reference']}, not ${ref.repository}`,
    };
  return { ok: true, payload: parsed };
}

/** `host[:port]/path` -> `path` (a docker-reference always carries the host). */
function repositoryPath(dockerReference: string): string {
  const withoutDigest = dockerReference.split('@')[0] ?? '';
  const slash = withoutDigest.indexOf('/');
  const path = slash >= 0 ? withoutDigest.slice(slash + 1) : withoutDigest;
  // A tagged reference (containers/image may sign repo:tag) names the same repository.
  const colon = path.lastIndexOf(':');
  return colon >= 0 ? path.slice(0, colon) : path;
}

export async function assertImageVerified(
  registry: SignatureRegistry,
  ref: ImageRef,
  verifier: Verifier,
): Promise<string> {
  const result = await verifyImage(registry, ref, verifier);
  if (result.ok) return result.digest;
  const text = result.text ?? result.message;
  if (result.reason === 'digest-mismatch') throw new IntegrityError(text);
  throw new BentoError(text);
}
