/** actions/bento-push: a bento (and optionally its image) to an OCI registry, signed when a key is given. */
import { formatTag } from '../../core/tag.js';
import { formatReference } from '../../oci/reference.js';
import { pushedImageMetadata } from '../image-metadata.js';
import {
  checkSignInputs,
  checkVerifyInputs,
  InputError,
  type PushInputs,
  pushInputs,
  readInputs,
  requireInput,
} from '../inputs.js';
import { ACTION_OUTPUTS } from '../outputs.js';
import { isMainModule, runAction } from '../run.js';
import { runnerEnv } from '../runner.js';
import { applyVerifyPolicy, obtainBento } from '../steps/entries.js';
import { manifestsStep } from '../steps/manifests.js';
import { type PushRequest, pushFlow } from '../steps/push.js';

/** Runs the action; runners that import this module instead of starting it call this. */
export function run(): Promise<void> {
  return runAction(
    { name: 'bento-push', title: 'bentoci push', outputs: ACTION_OUTPUTS['bento-push'] },
    async (run) => {
      const inputs = readInputs(pushInputs);
      checkVerifyInputs(inputs);
      checkSignInputs(inputs);
      const image = inputs.image ? imageTarget(inputs) : undefined;
      if (!inputs.image && inputs.imageTags.length > 0)
        requireInput(inputs.image, 'image', 'when image-tags is set (they tag the pushed image)');
      if (!inputs.image && Object.keys(inputs.annotations).length > 0)
        requireInput(inputs.image, 'image', 'when annotations is set (they annotate the pushed image)');
      if (inputs.manifests)
        requireInput(inputs.image, 'image', 'when manifests is set (they deploy the pushed image)');
      const env = runnerEnv();
      const { store, bento } = await obtainBento(run, env, inputs);
      await applyVerifyPolicy(run, env, inputs, store, bento);
      const pushed = await pushFlow(run, env, store, bento, { ...inputs, image });
      const manifestsDir =
        inputs.manifests && image && pushed.imageDigest
          ? await manifestsStep(run, env, bento, {
              dir: inputs.manifests,
              kind: inputs.manifestsKind ?? 'deployment',
              ...(inputs.manifestsNamespace ? { namespace: inputs.manifestsNamespace } : {}),
              image: { to: image.to, digest: pushed.imageDigest },
            })
          : undefined;
      return {
        tag: formatTag(bento.tag),
        digest: bento.info.digest,
        'artifact-ref': pushed.artifactRef,
        'artifact-digest': pushed.artifactDigest,
        'image-id': pushed.image?.id,
        'image-digest': pushed.imageDigest,
        'image-tags': pushed.image?.references,
        metadata: {
          ...(pushed.image ? pushedImageMetadata(bento, pushed.image) : {}),
          'bentoci.artifact.ref': pushed.artifactRef,
          'bentoci.artifact.digest': pushed.artifactDigest,
          'bentoci.bento': formatTag(bento.tag),
          'bentoci.bento.digest': bento.info.digest,
        },
        'pushed-refs': pushed.pushedRefs,
        'signature-refs': pushed.signatureRefs,
        'attestation-refs': pushed.attestationRefs,
        'manifests-dir': manifestsDir,
      };
    },
  );
}

/**
 * Where the image goes: image-registry's repository, under image-tags (bare tags, or references in
 * that repository as docker/build-push-action writes them). With only references, their repository is
 * the target.
 */
function imageTarget(inputs: PushInputs): PushRequest['image'] {
  const named = inputs.imageTags.map((t) => t.repository).filter((r) => r !== undefined);
  const to = inputs.imageRegistry ?? (named[0] ? { ...named[0] } : undefined);
  const target = requireInput(to, 'image-registry', 'when image is set (or name it in image-tags)');
  const repo = formatReference({ registry: target.registry, repository: target.repository });
  for (const ref of named) {
    const other = formatReference({ registry: ref.registry, repository: ref.repository });
    if (other !== repo)
      throw new InputError(
        'image-tags',
        `names ${other}, but the image goes to ${repo}: list bare tags, or references in that one repository (push again with another image-registry for another one)`,
      );
  }
  return {
    name: inputs.image!,
    to: target,
    tags: inputs.imageTags.map((t) => t.tag),
    annotations: inputs.annotations,
  };
}

if (isMainModule(import.meta.url)) await run();
