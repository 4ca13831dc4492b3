/**
 * The samples of a live canary, read from Prometheus over an analysis window, in the shape the PR
 * gate's judge reads (metrics.ts): per side, the latencies of successful requests (from the runtime's
 * histogram buckets), requests and errors (from its counters), and each configured metric's values.
 *
 * A histogram keeps counts per bucket, not latencies; each request becomes its bucket's midpoint.
 * Mann-Whitney on such binned values is still a valid rank test (ties are corrected for); it only
 * cannot see a shift that stays inside one bucket. The runtime's buckets are 1-2.5x apart, so a 10%
 * allowance is judged by whether requests moved between buckets, which is how Prometheus' own
 * histogram_quantile sees them too.
 */

import type { Sides } from './judge-protocol.js';
import { type CanarySamples, emptySide, type SideSamples } from './metrics.js';
import type { PrometheusRangeClient } from './prometheus-range.js';
import type { Thresholds } from './thresholds.js';

/** Latencies per side at most; more are thinned in proportion, which only makes the test more cautious. */
export const MAX_LATENCY_SAMPLES = 5000;

export interface LiveWindow {
  startMs: number;
  endMs: number;
  /** Resolution of the range queries and the increase() window inside them. */
  stepSeconds: number;
}

/** Steps of at least two scrape intervals (15s), about ten per window. */
export function windowEnding(endMs: number, windowMs: number): LiveWindow {
  const stepSeconds = Math.max(30, Math.round(windowMs / 10_000));
  return { startMs: endMs - windowMs, endMs, stepSeconds };
}

const sum = (values: readonly number[]) => values.reduce((s, v) => s + (Number.isFinite(v) ? v : 0), 0);

/** Spreads `total` over `counts` in proportion, whole numbers, largest remainders first. */
export function thin(counts: readonly number[], total: number): number[] {
  const all = sum(counts);
  if (all <= total) return counts.map((c) => Math.round(c));
  const exact = counts.map((c) => (c * total) / all);
  const out = exact.map(Math.floor);
  let left = total - sum(out);
  const order = exact.map((e, i) => [e - Math.floor(e), i] as const).sort((a, b) => b[0] - a[0]);
  for (const [, i] of order) {
    if (left <= 0) break;
    out[i]!++;
    left--;
  }
  return out;
}

/**
 * Latencies in ms from cumulative bucket counts over the window, keyed by `le` (seconds). Counts from
 * increase() are extrapolated and may be fractional or dip between buckets; they are rounded and
 * kept monotonic.
 */
export function latenciesFromBuckets(cumulative: ReadonlyMap<number, number>): number[] {
  const bounds = [...cumulative.keys()].sort((a, b) => a - b);
  const perBucket: number[] = [];
  const points: number[] = [];
  let previousCount = 0;
  let previousBound = 0;
  for (const le of bounds) {
    const count = Math.max(previousCount, cumulative.get(le)!);
    perBucket.push(count - previousCount);
    // The +Inf bucket has no upper edge: its requests took at least the last finite bound.
    points.push(Number.isFinite(le) ? ((previousBound + le) / 2) * 1000 : previousBound * 1000);
    previousCount = count;
    if (Number.isFinite(le)) previousBound = le;
  }
  const counts = thin(perBucket, MAX_LATENCY_SAMPLES);
  const out: number[] = [];
  counts.forEach((c, i) => {
    for (let k = 0; k < c; k++) out.push(points[i]!);
  });
  return out;
}

async function total(client: PrometheusRangeClient, query: string, w: LiveWindow): Promise<number> {
  const series = await client.queryRange({ query, ...w });
  return Math.round(sum(series.flatMap((s) => s.values)));
}

async function side(
  client: PrometheusRangeClient,
  selector: string,
  t: Thresholds,
  w: LiveWindow,
): Promise<SideSamples> {
  const step = `${w.stepSeconds}s`;
  const out = emptySide();
  const buckets = await client.queryRange({
    query: `sum by (le) (increase(bentoci_request_duration_seconds_bucket{${selector}, status=~"2.."}[${step}]))`,
    ...w,
  });
  const cumulative = new Map<number, number>();
  for (const s of buckets) {
    const le = s.labels['le'] === '+Inf' ? Number.POSITIVE_INFINITY : Number(s.labels['le']);
    if (!Number.isNaN(le)) cumulative.set(le, sum(s.values));
  }
  out.latenciesMs = latenciesFromBuckets(cumulative);
  out.requests = await total(client, `sum(increase(bentoci_requests_total{${selector}}[${step}]))`, w);
  out.errors = await total(
    client,
    `sum(increase(bentoci_requests_total{${selector}, status=~"5.."}[${step}]))`,
    w,
  );
  if (out.errors > 0) out.errorKinds['HTTP 5xx'] = out.errors;
  for (const p of t.metrics.prometheus) {
    if (p.weight === 0) continue;
    const labels = Object.entries(p.labels)
      .map(([k, v]) => `, ${k}=${JSON.stringify(v)}`)
      .join('');
    const series = `${p.name}{${selector}${labels}}`;
    const query = p.aggregate === 'last' ? `sum(${series})` : `sum(${p.aggregate}(${series}[${step}]))`;
    const result = await client.queryRange({ query, ...w });
    out.prometheus[p.label ?? p.name] = (result[0]?.values ?? []).filter(Number.isFinite);
  }
  return out;
}

export async function liveSamples(
  client: PrometheusRangeClient,
  sides: Sides,
  t: Thresholds,
  w: LiveWindow,
): Promise<CanarySamples> {
  const [baseline, candidate] = await Promise.all([
    side(client, sides.stable, t, w),
    side(client, sides.canary, t, w),
  ]);
  return {
    baseline,
    candidate,
    // A live rollout has no paired requests: agreement stays a CI check (its weight is 0 here).
    agreement: { compared: 0, agreed: 0, examples: [] },
    concurrency: 1,
    durationMs: w.endMs - w.startMs,
    warmupRequests: 0,
  };
}

/**
 * The PR gate's thresholds for a live rollout: the same alpha, allowances, weights and score
 * thresholds, without the two metrics a live rollout cannot measure fairly: agreement (no paired
 * requests) and throughput (each side's load follows its traffic weight, not its capacity).
 */
export function liveThresholds(t: Thresholds): Thresholds {
  return {
    ...t,
    metrics: {
      ...t.metrics,
      agreement: { ...t.metrics.agreement, weight: 0, critical: false },
      throughput: { ...t.metrics.throughput, weight: 0, critical: false },
    },
  };
}
