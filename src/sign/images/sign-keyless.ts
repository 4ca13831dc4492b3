/**
 * Keyless signing of an image, as `cosign sign` does it without a key: the simple-signing payload
 * signed by an ephemeral key whose Fulcio certificate names the OIDC identity, logged in Rekor, and
 * appended to the `.sig` manifest as a layer carrying the certificate and the Rekor entry. Earlier
 * signatures all stay (a keyless signer has no key that would recognise its own).
 */
import { type KeylessSignOptions, signMessage } from '../keyless/sign.js';
import type { SignatureRegistry } from '../registry/signature-registry.js';
import type { ImageRef } from '../target.js';
import { keylessSignatureLayer } from './keyless-layers.js';
import { resolveDigest } from './resolve.js';
import { appendSignatureLayer, type ImagePayloadOptions, imagePayload } from './sign.js';

export interface ImageKeylessSignResult {
  digest: string;
  signatureTag: string;
  signatureManifestDigest: string;
  payload: Buffer;
  /** Signatures kept from before. */
  kept: number;
  /** Whether the signature was recorded in Rekor. */
  logged: boolean;
}

export async function signImageKeyless(
  registry: SignatureRegistry,
  ref: ImageRef,
  options: KeylessSignOptions & ImagePayloadOptions,
): Promise<ImageKeylessSignResult> {
  const digest = await resolveDigest(registry, ref);
  const payload = imagePayload(ref, digest, options);
  const bundle = await signMessage(payload, options);
  const written = await appendSignatureLayer(
    registry,
    ref,
    digest,
    payload,
    keylessSignatureLayer(payload, bundle),
    async () => false,
  );
  return { digest, ...written, payload, logged: bundle.verificationMaterial.tlogEntries.length > 0 };
}
