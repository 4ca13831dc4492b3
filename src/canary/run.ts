/**
 * One canary run, as the CLI and the action both do it: start (or reach) both sides, build the
 * requests, drive the traffic, stop what was started, and judge.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import type Docker from 'dockerode';
import { openBentoStore } from '../core/bento-store.js';
import { BentoError, UsageError } from '../core/errors.js';
import { openModelStore } from '../core/model-store.js';
import { openRepository, type RepositoryOptions } from '../oci/index.js';
import { RepositorySignatureRegistry } from '../sign/oci-registry.js';
import { enforceVerifyPolicy, type VerifyPolicy, type VerifyTrust } from '../sign/policy.js';
import { judge, type Verdict } from './judge.js';
import type { CanarySamples } from './metrics.js';
import { type ApiSpec, type CanaryRequest, generateRequests, loadRequestFile } from './requests.js';
import {
  parseTargetRef,
  type RunningTarget,
  startTargets,
  type TargetRef,
  type VerifiableTarget,
} from './targets.js';
import type { Thresholds } from './thresholds.js';
import { runTraffic, type TrafficOrder } from './traffic.js';

export interface CanaryOptions {
  baseline: string;
  candidate: string;
  /** Measured request pairs; with neither this nor `durationMs`: the file's length, or 200. */
  requests?: number;
  durationMs?: number;
  concurrency: number;
  warmup: number;
  requestsFile?: string;
  /** Seed of generated requests. */
  seed: number;
  order: TrafficOrder;
  timeoutMs: number;
  readyTimeoutMs: number;
  /** Environment for the sides this run starts (runtime processes and containers). */
  targetEnv?: Record<string, string>;
  thresholds: Thresholds;
  /** Shadow mode: every disagreeing pair (request and both responses) goes to this JSONL file. */
  shadowFile?: string;
  home: string;
  verify: VerifyPolicy;
  /** Whom `verify` trusts: a Verifier, a PEM path / env://NAME, or a keyless signer. */
  trust?: VerifyTrust;
  /** How errors name the policy: `--verify`, or the action's `verify-policy`. */
  verifyFlag?: string;
  registry: RepositoryOptions;
  connectDocker: () => Promise<Docker>;
  log: (line: string) => void;
  warn: (line: string) => void;
  signal?: AbortSignal;
}

export interface CanaryOutcome {
  baseline: { ref: TargetRef; description: string; identity?: string };
  candidate: { ref: TargetRef; description: string; identity?: string };
  samples: CanarySamples;
  verdict: Verdict;
}

const DEFAULT_PAIRS = 200;

function apisOf(a: RunningTarget, b: RunningTarget): ApiSpec[] {
  // The candidate's signature when it has one: it is what the change is about.
  return b.apis.length > 0 ? b.apis : a.apis;
}

async function buildRequests(
  options: CanaryOptions,
  apis: ApiSpec[],
): Promise<{ requests: CanaryRequest[]; count?: number }> {
  if (options.requestsFile) {
    const requests = await loadRequestFile(options.requestsFile, apis);
    const count = options.requests ?? (options.durationMs === undefined ? requests.length : undefined);
    return { requests, ...(count !== undefined ? { count } : {}) };
  }
  if (apis.length === 0)
    throw new UsageError(
      'neither side declares an API signature (URLs and plain images do not): pass --requests-file with recorded requests',
    );
  const count = options.requests ?? (options.durationMs === undefined ? DEFAULT_PAIRS : undefined);
  // A duration run cycles through a pool; its size does not change what is measured.
  return {
    requests: generateRequests(apis, count ?? 1000, options.seed),
    ...(count !== undefined ? { count } : {}),
  };
}

function verifier(options: CanaryOptions): (target: VerifiableTarget) => Promise<void> {
  return async (target) => {
    if (options.verify === 'off') return;
    if (target.type === 'unverifiable') {
      const message = `${target.description} cannot be verified (only store entries and registry images carry signatures)`;
      if (options.verify === 'require')
        throw new BentoError(`${options.verifyFlag ?? '--verify'} require: ${message}`);
      options.warn(message);
      return;
    }
    if (target.type === 'entry') {
      await enforceVerifyPolicy(options.verify, target, options.trust, {
        warn: options.warn,
        flag: options.verifyFlag ?? '--verify',
      });
      return;
    }
    const repo = await openRepository(target.ref, options.registry);
    try {
      await enforceVerifyPolicy(
        options.verify,
        { type: 'image', registry: new RepositorySignatureRegistry(repo), ref: target.ref },
        options.trust,
        { warn: options.warn, flag: options.verifyFlag ?? '--verify' },
      );
    } finally {
      await repo.close();
    }
  };
}

export async function runCanary(options: CanaryOptions): Promise<CanaryOutcome> {
  if (options.requests !== undefined && options.durationMs !== undefined)
    throw new UsageError('give --requests or --duration, not both');
  const baselineRef = parseTargetRef(options.baseline, '--baseline');
  const candidateRef = parseTargetRef(options.candidate, '--candidate');
  const targets = await startTargets(baselineRef, candidateRef, {
    bentos: openBentoStore(options.home),
    models: openModelStore(options.home),
    docker: options.connectDocker,
    readyTimeoutMs: options.readyTimeoutMs,
    ...(options.targetEnv ? { env: options.targetEnv } : {}),
    beforeStart: verifier(options),
    log: options.log,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  let shadow: WriteStream | undefined;
  let samples: CanarySamples;
  try {
    const { requests, count } = await buildRequests(options, apisOf(targets.baseline, targets.candidate));
    if (options.shadowFile) shadow = createWriteStream(options.shadowFile);
    const stream = shadow;
    samples = await runTraffic({
      baseline: { url: targets.baseline.url, metricsPath: '/metrics' },
      candidate: { url: targets.candidate.url, metricsPath: '/metrics' },
      requests,
      ...(count !== undefined ? { count } : {}),
      ...(options.durationMs !== undefined ? { durationMs: options.durationMs } : {}),
      warmup: options.warmup,
      concurrency: options.concurrency,
      order: options.order,
      timeoutMs: options.timeoutMs,
      agreement: options.thresholds.metrics.agreement,
      prometheus: options.thresholds.metrics.prometheus,
      log: options.log,
      ...(stream ? { onMismatch: (m) => stream.write(`${JSON.stringify(m)}\n`) } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } finally {
    if (shadow) await new Promise<void>((resolve) => shadow!.end(resolve));
    await targets.stop();
  }
  const describe = (t: RunningTarget) => ({
    ref: t.ref,
    description: t.description,
    ...(t.identity ? { identity: t.identity } : {}),
  });
  return {
    baseline: describe(targets.baseline),
    candidate: describe(targets.candidate),
    samples,
    verdict: judge(samples, options.thresholds),
  };
}
