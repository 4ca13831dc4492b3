/**
 * DSSE envelopes signed and checked with a key: the signature covers the pre-authentication encoding
 * of payload type and payload (formats/dsse.ts).
 */
import { type DsseEnvelope, preAuthEncoding } from '../formats/dsse.js';
import type { Signer, Verifier } from './signer.js';

export async function signEnvelope(
  payloadType: string,
  payload: Uint8Array,
  signer: Signer,
): Promise<DsseEnvelope> {
  const sig = await signer.sign(preAuthEncoding(payloadType, payload));
  return {
    payload: Buffer.from(payload).toString('base64'),
    payloadType,
    signatures: [{ keyid: signer.keyid, sig: sig.toString('base64') }],
  };
}

export type EnvelopeCheck =
  | { ok: true; payload: Buffer }
  /** `keyids` are the (unauthenticated) key ids the envelope names, for the message. */
  | { ok: false; reason: 'wrong-key' | 'bad-signature'; keyids: string[] };

/**
 * Accepts the envelope when any of its signatures verifies with `verifier`. A signature whose keyid
 * names our key but does not verify means the envelope was altered; none naming it means another key.
 */
export function verifyEnvelope(envelope: DsseEnvelope, verifier: Verifier): EnvelopeCheck {
  const payload = Buffer.from(envelope.payload, 'base64');
  const pae = preAuthEncoding(envelope.payloadType, payload);
  for (const s of envelope.signatures) {
    if (verifier.verify(pae, Buffer.from(s.sig, 'base64'))) return { ok: true, payload };
  }
  const keyids = envelope.signatures.map((s) => s.keyid);
  return { ok: false, reason: keyids.includes(verifier.keyid) ? 'bad-signature' : 'wrong-key', keyids };
}
