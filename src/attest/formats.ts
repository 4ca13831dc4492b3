/**
 * The attestation formats as typed data: SLSA provenance v1 and CycloneDX SBOMs, each the predicate
 * of an in-toto Statement v1 in a DSSE envelope, packed in a Sigstore bundle v0.3 and attached to the
 * pushed manifest as an OCI 1.1 referrer, the layout `cosign attest` (v3, new bundle format) writes.
 *
 * - SLSA provenance v1: https://slsa.dev/spec/v1.0/provenance
 * - CycloneDX predicate type as cosign names it (`--type cyclonedx`): https://cyclonedx.org/bom
 * - cosign's bundle layout in a registry: sigstore/cosign specs/BUNDLE_SPEC.md
 */
import { z } from 'zod';
import { subjectSchema } from '../sign/formats/in-toto.js';

export const SLSA_PROVENANCE_V1 = 'https://slsa.dev/provenance/v1';
export const CYCLONEDX_PREDICATE_TYPE = 'https://cyclonedx.org/bom';

/** What `--attest` and `verify --attestation` call them, and the predicate type of each. */
export const ATTESTATION_KINDS = { provenance: SLSA_PROVENANCE_V1, sbom: CYCLONEDX_PREDICATE_TYPE } as const;
export type AttestationKind = keyof typeof ATTESTATION_KINDS;

/**
 * The kinds a list names (`none` alone: no attestation), duplicates dropped, or the first name that
 * is not a kind; each front door words the error its own way.
 */
export function attestationKinds(
  names: readonly string[],
): { kinds: AttestationKind[] } | { unknown: string } {
  if (names.length === 1 && names[0] === 'none') return { kinds: [] };
  const unknown = names.find((n) => !(n in ATTESTATION_KINDS));
  if (unknown !== undefined) return { unknown };
  return { kinds: [...new Set(names as AttestationKind[])] };
}

/**
 * Our SLSA build types, documented in docs/signing.md ("Attestations"): what externalParameters and
 * resolvedDependencies hold for a bento pushed as an artifact and for an image.
 */
export const BENTO_BUILD_TYPE = 'https://bentoci.dev/attestation/build/bento/v1';
export const IMAGE_BUILD_TYPE = 'https://bentoci.dev/attestation/build/image/v1';
/** runDetails.builder.id outside GitHub Actions (inside, the workflow's URL names the builder). */
export const LOCAL_BUILDER_ID = 'https://bentoci.dev/builders/local/v1';

/** cosign's annotations on a bundle's referrer manifest (and its entry in the referrers index). */
export const BUNDLE_CONTENT_ANNOTATION = 'dev.sigstore.bundle.content';
export const BUNDLE_PREDICATE_TYPE_ANNOTATION = 'dev.sigstore.bundle.predicateType';

/** An in-toto ResourceDescriptor: at least one of uri, digest or content identifies it. */
export const resourceDescriptorSchema = z
  .object({
    name: z.string().min(1).optional(),
    uri: z.string().min(1).optional(),
    digest: z.record(z.string(), z.string().regex(/^[0-9a-fA-F]+$/)).optional(),
    content: z.string().optional(),
    downloadLocation: z.string().optional(),
    mediaType: z.string().optional(),
    annotations: z.record(z.string(), z.unknown()).optional(),
  })
  .refine((d) => d.uri !== undefined || d.digest !== undefined || d.content !== undefined, {
    message: 'a resource descriptor needs uri, digest or content',
  });
export type ResourceDescriptor = z.infer<typeof resourceDescriptorSchema>;

const timestampSchema = z.string().datetime({ offset: true });

/** SLSA provenance v1 predicate: the spec's required fields are required here too. */
export const slsaProvenanceSchema = z.object({
  buildDefinition: z.object({
    buildType: z.url(),
    externalParameters: z.record(z.string(), z.unknown()),
    internalParameters: z.record(z.string(), z.unknown()).optional(),
    resolvedDependencies: z.array(resourceDescriptorSchema).optional(),
  }),
  runDetails: z.object({
    builder: z.object({
      id: z.url(),
      version: z.record(z.string(), z.string()).optional(),
      builderDependencies: z.array(resourceDescriptorSchema).optional(),
    }),
    metadata: z
      .object({
        invocationId: z.string().optional(),
        startedOn: timestampSchema.optional(),
        finishedOn: timestampSchema.optional(),
      })
      .optional(),
    byproducts: z.array(resourceDescriptorSchema).optional(),
  }),
});
export type SlsaProvenance = z.infer<typeof slsaProvenanceSchema>;

/** The statement as read back: its predicate stays unknown until the predicate type's check. */
export const attestationStatementSchema = z.object({
  _type: z.literal('https://in-toto.io/Statement/v1'),
  subject: z.array(subjectSchema).min(1),
  predicateType: z.string().min(1),
  predicate: z.record(z.string(), z.unknown()),
});
export type AttestationStatement = z.infer<typeof attestationStatementSchema>;
