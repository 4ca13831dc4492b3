/**
 * cosign's image signature format, as `cosign sign --key` writes it and `cosign verify --key` and
 * containers/image (`sigstoreSigned` policy) read it:
 *
 * - payload: simple-signing JSON `{critical:{identity:{docker-reference}, image:{docker-manifest-digest},
 *   type:"cosign container image signature"}, optional}` (docker-reference = registry/repository);
 * - signature: ECDSA P-256 over the payload bytes with SHA-256, ASN.1 DER, base64 in the layer
 *   annotation `dev.cosignproject.cosign/signature`;
 * - storage: an OCI manifest tagged `sha256-<hex>.sig` in the image's repository (src/oci's
 *   `signatureTag`), one layer per signature (media type application/vnd.dev.cosign.simplesigning.v1+json,
 *   the payload as blob).
 */
import { sha256Digest } from '../../oci/manifests.js';
import { OCI_CONFIG, OCI_MANIFEST } from '../../oci/media-types.js';
import type { Descriptor, ImageManifest } from '../../oci/schemas.js';
import {
  COSIGN_SIGNATURE_ANNOTATION,
  COSIGN_SIGNATURE_TYPE,
  SIMPLE_SIGNING_MEDIA_TYPE,
  type SimpleSigningPayload,
  simpleSigningPayloadSchema,
} from '../formats/cosign.js';

/**
 * The payload bytes. Key order follows cosign's Go structs (critical: identity, image, type) so the
 * bytes look like cosign's; verifiers hash the bytes as stored, so order is not load-bearing.
 */
export function simpleSigningPayload(
  dockerReference: string,
  manifestDigest: string,
  optional: Record<string, unknown> | null,
): Buffer {
  const payload: SimpleSigningPayload = {
    critical: {
      identity: { 'docker-reference': dockerReference },
      image: { 'docker-manifest-digest': manifestDigest },
      type: COSIGN_SIGNATURE_TYPE,
    },
    optional,
  };
  return Buffer.from(JSON.stringify(payload));
}

export function parseSimpleSigningPayload(bytes: Buffer): SimpleSigningPayload | undefined {
  try {
    const parsed = simpleSigningPayloadSchema.safeParse(JSON.parse(bytes.toString('utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export function signatureLayer(payload: Buffer, signatureDer: Buffer): Descriptor {
  return {
    mediaType: SIMPLE_SIGNING_MEDIA_TYPE,
    size: payload.length,
    digest: sha256Digest(payload),
    annotations: { [COSIGN_SIGNATURE_ANNOTATION]: signatureDer.toString('base64') },
  };
}

/** The signature layers of a `.sig` manifest (other layers, e.g. attestations, are ignored). */
export function signatureLayers(manifest: ImageManifest): Descriptor[] {
  return manifest.layers.filter(
    (l) =>
      l.mediaType === SIMPLE_SIGNING_MEDIA_TYPE &&
      typeof l.annotations?.[COSIGN_SIGNATURE_ANNOTATION] === 'string',
  );
}

/**
 * The `.sig` manifest for a set of layers, with its config blob. The config is an image config whose
 * rootfs lists the layers (as cosign's does), so image tools can read the manifest as an image.
 */
export function signatureManifest(layers: Descriptor[]): { config: Buffer; manifest: Buffer } {
  const config = Buffer.from(
    JSON.stringify({
      architecture: '',
      os: '',
      config: {},
      rootfs: { type: 'layers', diff_ids: layers.map((l) => l.digest) },
    }),
  );
  const manifest: ImageManifest = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { mediaType: OCI_CONFIG, size: config.length, digest: sha256Digest(config) },
    layers,
  };
  return { config, manifest: Buffer.from(JSON.stringify(manifest)) };
}
