/**
 * The registry half of bento-push and the root action: the inputs as the push operation's options
 * (src/operations/push.ts: the bento as an OCI artifact, the image when given, release tags; when
 * signing, the bento first, then both pushed manifests in cosign's format; the attestations), its
 * phases as the job's steps, and what it published in the job summary.
 */
import * as core from '@actions/core';
import type { AttestationKind } from '../../attest/formats.js';
import type { BentoStore, StoredBento } from '../../core/bento-store.js';
import { formatTag } from '../../core/tag.js';
import { formatReference, type Reference } from '../../oci/reference.js';
import { type Published, push } from '../../operations/push.js';
import type { PushedImage } from '../image-metadata.js';
import { type SignInputs, signOptionsOf } from '../inputs.js';
import type { PushedRef } from '../report.js';
import type { ActionRun } from '../run.js';
import type { RunnerEnv } from '../runner.js';
import { maskSecret } from '../secrets.js';
import { signingFrom } from './keys.js';

export interface PushRequest extends SignInputs {
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

/** How the summary lists what was published. */
function reportKind(item: Published): PushedRef['kind'] {
  return item.kind === 'attestation' ? `attestation (${item.attestation})` : item.kind;
}

export async function pushFlow(
  run: ActionRun,
  env: RunnerEnv,
  store: BentoStore,
  bento: StoredBento,
  request: PushRequest,
): Promise<PushOutcome> {
  // The key input may be PEM text or a workspace path: the action loads it (steps/keys.ts).
  const signing = await signingFrom(request, env);
  const image = request.image;
  const pushed = await push(
    { kind: 'bento', store, tag: formatTag(bento.tag), image: image?.name },
    {
      ...signOptionsOf(request),
      sign: true,
      to: request.registry,
      imageRegistry: image?.to,
      tag: image?.tags ?? [],
      annotation: image?.annotations ?? {},
      release: request.releaseVersion,
      username: request.registryUsername,
      password: request.registryPassword,
      insecure: request.insecure,
    },
    {
      home: env.home,
      log: (line) => core.info(line),
      mask: maskSecret,
      signing,
      step: (title, work) => run.step(title, work),
      published: (item) => run.report.push({ kind: reportKind(item), ref: item.ref, digest: item.digest }),
    },
  );
  const artifact = pushed.artifact!;
  if (pushed.image && image)
    run.report.imageDetails({
      image: formatReference({ ...image.to, tag: undefined, digest: pushed.image.digest }),
      kind: 'annotations',
      values: pushed.image.annotations,
    });
  if (pushed.signedAs) run.report.note(`signed ${pushed.signedAs}`);
  const refs = (...kinds: Published['kind'][]) =>
    pushed.published.filter((p) => kinds.includes(p.kind)).map((p) => p.ref);
  return {
    artifactRef: formatReference({ ...request.registry, tag: undefined, digest: artifact.digest }),
    artifactDigest: artifact.digest,
    ...(pushed.image ? { imageDigest: pushed.image.digest, image: pushed.image } : {}),
    pushedRefs: refs('bento', 'image'),
    signatureRefs: refs('signature'),
    attestationRefs: refs('attestation'),
  };
}
