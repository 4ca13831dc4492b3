/**
 * The verdict for people: a text table for the terminal, and Markdown (verdict, score, one row per
 * metric, latency quantiles, a Mermaid chart of both latency distributions, disagreements) for the
 * PR comment and the job summary. The Markdown starts with the marker the PR comment is found by.
 */
import { formatP, type MetricResult, type Verdict } from './judge.js';
import type { CanarySamples } from './metrics.js';
import { quantileOfSorted, sorted } from './stats.js';

export const COMMENT_MARKER = '<!-- bento-canary -->';

export interface ReportContext {
  baseline: string;
  candidate: string;
  samples: CanarySamples;
  verdict: Verdict;
  /** Lines about what happened after the verdict: promotion, rollout manifests. */
  notes?: string[];
}

function num(v: number, digits = 3): string {
  if (!Number.isFinite(v)) return String(v);
  const abs = Math.abs(v);
  if (abs !== 0 && (abs >= 1e6 || abs < 1e-3)) return v.toExponential(2);
  return Number(v.toPrecision(digits + 1)).toString();
}

export function formatValue(r: MetricResult, v: number | null): string {
  if (v === null) return '–';
  if (r.unit === '%') return `${(v * 100).toFixed(2)}%`;
  if (r.unit === 'ms') return `${v.toFixed(2)} ms`;
  if (r.unit === 'req/s') return `${v.toFixed(1)} req/s`;
  return `${num(v)}${r.unit ? ` ${r.unit}` : ''}`;
}

export function formatDelta(r: MetricResult): string {
  if (r.delta === null) return '–';
  const sign = r.delta > 0 ? '+' : r.delta < 0 ? '−' : '±';
  const abs = Math.abs(r.delta);
  if (!Number.isFinite(abs)) return `${sign}∞`;
  return r.deltaKind === 'relative'
    ? `${sign}${(abs * 100).toFixed(1)}%`
    : `${sign}${(abs * 100).toFixed(2)} pp`;
}

export function formatAllowed(r: MetricResult): string {
  if (r.name === 'agreement') return `≥ ${(r.allowed * 100).toFixed(1)}%`;
  if (r.deltaKind === 'absolute') return `+${(r.allowed * 100).toFixed(2)} pp`;
  const pct = `${(r.allowed * 100).toFixed(1)}%`;
  return `${r.direction === 'increase' ? '+' : r.direction === 'decrease' ? '−' : '±'}${pct}`;
}

function resultCell(r: MetricResult, emoji: boolean): string {
  const reportOnly = r.weight === 0;
  const mark = r.status === 'pass' ? '✅ ' : r.status === 'nodata' ? '⚪ ' : reportOnly ? '⚠️ ' : '❌ ';
  const label = r.status === 'nodata' ? 'no data' : r.status;
  return `${emoji ? mark : ''}${label}${r.critical && r.status === 'fail' ? ' (critical)' : ''}${reportOnly ? ' (report only)' : ''}`;
}

/** Rows of the verdict table: metric, baseline, candidate, delta, allowed, p-value, result. */
export function verdictRows(verdict: Verdict, emoji = false): string[][] {
  return verdict.metrics.map((r) => [
    r.name === 'latency' ? 'latency (median)' : r.name,
    formatValue(r, r.baseline),
    formatValue(r, r.candidate),
    formatDelta(r),
    formatAllowed(r),
    r.pValue === null ? '–' : formatP(r.pValue),
    resultCell(r, emoji),
  ]);
}

export const VERDICT_HEADERS = ['metric', 'baseline', 'candidate', 'delta', 'allowed', 'p-value', 'result'];

const QUANTILES: [string, number][] = [
  ['p50', 0.5],
  ['p90', 0.9],
  ['p95', 0.95],
  ['p99', 0.99],
];

export function latencyQuantiles(
  samples: CanarySamples,
): { label: string; baseline: number; candidate: number }[] {
  const b = sorted(samples.baseline.latenciesMs);
  const c = sorted(samples.candidate.latenciesMs);
  return QUANTILES.map(([label, q]) => ({
    label,
    baseline: quantileOfSorted(b, q),
    candidate: quantileOfSorted(c, q),
  }));
}

/**
 * Histogram bins shared by both sides: from the smallest sample to the pooled 99th percentile, the
 * slowest 1% falling in the last bin so one outlier does not squash the chart.
 */
export function latencyHistogram(
  samples: CanarySamples,
  bins = 16,
): { edges: number[]; baseline: number[]; candidate: number[] } | undefined {
  const b = samples.baseline.latenciesMs;
  const c = samples.candidate.latenciesMs;
  if (b.length === 0 || c.length === 0) return undefined;
  const pooled = sorted([...b, ...c]);
  const lo = pooled[0]!;
  const hi = Math.max(quantileOfSorted(pooled, 0.99), lo + 1e-6);
  const width = (hi - lo) / bins;
  const count = (values: readonly number[]) => {
    const out = new Array<number>(bins).fill(0);
    for (const v of values) out[Math.min(bins - 1, Math.max(0, Math.floor((v - lo) / width)))]!++;
    return out;
  };
  return {
    edges: Array.from({ length: bins }, (_, i) => lo + (i + 0.5) * width),
    baseline: count(b),
    candidate: count(c),
  };
}

/** Mermaid xychart-beta: baseline as bars, candidate as a line over the same latency bins. */
export function latencyChart(samples: CanarySamples): string | undefined {
  const h = latencyHistogram(samples);
  if (!h) return undefined;
  const labels = h.edges.map((e) => `"${num(e, 2)}"`).join(', ');
  const top = Math.max(...h.baseline, ...h.candidate);
  return [
    '```mermaid',
    'xychart-beta',
    '  title "Latency distribution (bars: baseline, line: candidate)"',
    `  x-axis "latency (ms)" [${labels}]`,
    `  y-axis "requests" 0 --> ${Math.max(1, Math.ceil(top * 1.1))}`,
    `  bar [${h.baseline.join(', ')}]`,
    `  line [${h.candidate.join(', ')}]`,
    '```',
  ].join('\n');
}

const escapeCell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function table(headers: string[], rows: string[][]): string {
  return [
    `| ${headers.join(' | ')} |`,
    `|${headers.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.map(escapeCell).join(' | ')} |`),
  ].join('\n');
}

const ICON = { pass: '✅', marginal: '⚠️', fail: '❌' } as const;

export function renderMarkdown(ctx: ReportContext): string {
  const { verdict, samples } = ctx;
  const gate = verdict.passed ? 'the gate is open' : 'the gate is closed';
  const lines: string[] = [
    COMMENT_MARKER,
    `## ${ICON[verdict.verdict]} bento-canary: ${verdict.verdict} (score ${verdict.score.toFixed(2)})`,
    '',
    `Baseline \`${ctx.baseline}\` against candidate \`${ctx.candidate}\`: ${samples.baseline.requests} request pairs, concurrency ${samples.concurrency}, ${(samples.durationMs / 1000).toFixed(1)} s measured after ${samples.warmupRequests} warm-up pairs. ${verdict.reason}; ${gate}.`,
    '',
    table(VERDICT_HEADERS, verdictRows(verdict, true)),
    '',
  ];
  const why = verdict.metrics.filter((r) => r.status !== 'pass' && r.weight > 0);
  if (why.length > 0) {
    lines.push(...why.map((r) => `- **${r.name}**: ${r.reason}`), '');
  }
  const quantiles = latencyQuantiles(samples);
  if (samples.baseline.latenciesMs.length > 0 && samples.candidate.latenciesMs.length > 0) {
    lines.push(
      table(
        ['latency', 'baseline', 'candidate', 'change'],
        quantiles.map((q) => [
          q.label,
          `${q.baseline.toFixed(2)} ms`,
          `${q.candidate.toFixed(2)} ms`,
          `${q.candidate >= q.baseline ? '+' : '−'}${Math.abs((q.candidate / q.baseline - 1) * 100).toFixed(1)}%`,
        ]),
      ),
      '',
    );
  }
  const chart = latencyChart(samples);
  if (chart) lines.push(chart, '');
  const errors = (['baseline', 'candidate'] as const)
    .filter((side) => samples[side].errors > 0)
    .map(
      (side) =>
        `${side}: ${Object.entries(samples[side].errorKinds)
          .map(([k, n]) => `${n} × ${k}`)
          .join(', ')}`,
    );
  if (errors.length > 0) lines.push(`Errors — ${errors.join('; ')}.`, '');
  if (samples.agreement.examples.length > 0) {
    lines.push(
      '<details><summary>Disagreeing predictions (first few)</summary>',
      '',
      ...samples.agreement.examples.map(
        (m) => `- request #${m.index} \`${m.route}\`: ${escapeCell(m.reason)}`,
      ),
      '',
      '</details>',
      '',
    );
  }
  if (ctx.notes && ctx.notes.length > 0) lines.push(...ctx.notes.map((n) => `- ${n}`), '');
  lines.push(
    `<sub>Mann-Whitney U (one-sided, normal approximation with tie and continuity corrections) for distributions, two-proportion z-test for error rates; a metric fails when it is significantly worse and beyond its allowance. Score = weighted share of passing metrics (Kayenta).</sub>`,
  );
  return `${lines.join('\n')}\n`;
}
