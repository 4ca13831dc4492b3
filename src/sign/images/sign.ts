/**
 * Signing an image (or any manifest in a registry) in cosign's format. The signature is appended to
 * the `.sig` manifest, so signatures by other keys survive; an earlier one by the same key for the
 * same digest is replaced rather than piled up.
 */
import { sha256Digest } from '../../oci/manifests.js';
import { OCI_MANIFEST } from '../../oci/media-types.js';
import { signatureTag } from '../../oci/reference.js';
import type { Descriptor } from '../../oci/schemas.js';
import { BENTOCI_VERSION } from '../../version.js';
import { COSIGN_SIGNATURE_ANNOTATION } from '../formats/cosign.js';
import { newVerifier, type Signer, type Verifier } from '../keys/signer.js';
import type { SignatureRegistry } from '../registry/signature-registry.js';
import type { ImageRef } from '../target.js';
import {
  parseSimpleSigningPayload,
  signatureLayer,
  signatureLayers,
  signatureManifest,
  simpleSigningPayload,
} from './layers.js';
import { dockerReferenceOf, readSignatureManifest, resolveDigest } from './resolve.js';

export interface ImageSignResult {
  digest: string;
  signatureTag: string;
  signatureManifestDigest: string;
  payload: Buffer;
  signature: Buffer;
  /** Signatures kept from before (other keys). */
  kept: number;
}

export interface ImagePayloadOptions {
  /** Extra claims in the payload's `optional` (creator and timestamp are ours). */
  annotations?: Record<string, string>;
  now?: Date;
}

export async function signImage(
  registry: SignatureRegistry,
  ref: ImageRef,
  signer: Signer,
  options: ImagePayloadOptions = {},
): Promise<ImageSignResult> {
  const digest = await resolveDigest(registry, ref);
  const payload = imagePayload(ref, digest, options);
  const signature = await signer.sign(payload);
  // One by this key for this digest is replaced, so signing again does not pile up layers.
  const ownVerifier = newVerifier(signer.publicKey);
  const written = await appendSignatureLayer(
    registry,
    ref,
    digest,
    payload,
    signatureLayer(payload, signature),
    (layer) => isOwnSignature(registry, ref.repository, layer, ownVerifier, digest),
  );
  return { digest, ...written, payload, signature };
}

/** The simple-signing payload for the image `ref` resolves to (`digest`). */
export function imagePayload(ref: ImageRef, digest: string, options: ImagePayloadOptions): Buffer {
  const optional = {
    ...options.annotations,
    creator: `bentoci ${BENTOCI_VERSION}`,
    // containers/image rejects a non-integer timestamp.
    timestamp: Math.floor((options.now ?? new Date()).getTime() / 1000),
  };
  return simpleSigningPayload(dockerReferenceOf(ref), digest, optional);
}

/**
 * Adds the signature `layer` over `payload` to the `.sig` manifest of `digest`. Earlier signatures
 * (and any other layers) stay, in order, except those `replaces` picks.
 */
export async function appendSignatureLayer(
  registry: SignatureRegistry,
  ref: ImageRef,
  digest: string,
  payload: Buffer,
  layer: Descriptor,
  replaces: (previous: Descriptor) => Promise<boolean>,
): Promise<{ signatureTag: string; signatureManifestDigest: string; kept: number }> {
  const tag = signatureTag(digest);
  const previous = await readSignatureManifest(registry, ref.repository, tag);
  const cosignLayers = new Set(previous ? signatureLayers(previous) : []);
  const layers: Descriptor[] = [];
  let kept = 0;
  for (const old of previous?.layers ?? []) {
    if (cosignLayers.has(old) && (await replaces(old))) continue;
    layers.push(old);
    if (cosignLayers.has(old)) kept++;
  }
  layers.push(layer);

  await registry.putBlob(ref.repository, payload);
  const { config, manifest } = signatureManifest(layers);
  await registry.putBlob(ref.repository, config);
  const put = await registry.putManifest(ref.repository, tag, OCI_MANIFEST, manifest);
  return { signatureTag: tag, signatureManifestDigest: put.digest, kept };
}

async function isOwnSignature(
  registry: SignatureRegistry,
  repository: string,
  layer: Descriptor,
  verifier: Verifier,
  digest: string,
): Promise<boolean> {
  const payload = await registry.getBlob(repository, layer.digest).catch(() => undefined);
  if (!payload || sha256Digest(payload) !== layer.digest) return false;
  const sig = Buffer.from(layer.annotations?.[COSIGN_SIGNATURE_ANNOTATION] ?? '', 'base64');
  if (!verifier.verify(payload, sig)) return false;
  return parseSimpleSigningPayload(payload)?.critical.image['docker-manifest-digest'] === digest;
}
