/**
 * actions/bento-canary: the canary as a merge gate. Runs the canary operation `bentoci canary` runs,
 * then reports it where a pull request shows it: one PR comment updated in place, the job summary
 * (with the latency chart), and the `bento-canary` commit status that branch protection can require.
 * On pass, and on a configured event (a push to main, never a pull request), `stable` and the release
 * tags move to the candidate's digest. The step fails when the gate stays closed.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as core from '@actions/core';
import { context } from '@actions/github';
import { promotionAllowed } from '../../canary/promote.js';
import { renderMarkdown } from '../../canary/report.js';
import { BentoError } from '../../core/errors.js';
import { runCanary } from '../../operations/canary.js';
import { canaryInputs, readInputs } from '../inputs.js';
import { actionNaming } from '../naming.js';
import { ACTION_OUTPUTS, setOutputs } from '../outputs.js';
import { isMainModule, runAction } from '../run.js';
import { runnerEnv, workspacePath } from '../runner.js';
import { maskSecret } from '../secrets.js';
import { verifyOptionsFrom } from '../steps/keys.js';
import { pullRequestReporter } from '../steps/pull-request.js';

const OUTPUTS = ACTION_OUTPUTS['bento-canary'];

/** Runs the action; runners that import this module instead of starting it call this. */
export function run(): Promise<void> {
  return runAction({ name: 'bento-canary', title: 'bentoci canary', outputs: OUTPUTS }, async (run) => {
    const inputs = readInputs(canaryInputs);
    const env = runnerEnv();
    const path = (p: string | undefined) => (p ? workspacePath(env, p) : undefined);
    // verify-policy and whom it trusts, with a key given as PEM text where the gate reads it.
    const verify = verifyOptionsFrom(inputs, env);
    // Asked before the verdict: a run that may not promote says why when the verdict passes.
    const promotion = promotionAllowed({
      passed: true,
      event: context.eventName,
      ref: context.ref,
      onEvents: inputs.promoteOn.length > 0 ? inputs.promoteOn : ['push', 'workflow_dispatch'],
      onRefs: inputs.promoteRefs,
    });
    const pullRequest = pullRequestReporter(inputs, env);
    await pullRequest.status('pending', 'canary running');

    const result = await run.step('Canary: baseline against candidate, then the gate', () =>
      runCanary(
        {
          baseline: inputs.baseline,
          candidate: inputs.candidate,
          requests: inputs.requests,
          duration: inputs.duration,
          concurrency: inputs.concurrency,
          warmup: inputs.warmup,
          requestsFile: path(inputs.requestsFile),
          seed: inputs.seed,
          order: inputs.order,
          timeout: inputs.timeout,
          readyTimeout: inputs.readyTimeout,
          env: inputs.env,
          thresholds: path(inputs.thresholds),
          shadow: path(inputs.shadow),
          promoteTo: inputs.promoteTo,
          release: inputs.releaseVersion,
          rolloutManifests: path(inputs.rolloutManifests),
          rolloutName: inputs.rolloutName,
          rolloutImage: inputs.rolloutImage,
          ...verify.options,
        },
        {
          home: env.home,
          registry: {
            home: env.home,
            ...(inputs.insecure ? { insecure: true } : {}),
            ...(inputs.registryUsername ? { username: inputs.registryUsername } : {}),
            ...(inputs.registryPassword ? { password: inputs.registryPassword } : {}),
            mask: maskSecret,
          },
          keys: verify.access,
          ...(promotion.allowed ? {} : { promotionBlocked: promotion.why }),
          log: (line) => core.info(line),
          warn: (message) => core.warning(message, { title: 'Signature not verified (bento-canary)' }),
        },
      ),
    );
    const { verdict, gate, thresholds } = result;
    core.info(`verdict: ${verdict.verdict}, score ${verdict.score.toFixed(2)}: ${verdict.reason}`);

    const naming = actionNaming(Object.keys(canaryInputs));
    const notes = gate.notes.map((note) => note.render(naming));
    const markdown = renderMarkdown({
      baseline: result.baseline.description,
      candidate: result.candidate.description,
      samples: result.samples,
      verdict,
      notes,
    });
    const reportFile = join(env.temp, 'bento-canary.md');
    await writeFile(reportFile, markdown);
    if (process.env['GITHUB_STEP_SUMMARY']) await core.summary.addRaw(markdown, true).write();
    const commentUrl = await pullRequest.comment(markdown);
    await pullRequest.status(
      verdict.passed ? 'success' : 'failure',
      `${verdict.verdict}: score ${verdict.score.toFixed(2)}; ${verdict.reason}`,
    );

    for (const note of notes) run.report.note(note);
    for (const move of gate.promotion?.moves.filter((m) => m.moved) ?? [])
      run.report.push({
        kind: 'image',
        ref: `${gate.promotion!.repository}:${move.tag}`,
        digest: gate.promotion!.digest,
      });
    const outputs = {
      verdict: verdict.verdict,
      score: verdict.score.toFixed(2),
      passed: String(verdict.passed),
      'report-file': reportFile,
      'comment-url': commentUrl,
      'promoted-digest': gate.promotion?.digest,
      manifests: gate.manifests,
    };
    if (!verdict.passed) {
      // A failing step still tells later steps (`if: failure()`) what the verdict was.
      setOutputs(OUTPUTS, outputs);
      throw new BentoError(
        `canary ${verdict.verdict} (score ${verdict.score.toFixed(2)}, pass at ${thresholds.score.pass}): ${verdict.reason}`,
      );
    }
    return outputs;
  });
}

if (isMainModule(import.meta.url)) await run();
