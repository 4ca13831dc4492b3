/**
 * The `attest` input of bento-push and the root action: after the push, SLSA provenance and a
 * CycloneDX SBOM of the pushed bento artifact and image, signed with the action's signer and attached
 * as OCI 1.1 referrers (src/attest/), as `bentoci push --attest` does.
 */
import * as core from '@actions/core';
import { type Attestation, attestBento, attestImage } from '../../attest/attest.js';
import type { AttestationKind } from '../../attest/formats.js';
import type { AttestationSigner } from '../../attest/sign.js';
import { connectEngine } from '../../containerize/engine.js';
import type { StoredBento } from '../../core/bento-store.js';
import { formatReference, type Reference } from '../../oci/reference.js';
import type { TransferOptions } from '../../registry/transfer.js';
import { openSignatureRegistry } from '../../sign/oci-registry.js';
import type { ActionRun } from '../run.js';
import type { Signing } from './signing.js';

export interface AttestTargets {
  kinds: readonly AttestationKind[];
  bento: { to: Reference; digest: string };
  image?: { name: string; to: Reference; digest: string } | undefined;
  insecure: boolean;
  startedOn: Date;
}

const signerOf = (signing: Signing): AttestationSigner =>
  signing.kind === 'key'
    ? { type: 'key', signer: signing.signer }
    : { type: 'keyless', options: signing.options };

/** Attests what was pushed; the referrers' references, one per attestation, also in the summary. */
export async function attestStep(
  run: ActionRun,
  bento: StoredBento,
  targets: AttestTargets,
  signing: Signing,
  transfer: TransferOptions,
): Promise<string[]> {
  const options = {
    kinds: [...targets.kinds],
    signer: signerOf(signing),
    startedOn: targets.startedOn,
    log: (line: string) => core.info(line),
  };
  const refs: string[] = [];
  const record = (to: Reference, attestations: Attestation[]) => {
    for (const a of attestations) {
      const ref = formatReference({ ...to, tag: undefined, digest: a.manifest });
      refs.push(ref);
      run.report.push({ kind: `attestation (${a.kind})`, ref, digest: a.manifest });
    }
  };
  await run.step(`Attest what was pushed (${targets.kinds.join(', ')})`, async () => {
    const open = (to: Reference) =>
      openSignatureRegistry(to, { insecure: targets.insecure }, { ...transfer, push: true });
    const registry = await open(targets.bento.to);
    try {
      record(
        targets.bento.to,
        await attestBento(registry, targets.bento.to, targets.bento.digest, bento.info, options),
      );
    } finally {
      await registry.close();
    }
    const image = targets.image;
    if (!image) return;
    const docker = await connectEngine();
    const imageRegistry = await open(image.to);
    try {
      record(image.to, await attestImage(imageRegistry, image.to, image.digest, docker, image.name, options));
    } finally {
      await imageRegistry.close();
    }
  });
  return refs;
}
