/**
 * How an action signs what it built and pushed: with a key (`sign-key`) or keyless (`sign-keyless`:
 * the job's GitHub OIDC token, a Fulcio certificate, a Rekor entry, as `cosign sign` does on hosted
 * runners). One choice, made from the inputs before any work starts, then used for the bento and for
 * every pushed manifest.
 */
import * as core from '@actions/core';
import type { BentoStore, StoredBento } from '../../core/bento-store.js';
import { formatTag } from '../../core/tag.js';
import { resolveIdentityToken } from '../../sign/identity-token.js';
import { type KeylessSignOptions, signEntryKeyless } from '../../sign/keyless.js';
import type { Signer } from '../../sign/keys.js';
import type { SignatureRegistry } from '../../sign/registry.js';
import { signEntry } from '../../sign/sign-entry.js';
import { signImage } from '../../sign/sign-image.js';
import { signImageKeyless } from '../../sign/sign-image-keyless.js';
import type { ImageRef } from '../../sign/target.js';
import { InputError } from '../inputs.js';
import type { ActionRun } from '../run.js';
import type { RunnerEnv } from '../runner.js';
import { signerFrom } from './keys.js';

export type Signing =
  | { kind: 'key'; signer: Signer }
  | { kind: 'keyless'; options: KeylessSignOptions; identity: string; issuer: string };

export interface SigningInputs {
  signKey?: string | undefined;
  signKeyPassword?: string | undefined;
  signKeyless?: boolean | undefined;
  sigstoreFulcioUrl?: string | undefined;
  sigstoreRekorUrl?: string | undefined;
}

/** The signing the inputs ask for, if any; the OIDC token is fetched here, so a missing permission fails first. */
export async function signingFrom(inputs: SigningInputs, env: RunnerEnv): Promise<Signing | undefined> {
  if (inputs.signKeyless) {
    let resolved: Awaited<ReturnType<typeof resolveIdentityToken>>;
    try {
      resolved = await resolveIdentityToken({});
    } catch (err) {
      throw new InputError(
        'sign-keyless',
        (err as Error).message.replace(/pass --identity-token-env NAME, or /, ''),
      );
    }
    return {
      kind: 'keyless',
      options: {
        identityToken: resolved.token,
        ...(inputs.sigstoreFulcioUrl ? { fulcioURL: inputs.sigstoreFulcioUrl } : {}),
        ...(inputs.sigstoreRekorUrl ? { rekorURL: inputs.sigstoreRekorUrl } : {}),
      },
      identity: resolved.claims.email ?? resolved.claims.sub ?? '',
      issuer: resolved.claims.iss,
    };
  }
  if (inputs.signKey)
    return { kind: 'key', signer: await signerFrom(inputs.signKey, inputs.signKeyPassword, env) };
  return undefined;
}

export function describeSigning(signing: Signing): string {
  return signing.kind === 'key'
    ? `with key ${signing.signer.keyid.slice(0, 12)}`
    : `keyless as ${signing.identity} (issuer ${signing.issuer})`;
}

/** Signs the bento in the store (a DSSE envelope or a Sigstore bundle beside it). */
export async function signBentoStep(
  run: ActionRun,
  store: BentoStore,
  bento: StoredBento,
  signing: Signing,
): Promise<void> {
  await run.step(`Sign bento ${formatTag(bento.tag)}`, async () => {
    const { path } =
      signing.kind === 'key'
        ? await signEntry(store, bento, signing.signer)
        : await signEntryKeyless(store, bento, signing.options);
    core.info(`signed bento ${formatTag(bento.tag)} ${describeSigning(signing)} (${path})`);
  });
}

/** Signs a pushed manifest in cosign's format (a key-based or a keyless `.sig` layer). */
export function signManifest(
  registry: SignatureRegistry,
  ref: ImageRef,
  signing: Signing,
): Promise<{ signatureTag: string; signatureManifestDigest: string }> {
  return signing.kind === 'key'
    ? signImage(registry, ref, signing.signer)
    : signImageKeyless(registry, ref, signing.options);
}
