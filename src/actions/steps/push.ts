/**
 * The registry half: push the bento as an OCI artifact (its models travel inside it) and, when given,
 * the image; with a sign key, sign the bento first (a DSSE envelope beside it, attached to the pushed
 * artifact as an OCI referrer) and sign both pushed manifests in cosign's format.
 */
import * as core from '@actions/core';
import type { BentoStore, StoredBento } from '../../core/bento-store.js';
import { formatBytes } from '../../core/progress.js';
import { formatTag } from '../../core/tag.js';
import { formatReference, type Reference } from '../../oci/reference.js';
import { bentoArtifact } from '../../registry/artifact-kinds.js';
import { pushEntry } from '../../registry/artifact-push.js';
import { pushImage } from '../../registry/image-push.js';
import type { TransferOptions } from '../../registry/transfer.js';
import { attachEntrySignatures } from '../../sign/attach.js';
import { OCI_MANIFEST_MEDIA_TYPE } from '../../sign/formats.js';
import type { Signer } from '../../sign/keys.js';
import { openSignatureRegistry } from '../../sign/oci-registry.js';
import { signEntry } from '../../sign/sign-entry.js';
import { signImage } from '../../sign/sign-image.js';
import type { ActionRun } from '../run.js';
import type { RunnerEnv } from '../runner.js';
import { maskSecret } from '../secrets.js';
import { signerFrom } from './keys.js';

export interface PushRequest {
  registry: Reference;
  /** A local image to push too, and where to. */
  image?: { name: string; to: Reference } | undefined;
  releaseVersion?: string | undefined;
  registryUsername?: string | undefined;
  registryPassword?: string | undefined;
  insecure: boolean;
  signKey?: string | undefined;
  signKeyPassword?: string | undefined;
}

export interface PushOutcome {
  artifactRef: string;
  artifactDigest: string;
  imageDigest?: string;
  pushedRefs: string[];
  signatureRefs: string[];
}

function transferOptions(env: RunnerEnv, request: PushRequest): TransferOptions {
  return {
    home: env.home,
    log: (line) => core.info(line),
    mask: maskSecret,
    ...(request.insecure ? { insecure: true } : {}),
    ...(request.registryUsername ? { username: request.registryUsername } : {}),
    ...(request.registryPassword ? { password: request.registryPassword } : {}),
  };
}

function refsOf(target: Reference, tags: readonly string[]): string[] {
  return tags.map((tag) =>
    formatReference({ registry: target.registry, repository: target.repository, tag }),
  );
}

export async function pushFlow(
  run: ActionRun,
  env: RunnerEnv,
  store: BentoStore,
  bento: StoredBento,
  request: PushRequest,
): Promise<PushOutcome> {
  const options = transferOptions(env, request);
  const release = request.releaseVersion ? { release: request.releaseVersion } : {};
  const signer: Signer | undefined = request.signKey
    ? await signerFrom(request.signKey, request.signKeyPassword, env)
    : undefined;
  if (signer) {
    await run.step(`Sign bento ${formatTag(bento.tag)}`, async () => {
      const signed = await signEntry(store, bento, signer);
      core.info(
        `signed bento ${formatTag(bento.tag)} with key ${signed.keyid.slice(0, 12)} (${signed.path})`,
      );
    });
  }

  const pushed = await run.step(`Push bento to ${formatReference(request.registry)}`, () =>
    pushEntry(bentoArtifact, store, formatTag(bento.tag), request.registry, { ...options, ...release }),
  );
  const artifactRef = formatReference({ ...request.registry, tag: undefined, digest: pushed.digest });
  const pushedRefs = refsOf(request.registry, pushed.tags);
  for (const ref of pushedRefs) run.report.push({ kind: 'bento', ref, digest: pushed.digest });
  core.info(`bento ${formatTag(bento.tag)} (${formatBytes(bento.info.size)}) is at ${artifactRef}`);

  let imageDigest: string | undefined;
  let imageTarget: Reference | undefined;
  if (request.image) {
    const image = request.image;
    const result = await run.step(`Push image ${image.name} to ${formatReference(image.to)}`, () =>
      pushImage(image.name, image.to, { ...options, ...release }),
    );
    imageDigest = result.digest;
    imageTarget = image.to;
    for (const ref of refsOf(image.to, result.tags)) {
      pushedRefs.push(ref);
      run.report.push({ kind: 'image', ref, digest: result.digest });
    }
  }

  const signatureRefs: string[] = [];
  const signatures: { ref: string; digest: string }[] = [];
  if (signer) {
    await run.step('Sign what was pushed', async () => {
      const registry = await openSignatureRegistry(
        request.registry,
        { insecure: request.insecure },
        { ...options, push: true },
      );
      try {
        // The bento's DSSE envelope, as an OCI 1.1 referrer of the pushed artifact.
        const manifest = await registry.getManifest(request.registry.repository, pushed.digest);
        if (manifest) {
          const attached = await attachEntrySignatures(
            registry,
            request.registry.repository,
            { mediaType: OCI_MANIFEST_MEDIA_TYPE, digest: pushed.digest, size: manifest.bytes.length },
            bento.dir,
          );
          for (const digest of attached?.manifests ?? []) {
            signatures.push({
              ref: formatReference({ ...request.registry, tag: undefined, digest }),
              digest,
            });
          }
        }
        // Cosign-format signatures of both manifests, so `cosign verify --key` and policy.json work.
        const subjects: Reference[] = [{ ...request.registry, tag: undefined, digest: pushed.digest }];
        if (imageTarget && imageDigest)
          subjects.push({ ...imageTarget, tag: undefined, digest: imageDigest });
        for (const subject of subjects) {
          const target =
            subject === subjects[0]
              ? registry
              : await openSignatureRegistry(
                  subject,
                  { insecure: request.insecure },
                  { ...options, push: true },
                );
          try {
            const signed = await signImage(
              target,
              { registry: subject.registry, repository: subject.repository, digest: subject.digest! },
              signer,
            );
            const ref = formatReference({
              registry: subject.registry,
              repository: subject.repository,
              tag: signed.signatureTag,
            });
            signatures.push({ ref, digest: signed.signatureManifestDigest });
          } finally {
            if (target !== registry) await target.close();
          }
        }
      } finally {
        await registry.close();
      }
    });
    for (const { ref, digest } of signatures) {
      signatureRefs.push(ref);
      run.report.push({ kind: 'signature', ref, digest });
    }
    run.report.note(`signed with key ${signer.keyid.slice(0, 12)}`);
  }

  return {
    artifactRef,
    artifactDigest: pushed.digest,
    ...(imageDigest ? { imageDigest } : {}),
    pushedRefs,
    signatureRefs,
  };
}
