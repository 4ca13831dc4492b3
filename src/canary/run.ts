/**
 * Measuring a canary once both sides answer: the requests (replayed from a file, or generated from
 * the API signature), the traffic, and the verdict. Starting the sides, the verify gate and closing
 * what was opened belong to the canary operation (src/operations/canary.ts), which both front doors run.
 */
import { createWriteStream } from 'node:fs';
import { BentoError, UsageError } from '../core/errors.js';
import { option, say } from '../core/user-text.js';
import { judge, type Verdict } from './judge.js';
import type { CanarySamples } from './metrics.js';
import { type ApiSpec, type CanaryRequest, generateRequests, loadRequestFile } from './requests.js';
import type { RunningTarget, TargetRef } from './targets.js';
import type { Thresholds } from './thresholds.js';
import { runTraffic, type TrafficOptions, type TrafficOrder } from './traffic.js';

export interface MeasureOptions {
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
  thresholds: Thresholds;
  /** Shadow mode: each disagreeing pair, with the request and both responses. */
  onMismatch?: TrafficOptions['onMismatch'];
  log: (line: string) => void;
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
  options: MeasureOptions,
  apis: ApiSpec[],
): Promise<{ requests: CanaryRequest[]; count?: number }> {
  if (options.requestsFile) {
    const requests = await loadRequestFile(options.requestsFile, apis);
    const count = options.requests ?? (options.durationMs === undefined ? requests.length : undefined);
    return { requests, ...(count !== undefined ? { count } : {}) };
  }
  if (apis.length === 0)
    throw new UsageError(
      say`neither side declares an API signature (URLs and plain images do not): pass ${option('requestsFile')} with recorded requests`,
    );
  const count = options.requests ?? (options.durationMs === undefined ? DEFAULT_PAIRS : undefined);
  // A duration run cycles through a pool; its size does not change what is measured.
  return {
    requests: generateRequests(apis, count ?? 1000, options.seed),
    ...(count !== undefined ? { count } : {}),
  };
}

/** Sends the same requests to both running sides and judges the difference. */
export async function measureCanary(
  targets: { baseline: RunningTarget; candidate: RunningTarget },
  options: MeasureOptions,
): Promise<CanaryOutcome> {
  const { requests, count } = await buildRequests(options, apisOf(targets.baseline, targets.candidate));
  const samples = await runTraffic({
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
    ...(options.onMismatch ? { onMismatch: options.onMismatch } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
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

/** Shadow mode's file: every disagreeing pair (request and both responses), one JSON object a line. */
export interface ShadowLog {
  write(mismatch: unknown): void;
  close(): Promise<void>;
}

/** Opens option `shadow`'s file; a failure to write it is reported when it is closed. */
export function openShadowLog(path: string): ShadowLog {
  const stream = createWriteStream(path);
  let failed: Error | undefined;
  stream.on('error', (err) => {
    failed ??= err;
  });
  const failure = () => new BentoError(say`cannot write ${option('shadow')} "${path}": ${failed}`);
  return {
    write: (mismatch) => {
      if (!failed) stream.write(`${JSON.stringify(mismatch)}\n`);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        if (failed) return reject(failure());
        stream.end(() => (failed ? reject(failure()) : resolve()));
      }),
  };
}
