import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { z } from 'zod';
import { parseDuration } from '../canary/duration.js';
import { applyGate } from '../canary/gate.js';
import { renderMarkdown, VERDICT_HEADERS, verdictRows } from '../canary/report.js';
import { runCanary } from '../canary/run.js';
import { loadThresholds } from '../canary/thresholds.js';
import { connectEngine } from '../containerize/engine.js';
import { UsageError } from '../core/errors.js';
import { bentociHome } from '../core/home.js';
import { parseVerifyPolicy } from '../sign/policy.js';
import { parseKeyValue, parsePositiveInt } from './options.js';
import { info, printJson, printTable } from './output.js';
import { action } from './program.js';
import { gateFlagsShape, trustOf, withVerifyGate } from './verify-gate.js';

const flagsSchema = z.object({
  baseline: z.string().optional(),
  candidate: z.string().optional(),
  requests: z.number().int().positive().optional(),
  duration: z.string().optional(),
  concurrency: z.number().int().positive(),
  warmup: z.number().int().min(0),
  requestsFile: z.string().optional(),
  seed: z.number().int(),
  order: z.string(),
  timeout: z.string(),
  readyTimeout: z.string(),
  env: z.record(z.string(), z.string()),
  thresholds: z.string().optional(),
  json: z.boolean().optional(),
  shadow: z.string().optional(),
  report: z.string().optional(),
  promoteTo: z.string().optional(),
  release: z.string().optional(),
  rolloutManifests: z.string().optional(),
  rolloutName: z.string().optional(),
  rolloutImage: z.string().optional(),
  insecure: z.boolean().optional(),
  caFile: z.string().optional(),
  // The verify gate of this command (see verify-gate.ts).
  ...gateFlagsShape,
});
type CanaryFlags = z.infer<typeof flagsSchema>;

function collectEnv(value: string, previous: Record<string, string> = {}): Record<string, string> {
  return { ...previous, ...parseKeyValue(value, '--env') };
}

function parseWholeNumber(flag: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0)
      throw new UsageError(`invalid ${flag} "${value}": expected a whole number`);
    return n;
  };
}

/** `bentoci canary`: judge a candidate against a baseline on the same traffic. */
export function registerCanaryCommands(program: Command): void {
  const command = program
    .command('canary')
    .description('send the same requests to a baseline and a candidate, judge the difference, and gate on it')
    // Not requiredOption: commander checks a parent's required options for its subcommands too, and
    // `canary judge-server` takes neither; run() asks for them instead.
    .option(
      '--baseline <ref>',
      'what runs today: URL, bento/model tag, directory, image:REF or oci://host/repo:tag',
    )
    .option('--candidate <ref>', 'what would replace it (same forms as --baseline)')
    .option(
      '--requests <n>',
      'measured request pairs (default: the file length, or 200)',
      parsePositiveInt('--requests'),
    )
    .option('--duration <time>', 'measure for this long instead, e.g. 30s or 2m')
    .option('--concurrency <n>', 'pairs in flight at once', parsePositiveInt('--concurrency'), 1)
    .option('--warmup <n>', 'pairs sent first and discarded', parseWholeNumber('--warmup'), 10)
    .option(
      '--requests-file <file.jsonl>',
      'recorded requests to replay: one {"api"|"route", "body"} per line',
    )
    .option('--seed <n>', 'seed of generated requests', parseWholeNumber('--seed'), 1)
    .option(
      '--order <order>',
      'interleaved (one side then the other, alternating) or paired (both at once)',
      'interleaved',
    )
    .option('--timeout <time>', 'per-request timeout', '30s')
    .option('--ready-timeout <time>', 'how long a started side may take to report ready', '120s')
    .option(
      '--env <key=value>',
      'environment for the sides the canary starts (repeatable), e.g. BENTOCI_MAX_LATENCY_MS=500',
      collectEnv,
      {},
    )
    .option('--thresholds <file>', 'YAML of metric allowances, weights and score thresholds (docs/canary.md)')
    .option(
      '--shadow <file.jsonl>',
      'shadow mode: write every disagreeing pair (request and both responses) here',
    )
    .option('--report <file.md>', 'also write the Markdown report (with the latency chart) here')
    .option('--promote-to <oci-url>', 'on pass, point oci://host/repo[:stable] at the candidate digest')
    .option(
      '--release <version>',
      'with --promote-to: also tag this semantic version (and its minor, major, latest)',
    )
    .option(
      '--rollout-manifests <dir>',
      'write Argo Rollouts and Flagger manifests with the same thresholds here',
    )
    .option('--rollout-name <name>', 'Kubernetes name in the rollout manifests (default: from the candidate)')
    .option(
      '--rollout-image <ref>',
      'image in the rollout manifests (default: the candidate image by digest)',
    )
    .option('--insecure', 'plain HTTP to the registry (loopback or lab registries)')
    .option('--ca-file <pem>', 'trust this CA for the registry')
    .option('--json', 'print the verdict, metrics and samples summary as JSON');
  withVerifyGate(command, 'each side').action(action(async (raw: unknown) => run(flagsSchema.parse(raw))));
}

async function run(flags: CanaryFlags): Promise<void> {
  const { baseline, candidate } = flags;
  if (!baseline) throw new UsageError("required option '--baseline <ref>' not specified");
  if (!candidate) throw new UsageError("required option '--candidate <ref>' not specified");
  if (flags.order !== 'interleaved' && flags.order !== 'paired')
    throw new UsageError(`invalid --order "${flags.order}": expected interleaved or paired`);
  if (flags.release && !flags.promoteTo) throw new UsageError('--release needs --promote-to');
  const thresholds = await loadThresholds(flags.thresholds);
  const verify = parseVerifyPolicy(flags.verify);
  const trust = verify === 'off' ? undefined : await trustOf(flags);
  const home = bentociHome();
  const registry = {
    home,
    ...(flags.insecure ? { insecure: true } : {}),
    ...(flags.caFile ? { caFile: flags.caFile } : {}),
  };
  const outcome = await runCanary({
    baseline,
    candidate,
    ...(flags.requests !== undefined ? { requests: flags.requests } : {}),
    ...(flags.duration !== undefined ? { durationMs: parseDuration(flags.duration) } : {}),
    concurrency: flags.concurrency,
    warmup: flags.warmup,
    ...(flags.requestsFile ? { requestsFile: flags.requestsFile } : {}),
    seed: flags.seed,
    order: flags.order,
    timeoutMs: parseDuration(flags.timeout, '--timeout'),
    readyTimeoutMs: parseDuration(flags.readyTimeout, '--ready-timeout'),
    ...(Object.keys(flags.env).length > 0 ? { targetEnv: flags.env } : {}),
    thresholds,
    ...(flags.shadow ? { shadowFile: flags.shadow } : {}),
    home,
    verify,
    ...(trust !== undefined ? { trust } : {}),
    registry,
    connectDocker: () => connectEngine(),
    log: info,
    warn: (m) => info(`warning: ${m}`),
  });
  const gate = await applyGate(outcome, {
    ...(flags.promoteTo ? { promoteTo: flags.promoteTo } : {}),
    ...(flags.release ? { release: flags.release } : {}),
    registry,
    ...(flags.rolloutManifests ? { rolloutDir: flags.rolloutManifests } : {}),
    ...(flags.rolloutName ? { rolloutName: flags.rolloutName } : {}),
    ...(flags.rolloutImage ? { rolloutImage: flags.rolloutImage } : {}),
    thresholds,
    log: info,
  });
  const { verdict, samples } = outcome;
  if (flags.report) {
    await writeFile(
      flags.report,
      renderMarkdown({
        baseline: outcome.baseline.description,
        candidate: outcome.candidate.description,
        samples,
        verdict,
        notes: gate.notes,
      }),
    );
    info(`wrote the report to ${flags.report}`);
  }
  if (flags.json) {
    printJson({
      verdict: verdict.verdict,
      passed: verdict.passed,
      score: verdict.score,
      reason: verdict.reason,
      baseline: outcome.baseline.description,
      candidate: outcome.candidate.description,
      pairs: samples.baseline.requests,
      durationMs: Math.round(samples.durationMs),
      concurrency: samples.concurrency,
      metrics: verdict.metrics,
      disagreements: samples.agreement.examples,
      ...(gate.promotion ? { promotion: gate.promotion } : {}),
      manifests: gate.manifests,
    });
  } else {
    process.stdout.write(
      `${verdict.verdict.toUpperCase()}: score ${verdict.score.toFixed(2)} (pass >= ${thresholds.score.pass}, marginal >= ${thresholds.score.marginal}); ${verdict.reason}\n`,
    );
    printTable(VERDICT_HEADERS, verdictRows(verdict));
    for (const note of gate.notes) info(note.replace(/`/g, ''));
  }
  if (!verdict.passed) process.exitCode = 1;
}
