/**
 * in-toto Statement v1 (https://github.com/in-toto/attestation/blob/main/spec/v1/statement.md) as
 * typed data, with our predicate for a signed store entry. Everything read back goes through these
 * schemas before it is trusted for anything.
 */
import { z } from 'zod';
import { digestSchema, sha256Schema } from '../../shared/schemas.js';

/** The DSSE payload type of an in-toto statement. */
export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';
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
  digest: z.object({ sha256: sha256Schema }).catchall(z.string()),
  mediaType: z.string().optional(),
});
export type Subject = z.infer<typeof subjectSchema>;

export const entryPredicateSchema = z.object({
  /** "model" or "bento". */
  kind: z.enum(['model', 'bento']),
  /** Exact `name:version`. */
  tag: z.string().min(1),
  /** The entry's content digest from its info file (sha256 over the sha256sum-style manifest). */
  contentDigest: digestSchema,
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
