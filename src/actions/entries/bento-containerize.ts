/** actions/bento-containerize: a bento (from the store or the Actions cache) -> a Docker image. */
import { connectEngine } from '../../containerize/engine.js';
import { formatTag } from '../../core/tag.js';
import { builtImageMetadata } from '../image-metadata.js';
import { containerizeInputs, readInputs } from '../inputs.js';
import { ACTION_OUTPUTS } from '../outputs.js';
import { isMainModule, runAction } from '../run.js';
import { runnerEnv } from '../runner.js';
import { containerizeFlow, containerizePlanFrom } from '../steps/containerize.js';
import { obtainBento } from '../steps/entries.js';

/** Runs the action; runners that import this module instead of starting it call this. */
export function run(): Promise<void> {
  return runAction(
    {
      name: 'bento-containerize',
      title: 'bentoci containerize',
      outputs: ACTION_OUTPUTS['bento-containerize'],
    },
    async (run) => {
      const inputs = readInputs(containerizeInputs);
      const env = runnerEnv();
      // The image's inputs and whom verify-policy trusts, read before any work.
      const plan = await containerizePlanFrom(inputs, env);
      // A missing engine is one clear error before any time goes into restoring or hashing the bento.
      const docker = await connectEngine();
      const { store, bento } = await obtainBento(run, env, inputs);
      const image = await containerizeFlow(run, docker, store, bento, plan);
      return {
        tag: formatTag(bento.tag),
        digest: bento.info.digest,
        'image-id': image.id,
        // Not pushed: no manifest digest exists yet; the image ID is the image's content address.
        'image-digest': image.id,
        'image-tags': image.tags,
        'image-size': image.size,
        metadata: builtImageMetadata(bento, image),
      };
    },
  );
}

if (isMainModule(import.meta.url)) await run();
