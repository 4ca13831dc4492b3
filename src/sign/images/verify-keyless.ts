/**
 * Verifying an image's keyless cosign signature, as `cosign verify` does with a certificate identity
 * and OIDC issuer: some keyless layer of `sha256-<digest>.sig` must chain to a
 * Fulcio CA of the trusted root at the time Rekor logged it, be logged (unless told otherwise), carry
 * the expected identity, verify over its payload, and that payload must name this image.
 */
import { operation, option, say, type UserText } from '../../core/user-text.js';
import { failureText, mostTelling } from '../failures.js';
import type { SimpleSigningPayload } from '../formats/cosign.js';
import {
  checkBundle,
  type IdentityPolicy,
  type KeylessIdentity,
  type KeylessVerifyOptions,
  sigstoreCheck,
} from '../keyless/verify.js';
import type { SignatureRegistry } from '../registry/signature-registry.js';
import type { ImageRef } from '../target.js';
import { bundleOfKeylessLayer, isKeylessLayer } from './keyless-layers.js';
import { checkSignedPayload, imageSignatures, layerPayload } from './verify.js';

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
      text?: UserText;
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
    const others =
      layers.length > 0 ? say` (${layers.length} signed with a key: verify with ${option('pub')})` : '';
    return {
      ok: false,
      reason: 'unsigned',
      ...failureText(
        say`${what} (${digest}) has no keyless signature in ${ref.repository}:${tag}${others}; sign it with ${operation('sign', undefined, { keyless: true })} or \`cosign sign\``,
      ),
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
      failures.push({ ...checked, ...failureText(say`${what}: ${checked.text ?? checked.message}`) });
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
