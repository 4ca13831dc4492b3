/**
 * The signature formats as typed data. Everything read back (envelopes from disk or a registry,
 * payloads, manifests) goes through these schemas before it is trusted for anything.
 *
 * - DSSE envelope: https://github.com/secure-systems-lab/dsse (envelope.md, protocol.md)
 * - in-toto Statement v1: https://github.com/in-toto/attestation/blob/main/spec/v1/statement.md
 * - cosign simple signing: containers-signature(5) "JSON data format", as cosign writes it
 */
import { z } from 'zod';

const base64Schema = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'expected standard base64');
const hexSha256Schema = z.string().regex(/^[0-9a-f]{64}$/);
export const ociDigestSchema = z.string().regex(/^sha256:[0-9a-f]{64}$/);

// --- DSSE -------------------------------------------------------------------------------------

export const DSSE_ENVELOPE_MEDIA_TYPE = 'application/vnd.dsse.envelope.v1+json';
export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';

export const dsseSignatureSchema = z.object({
  /** Unauthenticated hint: the sha256 of the signer's SubjectPublicKeyInfo (DER), hex. */
  keyid: z.string().default(''),
  /** ECDSA P-256 / SHA-256 signature over the PAE bytes, ASN.1 DER, base64. */
  sig: base64Schema.min(1),
});
export type DsseSignature = z.infer<typeof dsseSignatureSchema>;

export const dsseEnvelopeSchema = z.object({
  payload: base64Schema,
  payloadType: z.string().min(1),
  signatures: z.array(dsseSignatureSchema).min(1),
});
export type DsseEnvelope = z.infer<typeof dsseEnvelopeSchema>;

// --- in-toto Statement v1 -----------------------------------------------------------------------

export const IN_TOTO_STATEMENT_TYPE = 'https://in-toto.io/Statement/v1';

/**
 * Our predicate type for a signed store entry (model or bento). Documented in docs/signing.md; the
 * subjects carry the digests, the predicate says what the subjects are together.
 */
export const ENTRY_PREDICATE_TYPE = 'https://bentoci.dev/attestation/store-entry/v1';

/**
 * An in-toto ResourceDescriptor as we use it: `mediaType` is set on the info file's subject to say the
 * digest is over its canonical JSON form (the OCI config media type), not over the YAML bytes.
 */
export const subjectSchema = z.object({
  name: z.string().min(1),
  digest: z.object({ sha256: hexSha256Schema }).catchall(z.string()),
  mediaType: z.string().optional(),
});
export type Subject = z.infer<typeof subjectSchema>;

export const entryPredicateSchema = z.object({
  /** "model" or "bento". */
  kind: z.enum(['model', 'bento']),
  /** Exact `name:version`. */
  tag: z.string().min(1),
  /** The entry's content digest from its info file (sha256 over the sha256sum-style manifest). */
  contentDigest: ociDigestSchema,
  /** Which subject is the info file (model.yaml or bento.yaml). */
  infoFile: z.string().min(1),
  signedAt: z.string().datetime({ offset: true }),
  signer: z.object({ tool: z.string(), version: z.string() }),
});
export type EntryPredicate = z.infer<typeof entryPredicateSchema>;

export const statementSchema = z.object({
  _type: z.literal(IN_TOTO_STATEMENT_TYPE),
  subject: z.array(subjectSchema).min(1),
  predicateType: z.string().min(1),
  predicate: z.unknown(),
});
export type Statement = z.infer<typeof statementSchema>;

export const entryStatementSchema = statementSchema.extend({
  predicateType: z.literal(ENTRY_PREDICATE_TYPE),
  predicate: entryPredicateSchema,
});
export type EntryStatement = z.infer<typeof entryStatementSchema>;

// --- cosign (simple signing) --------------------------------------------------------------------

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
    image: z.strictObject({ 'docker-manifest-digest': ociDigestSchema }),
    type: z.literal(COSIGN_SIGNATURE_TYPE),
  }),
  optional: z
    .object({ creator: z.string().optional(), timestamp: z.number().int().optional() })
    .catchall(z.unknown())
    .nullable(),
});
export type SimpleSigningPayload = z.infer<typeof simpleSigningPayloadSchema>;

/**
 * A keyless layer (`cosign sign` without --key) carries, beside the signature, the Fulcio certificate
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

// --- OCI ----------------------------------------------------------------------------------------

export const OCI_MANIFEST_MEDIA_TYPE = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX_MEDIA_TYPE = 'application/vnd.oci.image.index.v1+json';
export const OCI_CONFIG_MEDIA_TYPE = 'application/vnd.oci.image.config.v1+json';
export const OCI_EMPTY_MEDIA_TYPE = 'application/vnd.oci.empty.v1+json';

export const descriptorSchema = z.object({
  mediaType: z.string().min(1),
  digest: ociDigestSchema,
  size: z.number().int().min(0),
  artifactType: z.string().optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});
export type Descriptor = z.infer<typeof descriptorSchema>;

export const ociManifestSchema = z.object({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  artifactType: z.string().optional(),
  config: descriptorSchema,
  layers: z.array(descriptorSchema),
  subject: descriptorSchema.optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});
export type OciManifest = z.infer<typeof ociManifestSchema>;

export const ociIndexSchema = z.object({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  manifests: z.array(descriptorSchema),
  annotations: z.record(z.string(), z.string()).optional(),
});
export type OciIndex = z.infer<typeof ociIndexSchema>;
