/**
 * The root action.yml: build -> containerize -> push -> sign in one step, for workflows that want one
 * `uses:`. Every part is the same code the single actions run; cross-input checks come first, so a
 * missing registry fails before minutes go into a build.
 */
import { connectEngine } from '../../containerize/engine.js';
import { parseImageName } from '../../containerize/image-ref.js';
import { openBentoStore } from '../../core/bento-store.js';
import { formatTag } from '../../core/tag.js';
import { builtImageMetadata, pushedImageMetadata } from '../image-metadata.js';
import { checkSignInputs, checkVerifyInputs, pipelineInputs, readInputs, requireInput } from '../inputs.js';
import { ACTION_OUTPUTS } from '../outputs.js';
import { isMainModule, runAction } from '../run.js';
import { runnerEnv } from '../runner.js';
import { buildFlow } from '../steps/build.js';
import { type BuiltImage, containerizeFlow, containerizePlanFrom } from '../steps/containerize.js';
import { type PushOutcome, pushFlow } from '../steps/push.js';
import { signBentoStep, signingFrom } from '../steps/signing.js';

/** Runs the action; runners that import this module instead of starting it call this. */
export function run(): Promise<void> {
  return runAction(
    { name: 'pipeline', title: 'bentoci pipeline', outputs: ACTION_OUTPUTS.pipeline },
    async (run) => {
      const inputs = readInputs(pipelineInputs);
      checkVerifyInputs(inputs);
      checkSignInputs(inputs);
      const registry = inputs.push
        ? requireInput(inputs.registry, 'registry', 'when push is true (or set push: false)')
        : undefined;
      const imageRegistry =
        inputs.push && inputs.containerize
          ? requireInput(inputs.imageRegistry, 'image-registry', 'when push and containerize are true')
          : undefined;
      const env = runnerEnv();
      const docker = inputs.containerize ? await connectEngine() : undefined;
      // verify-policy here is for the models the build imports; the bento is this job's own.
      const imagePlan = inputs.containerize
        ? await containerizePlanFrom({ tags: inputs.tags, labels: {} }, env)
        : undefined;

      const built = await buildFlow(run, env, inputs);
      const bento = built.bento!;
      const store = openBentoStore(env.home);

      let image: BuiltImage | undefined;
      if (docker && imagePlan) image = await containerizeFlow(run, docker, store, bento, imagePlan);

      let pushed: PushOutcome | undefined;
      if (registry) {
        pushed = await pushFlow(run, env, store, bento, {
          ...inputs,
          registry,
          // The image goes to image-registry under the tag of each of its names.
          image:
            image && imageRegistry
              ? {
                  name: image.tags[0]!,
                  to: imageRegistry,
                  tags: image.tags.map((t) => parseImageName(t).tag),
                }
              : undefined,
        });
      } else {
        const signing = await signingFrom(inputs, env);
        if (signing) await signBentoStep(run, store, bento, signing);
      }

      return {
        tag: formatTag(bento.tag),
        version: bento.tag.version,
        digest: bento.info.digest,
        'cache-key': built.cacheKey,
        'image-id': image?.id,
        'image-digest': pushed?.imageDigest ?? image?.id,
        'image-tags': pushed?.image?.references ?? image?.tags,
        metadata: pushed?.image
          ? pushedImageMetadata(bento, pushed.image, image)
          : image
            ? builtImageMetadata(bento, image)
            : undefined,
        'pushed-refs': pushed?.pushedRefs,
        'signature-refs': pushed?.signatureRefs,
        'attestation-refs': pushed?.attestationRefs,
      };
    },
  );
}

if (isMainModule(import.meta.url)) await run();
