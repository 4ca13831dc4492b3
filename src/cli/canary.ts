/**
 * `bentoci canary`: the flags of the canary operation (src/operations/canary.ts), which reads and
 * checks them, and the verdict as a table, JSON or a Markdown report.
 */
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { z } from 'zod';
import { renderMarkdown, VERDICT_HEADERS, verdictRows } from '../canary/report.js';
import { bentociHome } from '../core/home.js';
import { CANARY_DEFAULTS, runCanary } from '../operations/canary.js';
import { CLI_NAMING } from './naming.js';
import { parseKeyValue } from './options.js';
import { info, printJson, printTable } from './output.js';
import { action } from './program.js';
import { withVerifyGate } from './verify-gate.js';

/** The flags as commander hands them over; their values are the operation's to check. */
const flagsSchema = z.object({
  baseline: z.string().optional(),
  candidate: z.string().optional(),
  requests: z.string().optional(),
  duration: z.string().optional(),
  concurrency: z.string(),
  warmup: z.string(),
  requestsFile: z.string().optional(),
  seed: z.string(),
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
  // The verify gate (see verify-gate.ts), checked by the operation with the rest.
  verify: z.string(),
  pub: z.string().optional(),
  certificateIdentity: z.string().optional(),
  certificateIdentityRegexp: z.string().optional(),
  certificateOidcIssuer: z.string().optional(),
  certificateOidcIssuerRegexp: z.string().optional(),
  trustedRoot: z.string().optional(),
  insecureIgnoreTlog: z.boolean().optional(),
  insecureIgnoreSct: z.boolean().optional(),
});
type CanaryFlags = z.infer<typeof flagsSchema>;

function collectEnv(value: string, previous: Record<string, string> = {}): Record<string, string> {
  return { ...previous, ...parseKeyValue(value, '--env') };
}

/** `bentoci canary`: judge a candidate against a baseline on the same traffic. */
export function registerCanaryCommands(program: Command): void {
  const command = program
    .command('canary')
    .description('send the same requests to a baseline and a candidate, judge the difference, and gate on it')
    // Not requiredOption: commander checks a parent's required options for its subcommands too, and
    // `canary judge-server` takes neither; the operation asks for them instead.
    .option(
      '--baseline <ref>',
      'what runs today: URL, bento/model tag, directory, image:REF or oci://host/repo:tag',
    )
    .option('--candidate <ref>', 'what would replace it (same forms as --baseline)')
    .option('--requests <n>', 'measured request pairs (default: the file length, or 200)')
    .option('--duration <time>', 'measure for this long instead, e.g. 30s or 2m')
    .option('--concurrency <n>', 'pairs in flight at once', String(CANARY_DEFAULTS.concurrency))
    .option('--warmup <n>', 'pairs sent first and discarded', String(CANARY_DEFAULTS.warmup))
    .option(
      '--requests-file <file.jsonl>',
      'recorded requests to replay: one {"api"|"route", "body"} per line',
    )
    .option('--seed <n>', 'seed of generated requests', String(CANARY_DEFAULTS.seed))
    .option(
      '--order <order>',
      'interleaved (one side then the other, alternating) or paired (both at once)',
      CANARY_DEFAULTS.order,
    )
    .option('--timeout <time>', 'per-request timeout', CANARY_DEFAULTS.timeout)
    .option(
      '--ready-timeout <time>',
      'how long a started side may take to report ready',
      CANARY_DEFAULTS.readyTimeout,
    )
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
  const result = await runCanary(
    {
      baseline: flags.baseline,
      candidate: flags.candidate,
      requests: flags.requests,
      duration: flags.duration,
      concurrency: flags.concurrency,
      warmup: flags.warmup,
      requestsFile: flags.requestsFile,
      seed: flags.seed,
      order: flags.order,
      timeout: flags.timeout,
      readyTimeout: flags.readyTimeout,
      env: flags.env,
      thresholds: flags.thresholds,
      shadow: flags.shadow,
      promoteTo: flags.promoteTo,
      release: flags.release,
      rolloutManifests: flags.rolloutManifests,
      rolloutName: flags.rolloutName,
      rolloutImage: flags.rolloutImage,
      verify: flags.verify,
      pub: flags.pub,
      certificateIdentity: flags.certificateIdentity,
      certificateIdentityRegexp: flags.certificateIdentityRegexp,
      certificateOidcIssuer: flags.certificateOidcIssuer,
      certificateOidcIssuerRegexp: flags.certificateOidcIssuerRegexp,
      trustedRoot: flags.trustedRoot,
      insecureIgnoreTlog: flags.insecureIgnoreTlog,
      insecureIgnoreSct: flags.insecureIgnoreSct,
    },
    {
      home: bentociHome(),
      registry: {
        home: bentociHome(),
        ...(flags.insecure ? { insecure: true } : {}),
        ...(flags.caFile ? { caFile: flags.caFile } : {}),
      },
      log: info,
      warn: (m) => info(`warning: ${m}`),
    },
  );
  const { verdict, samples, gate, thresholds } = result;
  const notes = gate.notes.map((note) => note.render(CLI_NAMING));
  if (flags.report) {
    await writeFile(
      flags.report,
      renderMarkdown({
        baseline: result.baseline.description,
        candidate: result.candidate.description,
        samples,
        verdict,
        notes,
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
      baseline: result.baseline.description,
      candidate: result.candidate.description,
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
    for (const note of notes) info(note.replace(/`/g, ''));
  }
  if (!verdict.passed) process.exitCode = 1;
}
