/** actions/bento-build: save models, build the bento, optionally pass it on through the Actions cache. */
import { buildInputs, readInputs } from '../inputs.js';
import { ACTION_OUTPUTS } from '../outputs.js';
import { isMainModule, runAction } from '../run.js';
import { runnerEnv } from '../runner.js';
import { buildFlow, buildOutputs } from '../steps/build.js';

/** Runs the action; runners that import this module instead of starting it call this. */
export function run(): Promise<void> {
  return runAction(
    { name: 'bento-build', title: 'bentoci build', outputs: ACTION_OUTPUTS['bento-build'] },
    async (run) => {
      const inputs = readInputs(buildInputs);
      const outcome = await buildFlow(run, runnerEnv(), inputs);
      return buildOutputs(outcome);
    },
  );
}

if (isMainModule(import.meta.url)) await run();
