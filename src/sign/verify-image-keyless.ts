/**
 * Verifying an image's keyless cosign signature, as `cosign verify --certificate-identity ...
 * --certificate-oidc-issuer ...` does: some keyless layer of `sha256-<digest>.sig` must chain to a
 * Fulcio CA of the trusted root at the time Rekor logged it, be logged (unless told otherwise), carry
 * the expected identity, verify over its payload, and that payload must name this image.
 */
import { bundleOfKeylessLayer, isKeylessLayer } from './cosign-keyless.js';
import type { SimpleSigningPayload } from './formats.js';
import {
  checkBundle,
  type IdentityPolicy,
  type KeylessIdentity,
  type KeylessVerifyOptions,
  sigstoreCheck,
} from './keyless-verify.js';
import type { SignatureRegistry } from './registry.js';
import type { ImageRef } from './target.js';
import { mostTelling } from './verify-entry.js';
import { checkSignedPayload, imageSignatures, layerPayload } from './verify-image.js';

export type ImageKeylessVerification =
  | {
      ok: true;
      digest: string;
      payload: SimpleSigningPayload;
      signer: KeylessIdentity;
      logged: boolean;
    }
  | {
      ok: false;
      reason:
        | 'unsigned'
        | 'malformed'
        | 'untrusted'
        | 'wrong-identity'
        | 'digest-mismatch'
        | 'other-repository';
      message: string;
    };

export async function verifyImageKeyless(
  registry: SignatureRegistry,
  ref: ImageRef,
  policy: IdentityPolicy,
  options: KeylessVerifyOptions,
): Promise<ImageKeylessVerification> {
  const check = sigstoreCheck(policy, options);
  const { what, digest, tag, layers } = await imageSignatures(registry, ref);
  const keyless = layers.filter(isKeylessLayer);
  if (keyless.length === 0) {
    const others = layers.length > 0 ? ` (${layers.length} signed with a key: verify with --pub)` : '';
    return {
      ok: false,
      reason: 'unsigned',
      message: `${what} (${digest}) has no keyless signature in ${ref.repository}:${tag}${others}; sign it with \`bentoci sign --keyless\` or \`cosign sign\``,
    };
  }
  const failures: Exclude<ImageKeylessVerification, { ok: true }>[] = [];
  for (const layer of keyless) {
    const payload = await layerPayload(registry, ref, layer, what);
    if (!Buffer.isBuffer(payload)) {
      failures.push(payload);
      continue;
    }
    const where = `the signature ${layer.digest.slice(0, 19)}`;
    const bundle = bundleOfKeylessLayer(payload, layer);
    if (!bundle.ok) {
      failures.push({ ok: false, reason: 'malformed', message: `${what}: ${where}: ${bundle.problem}` });
      continue;
    }
    const checked = checkBundle(bundle.bundle, 'messageSignature', payload, check, where);
    if (!checked.ok) {
      failures.push({ ...checked, message: `${what}: ${checked.message}` });
      continue;
    }
    const signed = checkSignedPayload(what, payload, digest, ref);
    if (!signed.ok) {
      failures.push(signed);
      continue;
    }
    return { ok: true, digest, payload: signed.payload, signer: checked.signer, logged: checked.logged };
  }
  return mostTelling(failures)!;
}
