/** actions/bento-push: a bento (and optionally its image) to an OCI registry, signed when a key is given. */
import { formatTag } from '../../core/tag.js';
import { checkSignInputs, checkVerifyInputs, pushInputs, readInputs, requireInput } from '../inputs.js';
import { ACTION_OUTPUTS } from '../outputs.js';
import { isMainModule, runAction } from '../run.js';
import { runnerEnv } from '../runner.js';
import { applyVerifyPolicy, obtainBento } from '../steps/entries.js';
import { manifestsStep } from '../steps/manifests.js';
import { pushFlow } from '../steps/push.js';

/** Runs the action; runners that import this module instead of starting it call this. */
export function run(): Promise<void> {
  return runAction(
    { name: 'bento-push', title: 'bentoci push', outputs: ACTION_OUTPUTS['bento-push'] },
    async (run) => {
      const inputs = readInputs(pushInputs);
      checkVerifyInputs(inputs);
      checkSignInputs(inputs);
      const image = inputs.image
        ? { name: inputs.image, to: requireInput(inputs.imageRegistry, 'image-registry', 'when image is set') }
        : undefined;
      if (inputs.manifests)
        requireInput(inputs.image, 'image', 'when manifests is set (they deploy the pushed image)');
      const env = runnerEnv();
      const { store, bento } = await obtainBento(run, env, inputs);
      await applyVerifyPolicy(run, env, inputs.verifyPolicy ?? 'off', inputs, store, bento);
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
        'image-digest': pushed.imageDigest,
        'pushed-refs': pushed.pushedRefs,
        'signature-refs': pushed.signatureRefs,
        'manifests-dir': manifestsDir,
      };
    },
  );
}

if (isMainModule(import.meta.url)) await run();
