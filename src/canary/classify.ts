/**
 * One classifier per kind of metric, as Kayenta's metric classifiers: each compares the candidate with
 * the baseline and says pass, high, low or nodata, with the p-value, the effect and the reason.
 * judge.ts runs them over the thresholds and scores the results.
 */
import type { Classification, MetricResult } from './judge.js';
import { type CanarySamples, errorRateOf } from './metrics.js';
import {
  type Alternative,
  hodgesLehmann,
  mannWhitney,
  mean,
  normalQuantile,
  proportionBelow,
  quantileOfSorted,
  sorted,
  twoProportionZ,
} from './stats.js';
import type { Direction, PrometheusMetricSpec, Thresholds } from './thresholds.js';

function alternativeOf(direction: Direction): Alternative {
  if (direction === 'increase') return 'greater';
  if (direction === 'decrease') return 'less';
  return 'two-sided';
}

function sameMultiset(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  const x = sorted(a);
  const y = sorted(b);
  return x.every((v, i) => v === y[i]);
}

/** Whether a relative change is a degradation beyond `allowed` in the bad direction. */
function degraded(relative: number, direction: Direction, allowed: number): Classification {
  if ((direction === 'increase' || direction === 'either') && relative > allowed) return 'high';
  if ((direction === 'decrease' || direction === 'either') && -relative > allowed) return 'low';
  return 'pass';
}

export interface DistributionSpec {
  name: string;
  unit: string;
  direction: Direction;
  maxDegradation: number;
  weight: number;
  critical: boolean;
}

/**
 * Compares two samples of a continuous metric: Mann-Whitney U for significance, the Hodges-Lehmann
 * shift over the baseline median for the effect size.
 */
export function judgeDistribution(
  spec: DistributionSpec,
  baseline: readonly number[],
  candidate: readonly number[],
  alpha: number,
): MetricResult {
  const base = {
    name: spec.name,
    test: 'mann-whitney' as const,
    unit: spec.unit,
    deltaKind: 'relative' as const,
    direction: spec.direction,
    allowed: spec.maxDegradation,
    weight: spec.weight,
    critical: spec.critical,
  };
  if (baseline.length === 0 || candidate.length === 0) {
    return {
      ...base,
      baseline: baseline.length ? quantileOfSorted(sorted(baseline), 0.5) : null,
      candidate: candidate.length ? quantileOfSorted(sorted(candidate), 0.5) : null,
      delta: null,
      pValue: null,
      classification: 'nodata',
      status: 'nodata',
      reason: `no ${baseline.length === 0 ? 'baseline' : 'candidate'} samples`,
      detail: { n_baseline: baseline.length, n_candidate: candidate.length },
    };
  }
  const baseMedian = quantileOfSorted(sorted(baseline), 0.5);
  const candMedian = quantileOfSorted(sorted(candidate), 0.5);
  const common = { ...base, baseline: baseMedian, candidate: candMedian };
  if (sameMultiset(baseline, candidate)) {
    return {
      ...common,
      delta: 0,
      pValue: 1,
      classification: 'pass',
      status: 'pass',
      reason: 'identical samples',
      detail: { n_baseline: baseline.length, n_candidate: candidate.length },
    };
  }
  const alternative = alternativeOf(spec.direction);
  const mw = mannWhitney(baseline, candidate, alternative);
  // A one-sided (1 - α) bound is one edge of a two-sided (1 - 2α) interval.
  const shift = hodgesLehmann(baseline, candidate, alternative === 'two-sided' ? 1 - alpha : 1 - 2 * alpha);
  const scale = Math.abs(baseMedian);
  const rel = (v: number) => (scale > 0 ? v / scale : v === 0 ? 0 : Math.sign(v) * Infinity);
  const relative = rel(shift.estimate);
  // The effect must exceed the allowed degradation with confidence, not only as a point estimate: the
  // bound on the near side of zero is what the candidate is worse by at least (Kayenta compares its
  // interval with a tolerance the same way). So noise within the tolerance cannot fail a run.
  let moved: Classification = 'pass';
  let bound = relative;
  const high = degraded(rel(shift.lower), spec.direction, spec.maxDegradation) === 'high';
  const low = degraded(rel(shift.upper), spec.direction, spec.maxDegradation) === 'low';
  if (high && relative > 0) {
    moved = 'high';
    bound = rel(shift.lower);
  } else if (low && relative < 0) {
    moved = 'low';
    bound = rel(shift.upper);
  }
  const significant = mw.pValue < alpha;
  const classification: Classification = significant ? moved : 'pass';
  const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
  let reason: string;
  if (classification !== 'pass')
    reason = `${classification === 'high' ? 'higher' : 'lower'} by ${pct(Math.abs(relative))} (at least ${pct(Math.abs(bound))} with ${Math.round((1 - alpha) * 100)}% confidence; allowed ${pct(spec.maxDegradation)}), p=${formatP(mw.pValue)}`;
  else if (!significant)
    reason = `no significant ${spec.direction === 'either' ? 'change' : spec.direction} (p=${formatP(mw.pValue)})`;
  else
    reason = `change of ${pct(relative)} is not beyond the allowed ${pct(spec.maxDegradation)} with confidence`;
  return {
    ...common,
    delta: relative,
    pValue: mw.pValue,
    classification,
    status: classification === 'pass' ? 'pass' : 'fail',
    reason,
    detail: {
      n_baseline: baseline.length,
      n_candidate: candidate.length,
      u: mw.u,
      z: mw.z,
      shift: shift.estimate,
      shift_lower: shift.lower,
      shift_upper: shift.upper,
      mean_ratio: mean(candidate) / mean(baseline),
    },
  };
}

export function formatP(p: number): string {
  if (p === 0) return '0';
  if (p < 1e-4) return p.toExponential(1);
  return p.toFixed(4);
}

export function judgeErrorRate(samples: CanarySamples, t: Thresholds): MetricResult {
  const spec = t.metrics.error_rate;
  const b = samples.baseline;
  const c = samples.candidate;
  const common = {
    name: 'error_rate',
    test: 'two-proportion-z' as const,
    unit: '%',
    deltaKind: 'absolute' as const,
    direction: 'increase' as const,
    allowed: spec.max_increase,
    weight: spec.weight,
    critical: spec.critical,
    detail: {
      n_baseline: b.requests,
      n_candidate: c.requests,
      errors_baseline: b.errors,
      errors_candidate: c.errors,
    },
  };
  if (b.requests === 0 || c.requests === 0) {
    return {
      ...common,
      baseline: b.requests ? errorRateOf(b) : null,
      candidate: c.requests ? errorRateOf(c) : null,
      delta: null,
      pValue: null,
      classification: 'nodata',
      status: 'nodata',
      reason: 'no requests were sent to one side',
    };
  }
  const rb = errorRateOf(b);
  const rc = errorRateOf(c);
  const test = twoProportionZ(b.errors, b.requests, c.errors, c.requests, 'greater');
  // As for distributions: the rise must exceed the allowance at its one-sided (1 - α) lower bound
  // (Wald interval of the difference), not only as observed.
  const se = Math.sqrt((rb * (1 - rb)) / b.requests + (rc * (1 - rc)) / c.requests);
  const lowerRise = rc - rb - normalQuantile(1 - t.alpha) * se;
  const fails = test.pValue < t.alpha && lowerRise > spec.max_increase;
  const pp = (v: number) => `${(v * 100).toFixed(2)} pp`;
  return {
    ...common,
    baseline: rb,
    candidate: rc,
    delta: rc - rb,
    pValue: test.pValue,
    classification: fails ? 'high' : 'pass',
    status: fails ? 'fail' : 'pass',
    reason: fails
      ? `error rate up ${pp(rc - rb)} (allowed ${pp(spec.max_increase)}), p=${formatP(test.pValue)} < ${t.alpha}`
      : rc > rb
        ? `error rate up ${pp(rc - rb)}: ${test.pValue < t.alpha ? 'not beyond the allowed increase with confidence' : 'not significant'}`
        : 'no increase',
    detail: { ...common.detail, z: test.z, rise_lower: lowerRise },
  };
}

export function judgeAgreement(samples: CanarySamples, t: Thresholds): MetricResult {
  const spec = t.metrics.agreement;
  const a = samples.agreement;
  const common = {
    name: 'agreement',
    test: 'proportion-floor' as const,
    unit: '%',
    deltaKind: 'absolute' as const,
    direction: 'decrease' as const,
    allowed: spec.min,
    weight: spec.weight,
    critical: spec.critical,
    baseline: null,
    detail: { compared: a.compared, agreed: a.agreed },
  };
  if (a.compared === 0) {
    return {
      ...common,
      candidate: null,
      delta: null,
      pValue: null,
      classification: 'nodata',
      status: 'nodata',
      reason: 'no pair of successful responses to compare',
    };
  }
  const observed = a.agreed / a.compared;
  const test = proportionBelow(a.agreed, a.compared, spec.min);
  const fails = observed < spec.min && test.pValue < t.alpha;
  return {
    ...common,
    candidate: observed,
    delta: observed - spec.min,
    pValue: test.pValue,
    classification: fails ? 'low' : 'pass',
    status: fails ? 'fail' : 'pass',
    reason: fails
      ? `${a.compared - a.agreed} of ${a.compared} predictions differ (at least ${(spec.min * 100).toFixed(1)}% must agree)`
      : a.agreed === a.compared
        ? 'every prediction agrees'
        : `${a.compared - a.agreed} of ${a.compared} predictions differ: not significantly below the floor`,
  };
}

/** A scalar per side, judged by its ratio alone (no samples to test). */
export function judgeRatio(
  spec: DistributionSpec,
  baseline: number,
  candidate: number,
  detail: Record<string, number> = {},
): MetricResult {
  const common = {
    name: spec.name,
    test: 'ratio' as const,
    unit: spec.unit,
    deltaKind: 'relative' as const,
    direction: spec.direction,
    allowed: spec.maxDegradation,
    weight: spec.weight,
    critical: spec.critical,
    pValue: null,
    detail,
  };
  if (!Number.isFinite(baseline) || !Number.isFinite(candidate)) {
    return {
      ...common,
      baseline: Number.isFinite(baseline) ? baseline : null,
      candidate: Number.isFinite(candidate) ? candidate : null,
      delta: null,
      classification: 'nodata',
      status: 'nodata',
      reason: 'no value on one side',
    };
  }
  const relative =
    baseline !== 0 ? candidate / baseline - 1 : candidate === 0 ? 0 : Math.sign(candidate) * Infinity;
  const classification = degraded(relative, spec.direction, spec.maxDegradation);
  return {
    ...common,
    baseline,
    candidate,
    delta: relative,
    classification,
    status: classification === 'pass' ? 'pass' : 'fail',
    reason:
      classification === 'pass'
        ? 'within the allowed change'
        : `${classification === 'high' ? 'up' : 'down'} ${(Math.abs(relative) * 100).toFixed(1)}% (allowed ${(spec.maxDegradation * 100).toFixed(1)}%)`,
  };
}

/** Scrape samples of at least this many per side are tested; fewer are compared by their last value. */
const MIN_SCRAPE_SAMPLES = 3;

export function judgePrometheus(
  spec: PrometheusMetricSpec,
  samples: CanarySamples,
  alpha: number,
): MetricResult {
  const label = spec.label ?? spec.name;
  const b = samples.baseline.prometheus[label] ?? [];
  const c = samples.candidate.prometheus[label] ?? [];
  const dist: DistributionSpec = {
    name: label,
    unit: spec.aggregate === 'rate' ? '/s' : '',
    direction: spec.direction,
    maxDegradation: spec.max_degradation,
    weight: spec.weight,
    critical: spec.critical,
  };
  if (b.length >= MIN_SCRAPE_SAMPLES && c.length >= MIN_SCRAPE_SAMPLES)
    return judgeDistribution(dist, b, c, alpha);
  return judgeRatio(dist, b.at(-1) ?? Number.NaN, c.at(-1) ?? Number.NaN, {
    n_baseline: b.length,
    n_candidate: c.length,
  });
}
