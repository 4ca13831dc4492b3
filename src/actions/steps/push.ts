/**
 * The registry half: push the bento as an OCI artifact (its models travel inside it) and, when given,
 * the image; when signing (a key, or keyless through Sigstore), sign the bento first (its signature
 * beside it, attached to the pushed artifact as an OCI referrer) and both pushed manifests in cosign's
 * format.
 */
import * as core from '@actions/core';
import type { AttestationKind } from '../../attest/formats.js';
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
import { openSignatureRegistry } from '../../sign/oci-registry.js';
import type { PushedImage } from '../image-metadata.js';
import type { ActionRun } from '../run.js';
import type { RunnerEnv } from '../runner.js';
import { maskSecret } from '../secrets.js';
import { attestStep } from './attest.js';
import { describeSigning, type SigningInputs, signBentoStep, signingFrom, signManifest } from './signing.js';

export interface PushRequest extends SigningInputs {
  registry: Reference;
  /** Attestations to sign and attach to what is pushed (needs a signer). */
  attest?: readonly AttestationKind[] | undefined;
  /** A local image to push too, where to, under which tags (default `to`'s tag, else the local one). */
  image?: { name: string; to: Reference; tags?: string[]; annotations?: Record<string, string> } | undefined;
  releaseVersion?: string | undefined;
  registryUsername?: string | undefined;
  registryPassword?: string | undefined;
  insecure: boolean;
}

export interface PushOutcome {
  artifactRef: string;
  artifactDigest: string;
  imageDigest?: string;
  /** The pushed image's manifest, when an image was pushed. */
  image?: PushedImage;
  pushedRefs: string[];
  signatureRefs: string[];
  attestationRefs: string[];
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
  const startedOn = new Date();
  const options = transferOptions(env, request);
  const release = request.releaseVersion ? { release: request.releaseVersion } : {};
  const signing = await signingFrom(request, env);
  if (signing) await signBentoStep(run, store, bento, signing);

  const pushed = await run.step(`Push bento to ${formatReference(request.registry)}`, () =>
    pushEntry(bentoArtifact, store, formatTag(bento.tag), request.registry, { ...options, ...release }),
  );
  const artifactRef = formatReference({ ...request.registry, tag: undefined, digest: pushed.digest });
  const pushedRefs = refsOf(request.registry, pushed.tags);
  for (const ref of pushedRefs) run.report.push({ kind: 'bento', ref, digest: pushed.digest });
  core.info(`bento ${formatTag(bento.tag)} (${formatBytes(bento.info.size)}) is at ${artifactRef}`);

  let imageDigest: string | undefined;
  let imageTarget: Reference | undefined;
  let pushedImage: PushedImage | undefined;
  if (request.image) {
    const image = request.image;
    const result = await run.step(`Push image ${image.name} to ${formatReference(image.to)}`, () =>
      pushImage(image.name, image.to, {
        ...options,
        ...release,
        ...(image.tags?.length ? { tags: image.tags } : {}),
        ...(image.annotations ? { annotations: image.annotations } : {}),
      }),
    );
    imageDigest = result.digest;
    imageTarget = image.to;
    pushedImage = result;
    for (const ref of result.references) {
      pushedRefs.push(ref);
      run.report.push({ kind: 'image', ref, digest: result.digest });
    }
    run.report.imageDetails({
      image: formatReference({ ...image.to, tag: undefined, digest: result.digest }),
      kind: 'annotations',
      values: result.annotations,
    });
  }

  const signatureRefs: string[] = [];
  const signatures: { ref: string; digest: string }[] = [];
  if (signing) {
    await run.step('Sign what was pushed', async () => {
      const registry = await openSignatureRegistry(
        request.registry,
        { insecure: request.insecure },
        { ...options, push: true },
      );
      try {
        // The bento's signature (DSSE envelope or Sigstore bundle), as an OCI 1.1 referrer of the artifact.
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
        // Cosign-format signatures of both manifests, so `cosign verify` and policy.json work.
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
            const signed = await signManifest(
              target,
              { registry: subject.registry, repository: subject.repository, digest: subject.digest! },
              signing,
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
    run.report.note(`signed ${describeSigning(signing)}`);
  }
  const attestationRefs =
    signing && request.attest?.length
      ? await attestStep(
          run,
          bento,
          {
            kinds: request.attest,
            bento: { to: request.registry, digest: pushed.digest },
            image:
              request.image && imageTarget && imageDigest
                ? { name: request.image.name, to: imageTarget, digest: imageDigest }
                : undefined,
            insecure: request.insecure,
            startedOn,
          },
          signing,
          options,
        )
      : [];

  return {
    artifactRef,
    artifactDigest: pushed.digest,
    ...(imageDigest ? { imageDigest } : {}),
    ...(pushedImage ? { image: pushedImage } : {}),
    pushedRefs,
    signatureRefs,
    attestationRefs,
  };
}
