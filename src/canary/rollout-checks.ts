/**
 * The judge's allowances as PromQL checks for analyses that query Prometheus themselves (Argo's
 * prometheus provider, Flagger's MetricTemplates): median latency ratio, error-rate increase, and a
 * ratio per configured Prometheus metric, each with the bounds its allowance gives. Point checks, no
 * significance test; the judge server (judge-server.ts) applies the full statistics instead.
 */
import type { Direction, Thresholds } from './thresholds.js';

export interface Check {
  name: string;
  /** PromQL with CANARY / STABLE standing for each side's pod selector. */
  query: string;
  min?: number;
  max?: number;
}

/** Bounds a ratio candidate/baseline must stay within for `direction` with allowance `allowed`. */
function ratioBounds(direction: Direction, allowed: number): { min?: number; max?: number } {
  const round = (v: number) => Math.round(v * 1e6) / 1e6;
  if (direction === 'increase') return { max: round(1 + allowed) };
  if (direction === 'decrease') return { min: round(1 - allowed) };
  return { min: round(1 - allowed), max: round(1 + allowed) };
}

export function checksOf(t: Thresholds, window: string): Check[] {
  const checks: Check[] = [];
  const m = t.metrics;
  if (m.latency.weight > 0) {
    const median = (sel: string) =>
      `histogram_quantile(0.5, sum by (le) (rate(bentoci_request_duration_seconds_bucket{${sel}, status=~"2.."}[${window}])))`;
    checks.push({
      name: 'latency-ratio',
      query: `${median('CANARY')} / ${median('STABLE')}`,
      ...ratioBounds(m.latency.direction, m.latency.max_degradation),
    });
  }
  if (m.error_rate.weight > 0) {
    const rate = (sel: string) =>
      `((sum(rate(bentoci_requests_total{${sel}, status=~"5.."}[${window}])) or vector(0)) / sum(rate(bentoci_requests_total{${sel}}[${window}])))`;
    checks.push({
      name: 'error-rate-increase',
      query: `${rate('CANARY')} - ${rate('STABLE')}`,
      max: m.error_rate.max_increase,
    });
  }
  for (const p of m.prometheus) {
    if (p.weight === 0) continue;
    const labels = Object.entries(p.labels)
      .map(([k, v]) => `, ${k}=${JSON.stringify(v)}`)
      .join('');
    const value = (sel: string) =>
      p.aggregate === 'last'
        ? `avg(${p.name}{${sel}${labels}})`
        : `sum(rate(${p.name}{${sel}${labels}}[${window}]))`;
    const label = (p.label ?? p.name)
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, '-')
      .replace(/^-+|-+$/g, '');
    checks.push({
      name: `${label}-ratio`.slice(0, 63),
      query: `${value('CANARY')} / ${value('STABLE')}`,
      ...ratioBounds(p.direction, p.max_degradation),
    });
  }
  return checks;
}

/** Argo's successCondition for a check's bounds. */
export function condition(check: Check): string {
  const parts: string[] = [];
  if (check.min !== undefined) parts.push(`result[0] >= ${check.min}`);
  if (check.max !== undefined) parts.push(`result[0] <= ${check.max}`);
  return parts.join(' && ');
}
