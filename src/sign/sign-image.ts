/**
 * Signing an image (or any manifest in a registry) in cosign's format. The signature is appended to
 * the `.sig` manifest, so signatures by other keys survive; an earlier one by the same key for the
 * same digest is replaced rather than piled up.
 */
import { BENTOCI_VERSION } from '../version.js';
import {
  cosignSignatureTag,
  parseSimpleSigningPayload,
  signatureLayer,
  signatureLayers,
  signatureManifest,
  simpleSigningPayload,
} from './cosign.js';
import { dockerReferenceOf, readSignatureManifest, resolveDigest } from './cosign-registry.js';
import { COSIGN_SIGNATURE_ANNOTATION, type Descriptor, OCI_MANIFEST_MEDIA_TYPE } from './formats.js';
import { newVerifier, type Signer, type Verifier } from './keys.js';
import { type SignatureRegistry, sha256Digest } from './registry.js';
import type { ImageRef } from './target.js';

export interface ImageSignResult {
  digest: string;
  signatureTag: string;
  signatureManifestDigest: string;
  payload: Buffer;
  signature: Buffer;
  /** Signatures kept from before (other keys). */
  kept: number;
}

export async function signImage(
  registry: SignatureRegistry,
  ref: ImageRef,
  signer: Signer,
  options: { annotations?: Record<string, string>; now?: Date } = {},
): Promise<ImageSignResult> {
  const digest = await resolveDigest(registry, ref);
  const optional = {
    ...options.annotations,
    creator: `bentoci ${BENTOCI_VERSION}`,
    // containers/image rejects a non-integer timestamp.
    timestamp: Math.floor((options.now ?? new Date()).getTime() / 1000),
  };
  const payload = simpleSigningPayload(dockerReferenceOf(ref), digest, optional);
  const signature = await signer.sign(payload);

  const tag = cosignSignatureTag(digest);
  const previous = await readSignatureManifest(registry, ref.repository, tag);
  // Earlier signatures by other keys (and any other layers) stay, in order; one by this key for this
  // digest is replaced, so signing again does not pile up layers.
  const ownVerifier = newVerifier(signer.publicKey);
  const cosignLayers = new Set(previous ? signatureLayers(previous) : []);
  const layers: Descriptor[] = [];
  let kept = 0;
  for (const layer of previous?.layers ?? []) {
    if (
      cosignLayers.has(layer) &&
      (await isOwnSignature(registry, ref.repository, layer, ownVerifier, digest))
    )
      continue;
    layers.push(layer);
    if (cosignLayers.has(layer)) kept++;
  }
  layers.push(signatureLayer(payload, signature));

  await registry.putBlob(ref.repository, payload);
  const { config, manifest } = signatureManifest(layers);
  await registry.putBlob(ref.repository, config);
  const put = await registry.putManifest(ref.repository, tag, OCI_MANIFEST_MEDIA_TYPE, manifest);
  return {
    digest,
    signatureTag: tag,
    signatureManifestDigest: put.digest,
    payload,
    signature,
    kept,
  };
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
