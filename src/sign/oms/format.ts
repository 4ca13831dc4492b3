/**
 * The OpenSSF Model Signing (OMS) v1.0 format as typed data, as the reference tool `model_signing`
 * (github.com/sigstore/model-transparency) writes it:
 *
 * - a Sigstore bundle (JSON, media type ...bundle.v0.3+json) holding a DSSE envelope, with the
 *   verification material by signing method: `publicKey.hint` (key; before v1.1 `rawBytes`, the PEM),
 *   `x509CertificateChain` (certificate: leaf first, then the signer's chain), or `certificate` plus
 *   `tlogEntries` (Sigstore, keyless);
 * - an in-toto Statement v1 with predicate type https://model_signing/signature/v1.0: `resources`
 *   (one per file: name relative to the model root, algorithm, hex digest) and `serialization`
 *   (method `files`, hash_type, allow_symlinks, ignore_paths), and one subject named after the model
 *   whose sha256 is taken over the resources' raw digests, concatenated in the order listed.
 *
 * Everything read from a signature file goes through these schemas before it is used.
 */
import { z } from 'zod';
import { IN_TOTO_PAYLOAD_TYPE, IN_TOTO_STATEMENT_TYPE } from '../formats/in-toto.js';
import { SIGSTORE_BUNDLE_V03_MEDIA_TYPE } from '../formats/sigstore-bundle.js';

export { IN_TOTO_PAYLOAD_TYPE, IN_TOTO_STATEMENT_TYPE, SIGSTORE_BUNDLE_V03_MEDIA_TYPE };

export const OMS_PREDICATE_TYPE = 'https://model_signing/signature/v1.0';
/** The file name model_signing writes by default, and the one bentoci stores beside an entry. */
export const OMS_SIGNATURE_FILE = 'model.sig';
/** A signature file larger than this is refused unread (a real one is a few KiB per 100 files). */
export const MAX_SIGNATURE_BYTES = 16 * 1024 * 1024;
/** The paths model_signing ignores unless told `--no-ignore-git-paths`. */
export const GIT_PATHS = ['.git', '.gitattributes', '.github', '.gitignore'] as const;

const base64Schema = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'expected standard base64');
const hexSchema = z.string().regex(/^[0-9a-f]+$/, 'expected lowercase hex');

const rawBytesSchema = z.object({ rawBytes: base64Schema.min(1) });

/** model_signing writes `keyid: null` (v1.0), `""` (v1.1) or leaves it out (Sigstore). */
const omsDsseSchema = z.object({
  payload: base64Schema.min(1),
  payloadType: z.string().min(1),
  signatures: z.array(z.object({ sig: base64Schema.min(1), keyid: z.string().nullable().optional() })).min(1),
});
export type OmsEnvelope = z.infer<typeof omsDsseSchema>;

export const omsBundleSchema = z
  .object({
    mediaType: z.string().regex(/^application\/vnd\.dev\.sigstore\.bundle(\.v0\.[0-9]+)?\+json$/),
    verificationMaterial: z
      .object({
        publicKey: z.object({ hint: z.string().optional(), rawBytes: base64Schema.optional() }).optional(),
        x509CertificateChain: z.object({ certificates: z.array(rawBytesSchema).min(1) }).optional(),
        certificate: rawBytesSchema.optional(),
        tlogEntries: z.array(z.unknown()).optional(),
      })
      .catchall(z.unknown()),
    dsseEnvelope: omsDsseSchema,
  })
  .catchall(z.unknown());
export type OmsBundle = z.infer<typeof omsBundleSchema>;

/** How a bundle says it was signed, from its verification material. */
export type OmsSigningMethod = 'key' | 'certificate' | 'sigstore';

export function signingMethodOf(bundle: OmsBundle): OmsSigningMethod | undefined {
  const m = bundle.verificationMaterial;
  if (m.x509CertificateChain) return 'certificate';
  if (m.certificate) return 'sigstore';
  if (m.publicKey) return 'key';
  return undefined;
}

export const omsResourceSchema = z.object({
  name: z.string().min(1),
  algorithm: z.string().min(1),
  digest: hexSchema,
});
export type OmsResource = z.infer<typeof omsResourceSchema>;

export const omsSerializationSchema = z
  .object({
    method: z.string().min(1),
    hash_type: z.string().min(1),
    allow_symlinks: z.union([z.boolean(), z.enum(['true', 'false'])]),
    ignore_paths: z.array(z.string()).optional(),
    shard_size: z.number().optional(),
  })
  .catchall(z.unknown());
export type OmsSerialization = z.infer<typeof omsSerializationSchema>;

export const omsStatementSchema = z.object({
  _type: z.literal(IN_TOTO_STATEMENT_TYPE),
  subject: z.array(
    z.object({ name: z.string(), digest: z.object({ sha256: hexSchema }).catchall(z.string()) }),
  ),
  predicateType: z.literal(OMS_PREDICATE_TYPE),
  // v1.0 verifiers ignore predicate fields they do not know.
  predicate: z
    .object({ serialization: omsSerializationSchema, resources: z.array(omsResourceSchema) })
    .catchall(z.unknown()),
});
export type OmsStatement = z.infer<typeof omsStatementSchema>;
