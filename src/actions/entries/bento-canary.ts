/**
 * actions/bento-canary: the canary as a merge gate. Runs the same comparison as `bentoci canary`,
 * then reports it where a pull request shows it: one PR comment updated in place, the job summary
 * (with the latency chart), and the `bento-canary` commit status that branch protection can require.
 * On pass, and on a configured event (a push to main, never a pull request), `stable` and the release
 * tags move to the candidate's digest. The step fails when the gate stays closed.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as core from '@actions/core';
import { context } from '@actions/github';
import semver from 'semver';
import { parseDuration } from '../../canary/duration.js';
import { applyGate } from '../../canary/gate.js';
import { githubClient, setCommitStatus, upsertComment } from '../../canary/github.js';
import { promotionAllowed } from '../../canary/promote.js';
import { renderMarkdown } from '../../canary/report.js';
import { runCanary } from '../../canary/run.js';
import { loadThresholds } from '../../canary/thresholds.js';
import { connectEngine } from '../../containerize/engine.js';
import { BentoError, errorMessage } from '../../core/errors.js';
import { parseOciUrl } from '../../oci/reference.js';
import {
  bool,
  keyValues,
  list,
  oneOf,
  optionalText,
  parsed,
  positiveInt,
  requiredText,
} from '../input-fields.js';
import { checkVerifyInputs, readInputs, verifyInputs } from '../inputs.js';
import { setOutputs } from '../outputs.js';
import { isMainModule, runAction } from '../run.js';
import { runnerEnv, workspacePath } from '../runner.js';
import { maskSecret } from '../secrets.js';
import { verifyTrustFrom } from '../steps/keys.js';

const OUTPUTS = [
  'verdict',
  'score',
  'passed',
  'report-file',
  'comment-url',
  'promoted-digest',
  'manifests',
] as const;

const duration = (defaultValue?: string) =>
  parsed((text) => {
    const value = text === '' ? defaultValue : text;
    return value === undefined ? undefined : parseDuration(value, 'duration');
  });
const wholeNumber = (defaultValue: number) =>
  parsed((text) => {
    if (text === '') return defaultValue;
    const n = Number(text);
    if (!Number.isInteger(n) || n < 0) throw new Error(`"${text}" is not a whole number`);
    return n;
  });

const canaryInputs = {
  baseline: requiredText('a URL, bento or model tag, image:REF or oci://host/repo:tag'),
  candidate: requiredText('a URL, bento or model tag, image:REF or oci://host/repo:tag'),
  requests: positiveInt(),
  duration: duration(),
  concurrency: positiveInt(1),
  warmup: wholeNumber(10),
  'requests-file': optionalText(),
  seed: wholeNumber(1),
  order: oneOf(['interleaved', 'paired'] as const, 'interleaved'),
  timeout: duration('30s'),
  'ready-timeout': duration('120s'),
  env: keyValues(),
  thresholds: optionalText(),
  shadow: optionalText(),
  'github-token': optionalText(),
  comment: bool(true),
  status: bool(true),
  'pr-number': positiveInt(),
  'promote-to': parsed((text) => {
    if (text === '') return undefined;
    parseOciUrl(text, 'promote-to');
    return text;
  }),
  'release-version': parsed((text) => {
    if (text === '') return undefined;
    if (!semver.valid(text)) throw new Error(`"${text}" is not a semantic version such as 1.4.2`);
    return text;
  }),
  'promote-on': list(),
  'promote-refs': list(),
  'registry-username': optionalText(),
  'registry-password': optionalText(),
  insecure: bool(false),
  'rollout-manifests': optionalText(),
  'rollout-name': optionalText(),
  'rollout-image': optionalText(),
  ...verifyInputs,
};

/** Runs the action; runners that import this module instead of starting it call this. */
export function run(): Promise<void> {
  return runAction({ name: 'bento-canary', title: 'bentoci canary', outputs: OUTPUTS }, async (run) => {
    const raw = (name: string) => core.getInput(name);
    if (raw('registry-password')) maskSecret(raw('registry-password'));
    if (raw('github-token')) maskSecret(raw('github-token'));
    const inputs = readInputs(canaryInputs, raw);
    checkVerifyInputs(inputs);
    const env = runnerEnv();
    const trust = inputs.verifyPolicy === 'off' ? undefined : await verifyTrustFrom(inputs, env);
    const thresholds = await loadThresholds(
      inputs.thresholds ? workspacePath(env, inputs.thresholds) : undefined,
    );
    const registry = {
      home: env.home,
      ...(inputs.insecure ? { insecure: true } : {}),
      ...(inputs.registryUsername ? { username: inputs.registryUsername } : {}),
      ...(inputs.registryPassword ? { password: inputs.registryPassword } : {}),
      mask: maskSecret,
    };
    const pr = (context.payload as { pull_request?: { number?: number; head?: { sha?: string } } })
      .pull_request;
    const prNumber = inputs.prNumber ?? pr?.number;
    const sha = pr?.head?.sha ?? env.sha;
    const repo = env.repository
      ? { owner: env.repository.split('/')[0]!, repo: env.repository.split('/')[1]! }
      : undefined;
    const runUrl =
      env.repository && process.env['GITHUB_RUN_ID']
        ? `${process.env['GITHUB_SERVER_URL'] ?? 'https://github.com'}/${env.repository}/actions/runs/${process.env['GITHUB_RUN_ID']}`
        : undefined;
    const octokit = inputs.githubToken && repo ? githubClient(inputs.githubToken) : undefined;
    // Reporting must not hide the verdict: a missing permission is a warning, the step still gates.
    const report = async (what: string, fn: () => Promise<void>) => {
      try {
        await fn();
      } catch (err) {
        core.warning(`${what}: ${errorMessage(err)}`, { title: `bento-canary could not report` });
      }
    };
    if (inputs.status && octokit && repo && sha)
      await report('setting the pending status', () =>
        setCommitStatus(octokit, repo, sha, 'pending', 'canary running', runUrl),
      );

    const outcome = await run.step('Canary: baseline against candidate', async () =>
      runCanary({
        baseline: inputs.baseline,
        candidate: inputs.candidate,
        ...(inputs.requests !== undefined ? { requests: inputs.requests } : {}),
        ...(inputs.duration !== undefined ? { durationMs: inputs.duration } : {}),
        concurrency: inputs.concurrency ?? 1,
        warmup: inputs.warmup,
        ...(inputs.requestsFile ? { requestsFile: workspacePath(env, inputs.requestsFile) } : {}),
        seed: inputs.seed,
        order: inputs.order ?? 'interleaved',
        timeoutMs: inputs.timeout ?? 30_000,
        readyTimeoutMs: inputs.readyTimeout ?? 120_000,
        ...(Object.keys(inputs.env).length > 0 ? { targetEnv: inputs.env } : {}),
        thresholds,
        ...(inputs.shadow ? { shadowFile: workspacePath(env, inputs.shadow) } : {}),
        home: env.home,
        verify: inputs.verifyPolicy ?? 'off',
        ...(trust !== undefined ? { trust } : {}),
        verifyFlag: 'verify-policy',
        registry,
        connectDocker: () => connectEngine(),
        log: (line) => core.info(line),
        warn: (message) => core.warning(message, { title: 'Signature not verified (bento-canary)' }),
      }),
    );
    const { verdict } = outcome;
    core.info(`verdict: ${verdict.verdict}, score ${verdict.score.toFixed(2)}: ${verdict.reason}`);

    const allowed = promotionAllowed({
      passed: verdict.passed,
      event: context.eventName,
      ref: context.ref,
      onEvents: inputs.promoteOn.length > 0 ? inputs.promoteOn : ['push', 'workflow_dispatch'],
      onRefs: inputs.promoteRefs,
    });
    const gate = await run.step('Gate: promotion and rollout manifests', () =>
      applyGate(outcome, {
        ...(inputs.promoteTo ? { promoteTo: inputs.promoteTo } : {}),
        ...(inputs.releaseVersion ? { release: inputs.releaseVersion } : {}),
        ...(verdict.passed && !allowed.allowed ? { promotionBlocked: allowed.why } : {}),
        registry,
        ...(inputs.rolloutManifests ? { rolloutDir: workspacePath(env, inputs.rolloutManifests) } : {}),
        ...(inputs.rolloutName ? { rolloutName: inputs.rolloutName } : {}),
        ...(inputs.rolloutImage ? { rolloutImage: inputs.rolloutImage } : {}),
        thresholds,
        log: (line) => core.info(line),
      }),
    );

    const markdown = renderMarkdown({
      baseline: outcome.baseline.description,
      candidate: outcome.candidate.description,
      samples: outcome.samples,
      verdict,
      notes: gate.notes,
    });
    const reportFile = join(env.temp, 'bento-canary.md');
    await writeFile(reportFile, markdown);
    if (process.env['GITHUB_STEP_SUMMARY']) await core.summary.addRaw(markdown, true).write();

    let commentUrl: string | undefined;
    if (inputs.comment && octokit && repo && prNumber) {
      await report('updating the PR comment', async () => {
        const c = await upsertComment(octokit, repo, prNumber, markdown);
        commentUrl = c.url;
        core.info(`${c.action} the canary comment on #${prNumber}: ${c.url}`);
      });
    }
    if (inputs.status && octokit && repo && sha) {
      const description = `${verdict.verdict}: score ${verdict.score.toFixed(2)}; ${verdict.reason}`;
      await report('setting the commit status', () =>
        setCommitStatus(octokit, repo, sha, verdict.passed ? 'success' : 'failure', description, runUrl),
      );
    }
    for (const note of gate.notes) run.report.note(note);
    if (gate.promotion) {
      for (const move of gate.promotion.moves.filter((m) => m.moved))
        run.report.push({
          kind: 'image',
          ref: `${gate.promotion.repository}:${move.tag}`,
          digest: gate.promotion.digest,
        });
    }
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
