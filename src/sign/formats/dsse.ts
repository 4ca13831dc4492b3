/**
 * DSSE (Dead Simple Signing Envelope), https://github.com/secure-systems-lab/dsse (envelope.md,
 * protocol.md): the envelope as typed data, and the pre-authentication encoding its signatures cover,
 * so neither payload type nor payload can be swapped without breaking them. Signing and checking an
 * envelope with a key is in keys/envelope.ts.
 */
import { z } from 'zod';

const base64Schema = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'expected standard base64');

export const DSSE_ENVELOPE_MEDIA_TYPE = 'application/vnd.dsse.envelope.v1+json';

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

/** PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body, lengths in bytes as decimal. */
export function preAuthEncoding(payloadType: string, payload: Uint8Array): Buffer {
  const type = Buffer.from(payloadType, 'utf8');
  const prefix = Buffer.from(`DSSEv1 ${type.length} ${payloadType} ${payload.length} `, 'utf8');
  return Buffer.concat([prefix, payload]);
}
