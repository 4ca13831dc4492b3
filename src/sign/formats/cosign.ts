/**
 * cosign's image signature format as typed data: the simple-signing payload (containers-signature(5)
 * "JSON data format", as cosign writes it) and the annotations of a `.sig` layer, with and without a
 * key. The `.sig` manifest itself is an OCI image manifest (src/oci's schema).
 */
import { z } from 'zod';
import { digestSchema } from '../../shared/schemas.js';

export const COSIGN_SIGNATURE_TYPE = 'cosign container image signature';
export const SIMPLE_SIGNING_MEDIA_TYPE = 'application/vnd.dev.cosign.simplesigning.v1+json';
export const COSIGN_SIGNATURE_ANNOTATION = 'dev.cosignproject.cosign/signature';

/**
 * containers/image parses `critical` and its members with exact fields (any extra key rejects the
 * signature), so the schema is strict there; `optional` is free-form (null when cosign has none),
 * but `timestamp` must be an integer when present.
 */
export const simpleSigningPayloadSchema = z.object({
  critical: z.strictObject({
    identity: z.strictObject({ 'docker-reference': z.string().min(1) }),
    image: z.strictObject({ 'docker-manifest-digest': digestSchema }),
    type: z.literal(COSIGN_SIGNATURE_TYPE),
  }),
  optional: z
    .object({ creator: z.string().optional(), timestamp: z.number().int().optional() })
    .catchall(z.unknown())
    .nullable(),
});
export type SimpleSigningPayload = z.infer<typeof simpleSigningPayloadSchema>;

/**
 * A keyless layer (`cosign sign` without a key) carries, beside the signature, the Fulcio certificate
 * (PEM) and the Rekor entry the signature was logged as.
 */
export const COSIGN_CERTIFICATE_ANNOTATION = 'dev.sigstore.cosign/certificate';
export const COSIGN_CHAIN_ANNOTATION = 'dev.sigstore.cosign/chain';
export const COSIGN_BUNDLE_ANNOTATION = 'dev.sigstore.cosign/bundle';

/** `dev.sigstore.cosign/bundle`: Rekor's signed entry timestamp over the entry it returned. */
export const cosignRekorBundleSchema = z.object({
  SignedEntryTimestamp: z.string().min(1),
  Payload: z.object({
    body: z.string().min(1),
    integratedTime: z.number().int(),
    logIndex: z.number().int().nonnegative(),
    logID: z.string().regex(/^[0-9a-f]+$/),
  }),
});
export type CosignRekorBundle = z.infer<typeof cosignRekorBundleSchema>;
