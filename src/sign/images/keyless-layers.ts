/**
 * cosign's keyless image signature layer, as typed data both ways:
 *
 * - from a Sigstore message-signature bundle (what @sigstore/sign returns for the simple-signing
 *   payload) to the layer annotations `cosign sign` writes without a key: the signature, the Fulcio
 *   certificate as PEM, and `dev.sigstore.cosign/bundle` with Rekor's signed entry timestamp;
 * - from those annotations back to a Sigstore bundle, v0.1 (certificate chain and inclusion promise,
 *   which is all cosign's layer keeps), for @sigstore/verify to check.
 */
import { createHash, X509Certificate } from 'node:crypto';
import {
  BUNDLE_V01_MEDIA_TYPE,
  type BundleWithMessageSignature,
  type SerializedBundle,
} from '@sigstore/bundle';
import { sha256Digest } from '../../oci/manifests.js';
import type { Descriptor } from '../../oci/schemas.js';
import {
  COSIGN_BUNDLE_ANNOTATION,
  COSIGN_CERTIFICATE_ANNOTATION,
  COSIGN_SIGNATURE_ANNOTATION,
  type CosignRekorBundle,
  cosignRekorBundleSchema,
  SIMPLE_SIGNING_MEDIA_TYPE,
} from '../formats/cosign.js';

/** The `.sig` layer for `payload` signed keyless: the bundle's signature, certificate and log entry. */
export function keylessSignatureLayer(payload: Buffer, bundle: BundleWithMessageSignature): Descriptor {
  const material = bundle.verificationMaterial;
  const der =
    material.content.$case === 'certificate'
      ? material.content.certificate.rawBytes
      : material.content.$case === 'x509CertificateChain'
        ? material.content.x509CertificateChain.certificates[0]?.rawBytes
        : undefined;
  if (!der) throw new Error('the Sigstore bundle holds no signing certificate');
  const annotations: Record<string, string> = {
    [COSIGN_SIGNATURE_ANNOTATION]: bundle.content.messageSignature.signature.toString('base64'),
    [COSIGN_CERTIFICATE_ANNOTATION]: new X509Certificate(der).toString(),
  };
  const entry = material.tlogEntries[0];
  if (entry?.inclusionPromise) {
    const rekor: CosignRekorBundle = {
      SignedEntryTimestamp: entry.inclusionPromise.signedEntryTimestamp.toString('base64'),
      Payload: {
        body: entry.canonicalizedBody.toString('base64'),
        integratedTime: Number(entry.integratedTime),
        logIndex: Number(entry.logIndex),
        logID: entry.logId.keyId.toString('hex'),
      },
    };
    annotations[COSIGN_BUNDLE_ANNOTATION] = JSON.stringify(rekor);
  }
  return {
    mediaType: SIMPLE_SIGNING_MEDIA_TYPE,
    size: payload.length,
    digest: sha256Digest(payload),
    annotations,
  };
}

/** Whether a `.sig` layer was signed keyless (it carries a certificate) rather than with a key. */
export function isKeylessLayer(layer: Descriptor): boolean {
  return typeof layer.annotations?.[COSIGN_CERTIFICATE_ANNOTATION] === 'string';
}

export type LayerBundle = { ok: true; bundle: SerializedBundle } | { ok: false; problem: string };

/**
 * The Sigstore bundle a keyless layer stands for. Everything is taken from the annotations as
 * written; whether it holds together (certificate chain, entry timestamp, the log body naming this
 * signature and digest) is for the verifier to decide.
 */
export function bundleOfKeylessLayer(payload: Buffer, layer: Descriptor): LayerBundle {
  const annotations = layer.annotations ?? {};
  let der: Buffer;
  try {
    der = new X509Certificate(annotations[COSIGN_CERTIFICATE_ANNOTATION] ?? '').raw;
  } catch {
    return { ok: false, problem: `${COSIGN_CERTIFICATE_ANNOTATION} is not a PEM certificate` };
  }
  const tlogEntries: NonNullable<SerializedBundle['verificationMaterial']['tlogEntries']> = [];
  const rekorText = annotations[COSIGN_BUNDLE_ANNOTATION];
  if (rekorText !== undefined) {
    let rekor: CosignRekorBundle;
    let kind: { kind: string; version: string };
    try {
      rekor = cosignRekorBundleSchema.parse(JSON.parse(rekorText));
      const body = JSON.parse(Buffer.from(rekor.Payload.body, 'base64').toString('utf8')) as {
        kind?: unknown;
        apiVersion?: unknown;
      };
      if (typeof body.kind !== 'string' || typeof body.apiVersion !== 'string') throw new Error('no kind');
      kind = { kind: body.kind, version: body.apiVersion };
    } catch {
      return { ok: false, problem: `${COSIGN_BUNDLE_ANNOTATION} is not a Rekor entry with its timestamp` };
    }
    tlogEntries.push({
      logIndex: String(rekor.Payload.logIndex),
      logId: { keyId: Buffer.from(rekor.Payload.logID, 'hex').toString('base64') },
      kindVersion: kind,
      integratedTime: String(rekor.Payload.integratedTime),
      inclusionPromise: { signedEntryTimestamp: rekor.SignedEntryTimestamp },
      inclusionProof: undefined,
      canonicalizedBody: rekor.Payload.body,
    });
  }
  const bundle: SerializedBundle = {
    mediaType: BUNDLE_V01_MEDIA_TYPE,
    verificationMaterial: {
      x509CertificateChain: { certificates: [{ rawBytes: der.toString('base64') }] },
      publicKey: undefined,
      certificate: undefined,
      tlogEntries,
      timestampVerificationData: { rfc3161Timestamps: [] },
    },
    messageSignature: {
      messageDigest: {
        algorithm: 'SHA2_256',
        digest: createHash('sha256').update(payload).digest('base64'),
      },
      signature: annotations[COSIGN_SIGNATURE_ANNOTATION] ?? '',
    },
    dsseEnvelope: undefined,
  };
  return { ok: true, bundle };
}
