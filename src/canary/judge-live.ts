/**
 * One judgement of a live canary: read both sides' samples over the window from Prometheus, then
 * apply the PR gate's judge (same tests, thresholds and score) and say pass, fail or inconclusive.
 * Too little traffic on either side is inconclusive rather than a failure: early in a rollout the
 * canary may not have served enough requests for any test to mean anything.
 */
import { judge } from './judge.js';
import type { JudgeAnswer, Sides } from './judge-protocol.js';
import { type LiveWindow, liveSamples, liveThresholds } from './live-samples.js';
import type { PrometheusRangeClient } from './prometheus-range.js';
import type { Thresholds } from './thresholds.js';

export interface LiveJudgeOptions {
  prometheus: PrometheusRangeClient;
  thresholds: Thresholds;
  /** Fewer successful requests than this on a side make the answer inconclusive. */
  minRequests: number;
}

export async function judgeLive(
  options: LiveJudgeOptions,
  sides: Sides,
  w: LiveWindow,
): Promise<JudgeAnswer> {
  const t = liveThresholds(options.thresholds);
  const samples = await liveSamples(options.prometheus, sides, t, w);
  const window = { start: new Date(w.startMs).toISOString(), end: new Date(w.endMs).toISOString() };
  const requests = { canary: samples.candidate.requests, stable: samples.baseline.requests };
  const thin = Math.min(samples.candidate.requests, samples.baseline.requests);
  if (thin < options.minRequests)
    return {
      gate: 'inconclusive',
      verdict: 'nodata',
      score: null,
      reason: `${thin} requests on the quieter side in the window; at least ${options.minRequests} are needed to judge`,
      window,
      requests,
      metrics: [],
    };
  const verdict = judge(samples, t);
  return {
    gate: verdict.passed ? 'pass' : 'fail',
    verdict: verdict.verdict,
    score: verdict.score,
    reason: verdict.reason,
    window,
    requests,
    metrics: verdict.metrics
      .filter((m) => m.weight > 0)
      .map((m) => ({
        name: m.name,
        status: m.status,
        baseline: m.baseline,
        candidate: m.candidate,
        pValue: m.pValue,
        reason: m.reason,
      })),
  };
}
