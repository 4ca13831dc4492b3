/**
 * The judge: one statistical comparison per metric, then Kayenta's weighted score and verdict.
 *
 * Per metric (as Kayenta's MannWhitneyClassifier does, with a p-value in place of its interval test):
 * a metric fails only when the candidate is worse with statistical significance (one-sided test at
 * `alpha` in the metric's bad direction) AND by more than the allowed degradation (effect size). The
 * first keeps noise from failing a run; the second keeps a real but negligible change from failing one
 * when the samples are large.
 *
 * Score (Kayenta's WeightedSumScorer): 100 * Σ weight of passing metrics / Σ weight of judged metrics;
 * a failing critical metric scores 0; when half or more of the weighted metrics have no data the score
 * is 0. Verdict (ThresholdScoreClassifier): pass at score >= score.pass, marginal at >= score.marginal,
 * fail below. Everything here is a pure function of the samples: the same samples give the same verdict.
 */
import {
  judgeAgreement,
  judgeDistribution,
  judgeErrorRate,
  judgePrometheus,
  judgeRatio,
} from './classify.js';
import { type CanarySamples, throughputOf } from './metrics.js';
import type { Direction, Thresholds } from './thresholds.js';

export { formatP, judgeDistribution } from './classify.js';

export type MetricStatus = 'pass' | 'fail' | 'nodata';
/** Kayenta's labels: High/Low say in which direction a failing metric moved. */
export type Classification = 'pass' | 'high' | 'low' | 'nodata';

export interface MetricResult {
  /** `latency`, `error_rate`, `agreement`, `throughput`, or a Prometheus metric's label. */
  name: string;
  test: 'mann-whitney' | 'two-proportion-z' | 'proportion-floor' | 'ratio';
  unit: string;
  /** Summary per side: the median of a distribution, the rate of a proportion, a scalar's value. */
  baseline: number | null;
  candidate: number | null;
  /** Effect size judged against `allowed`: relative for distributions and scalars, absolute for proportions. */
  delta: number | null;
  deltaKind: 'relative' | 'absolute';
  /** Which change counts against the candidate. */
  direction: Direction;
  allowed: number;
  pValue: number | null;
  classification: Classification;
  status: MetricStatus;
  weight: number;
  critical: boolean;
  reason: string;
  /** Test details for the curious: U, z, the shift estimate and its interval, sample sizes. */
  detail: Record<string, number>;
}

export type VerdictLabel = 'pass' | 'marginal' | 'fail';

export interface Verdict {
  verdict: VerdictLabel;
  /** Whether the gate opens: pass, or marginal when `marginal_is: pass`. */
  passed: boolean;
  score: number;
  reason: string;
  metrics: MetricResult[];
}

/** Every metric of the thresholds, judged on the samples, then scored. */
export function judge(samples: CanarySamples, thresholds: Thresholds): Verdict {
  const m = thresholds.metrics;
  const metrics: MetricResult[] = [
    judgeDistribution(
      {
        name: 'latency',
        unit: 'ms',
        direction: m.latency.direction,
        maxDegradation: m.latency.max_degradation,
        weight: m.latency.weight,
        critical: m.latency.critical,
      },
      samples.baseline.latenciesMs,
      samples.candidate.latenciesMs,
      thresholds.alpha,
    ),
    judgeErrorRate(samples, thresholds),
    judgeAgreement(samples, thresholds),
    judgeRatio(
      {
        name: 'throughput',
        unit: 'req/s',
        direction: 'decrease',
        maxDegradation: m.throughput.max_degradation,
        weight: m.throughput.weight,
        critical: m.throughput.critical,
      },
      throughputOf(samples.baseline, samples.concurrency),
      throughputOf(samples.candidate, samples.concurrency),
    ),
    ...m.prometheus.map((spec) => judgePrometheus(spec, samples, thresholds.alpha)),
  ];
  return score(metrics, thresholds);
}

/** Kayenta's weighted score and threshold classification over judged metrics. */
export function score(metrics: MetricResult[], thresholds: Thresholds): Verdict {
  const weighted = metrics.filter((r) => r.weight > 0);
  const critical = weighted.find((r) => r.critical && r.status === 'fail');
  const nodata = weighted.filter((r) => r.status === 'nodata').length;
  let value: number;
  let reason: string;
  if (critical) {
    value = 0;
    reason = `critical metric ${critical.name} failed: ${critical.reason}`;
  } else if (weighted.length > 0 && nodata / weighted.length >= 0.5) {
    value = 0;
    reason = `${nodata} of ${weighted.length} weighted metrics have no data`;
  } else {
    const judged = weighted.filter((r) => r.status !== 'nodata');
    const total = judged.reduce((s, r) => s + r.weight, 0);
    const passed = judged.filter((r) => r.status === 'pass').reduce((s, r) => s + r.weight, 0);
    value = total > 0 ? Math.round((10000 * passed) / total) / 100 : 100;
    const failed = judged.filter((r) => r.status === 'fail').map((r) => r.name);
    reason = failed.length > 0 ? `failed: ${failed.join(', ')}` : 'every metric passed';
  }
  const verdict: VerdictLabel =
    value >= thresholds.score.pass ? 'pass' : value >= thresholds.score.marginal ? 'marginal' : 'fail';
  const passed = verdict === 'pass' || (verdict === 'marginal' && thresholds.marginal_is === 'pass');
  return { verdict, passed, score: value, reason, metrics };
}
