/**
 * Signing an attestation statement: a DSSE envelope (payloadType application/vnd.in-toto+json) in a
 * Sigstore bundle v0.3, as `cosign attest` writes it. With a key the bundle carries the key's id as
 * its public-key hint and no log entry (cosign's `--key` with `--tlog-upload=false`); keyless, the
 * Fulcio certificate and, unless --no-tlog, the Rekor entry (sign/keyless.ts).
 */
import { bundleToJSON } from '@sigstore/bundle';
import { DSSEBundleBuilder } from '@sigstore/sign';
import { IN_TOTO_PAYLOAD_TYPE } from '../sign/formats/in-toto.js';
import { type SigstoreBundleJson, sigstoreBundleJsonSchema } from '../sign/formats/sigstore-bundle.js';
import { type KeylessSignOptions, signStatement } from '../sign/keyless/sign.js';
import type { Signer } from '../sign/keys/signer.js';

/** Who signs attestations: a key, or Sigstore keyless. */
export type AttestationSigner =
  | { type: 'key'; signer: Signer }
  | { type: 'keyless'; options: KeylessSignOptions };

export async function signAttestation(
  payload: Buffer,
  signer: AttestationSigner,
): Promise<SigstoreBundleJson> {
  if (signer.type === 'keyless') return signStatement(payload, signer.options);
  const key = signer.signer;
  const built = await new DSSEBundleBuilder({
    signer: {
      sign: async (data) => ({
        signature: await key.sign(data),
        key: { $case: 'publicKey', publicKey: '', hint: key.keyid },
      }),
    },
    witnesses: [],
  }).create({ data: payload, type: IN_TOTO_PAYLOAD_TYPE });
  return sigstoreBundleJsonSchema.parse(bundleToJSON(built));
}
