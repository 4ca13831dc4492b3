/**
 * How an action signs what it built and pushed: with a key (`sign-key`) or keyless (`sign-keyless`:
 * the job's GitHub OIDC token, a Fulcio certificate, a Rekor entry, as `cosign sign` does on hosted
 * runners). One choice, made from the inputs before any work starts, then used for the bento and for
 * every pushed manifest.
 */
import * as core from '@actions/core';
import type { BentoStore, StoredBento } from '../../core/bento-store.js';
import { formatTag } from '../../core/tag.js';
import { describeSigning, type Signing, signStoredEntry } from '../../operations/sign.js';
import type { SignInputs } from '../inputs.js';
import type { ActionRun } from '../run.js';

export { describeSigning, type Signing, signManifest } from '../../operations/sign.js';
export { signingFrom } from './keys.js';
export type SigningInputs = SignInputs;

/** Signs the bento in the store (a DSSE envelope or a Sigstore bundle beside it). */
export async function signBentoStep(
  run: ActionRun,
  store: BentoStore,
  bento: StoredBento,
  signing: Signing,
): Promise<void> {
  await run.step(`Sign bento ${formatTag(bento.tag)}`, async () => {
    const { path } = await signStoredEntry(store, bento, signing);
    core.info(`signed bento ${formatTag(bento.tag)} ${describeSigning(signing)} (${path})`);
  });
}
