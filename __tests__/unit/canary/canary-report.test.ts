/**
 * The Markdown report (verdict, metric table, quantiles, Mermaid chart of both latency distributions)
 * and the rollout manifests that carry the thresholds to Argo Rollouts and Flagger.
 */
import { describe, expect, it } from 'vitest';
import { judge } from '../../../src/canary/judge.js';
import { type CanarySamples, emptySide } from '../../../src/canary/metrics.js';
import { COMMENT_MARKER, latencyHistogram, renderMarkdown } from '../../../src/canary/report.js';
import { seededRandom } from '../../../src/canary/requests.js';
import { argoRolloutManifests, flaggerManifests } from '../../../src/canary/rollout.js';
import { parseThresholds } from '../../../src/canary/thresholds.js';
import { UsageError } from '../../../src/core/errors.js';

function latencies(seed: number, n: number, median: number): number[] {
  const rand = seededRandom(seed);
  return Array.from({ length: n }, () => median * Math.exp(0.3 * (rand() + rand() + rand() - 1.5)));
}

function samples(candidateMedian: number): CanarySamples {
  const base = latencies(1, 300, 4);
  const cand = latencies(2, 300, candidateMedian);
  cand.push(500); // one outlier: must land in the last bin, not stretch the chart
  return {
    baseline: { ...emptySide(), latenciesMs: base, requests: 300 },
    candidate: { ...emptySide(), latenciesMs: cand, requests: 301, errors: 0 },
    agreement: {
      compared: 300,
      agreed: 297,
      examples: [{ index: 17, route: '/predict', reason: 'probabilities[0]: class 2 vs 1' }],
    },
    concurrency: 2,
    durationMs: 4200,
    warmupRequests: 10,
  };
}

describe('Markdown report', () => {
  it('has the marker, verdict, one row per metric, quantiles, the chart and the disagreements', () => {
    const s = samples(6);
    const verdict = judge(s, parseThresholds({}));
    const md = renderMarkdown({
      baseline: 'image a',
      candidate: 'image b',
      samples: s,
      verdict,
      notes: ['Promotion skipped: the verdict is fail.'],
    });
    const lines = md.split('\n');
    expect(lines[0]).toBe(COMMENT_MARKER);
    expect(lines[1]).toBe('## ❌ bento-canary: fail (score 60.00)');
    expect(md).toContain('| metric | baseline | candidate | delta | allowed | p-value | result |');
    expect(md).toMatch(
      /\| latency \(median\) \| \d\.\d\d ms \| 6\.\d\d ms \| \+\d+\.\d% \| \+10\.0% \| [0-9.e-]+ \| ❌ fail \|/,
    );
    expect(md).toMatch(/\| agreement \| – \| 99\.00% \| ±0\.00 pp \| ≥ 99\.0% \| 0\.5000 \| ✅ pass \|/);
    expect(md).toMatch(
      /\| throughput \| [\d.]+ req\/s \| [\d.]+ req\/s \| −\d+\.\d% \| −10\.0% \| – \| ⚠️ fail \(report only\) \|/,
    );
    expect(md).not.toContain('- **throughput**');
    expect(md).toMatch(/\| p99 \| [\d.]+ ms \| [\d.]+ ms \| \+\d+\.\d% \|/);
    expect(md).toContain('- **latency**: higher by');
    expect(md).toContain('request #17 `/predict`: probabilities[0]: class 2 vs 1');
    expect(md).toContain('- Promotion skipped: the verdict is fail.');

    const chart = md.slice(md.indexOf('```mermaid'), md.indexOf('```', md.indexOf('```mermaid') + 3) + 3);
    expect(chart.split('\n').slice(0, 3)).toEqual([
      '```mermaid',
      'xychart-beta',
      '  title "Latency distribution (bars: baseline, line: candidate)"',
    ]);
    const labels = /x-axis "latency \(ms\)" \[(.*)\]/.exec(chart)![1]!.split(', ');
    const bars = /\n {2}bar \[(.*)\]/.exec(chart)![1]!.split(', ').map(Number);
    const line = /\n {2}line \[(.*)\]/.exec(chart)![1]!.split(', ').map(Number);
    expect(labels).toHaveLength(16);
    expect(bars).toHaveLength(16);
    expect(bars.reduce((a, b) => a + b, 0)).toBe(300);
    expect(line.reduce((a, b) => a + b, 0)).toBe(301);
  });

  it('bins both sides on one axis up to the pooled 99th percentile', () => {
    const h = latencyHistogram(samples(4))!;
    expect(h.edges.at(-1)!).toBeLessThan(20);
    expect(h.candidate.at(-1)!).toBeGreaterThanOrEqual(1);
    expect(h.edges.every((e, i) => i === 0 || e > h.edges[i - 1]!)).toBe(true);
    expect(latencyHistogram({ ...samples(4), baseline: emptySide() })).toBeUndefined();
  });

  it('says pass with a check mark when every metric passes', () => {
    const s = samples(4);
    s.candidate.latenciesMs = [...s.baseline.latenciesMs];
    s.candidate.requests = 300;
    s.agreement = { compared: 300, agreed: 300, examples: [] };
    const md = renderMarkdown({
      baseline: 'a',
      candidate: 'b',
      samples: s,
      verdict: judge(s, parseThresholds({})),
    });
    expect(md.split('\n')[1]).toBe('## ✅ bento-canary: pass (score 100.00)');
    expect(md).toContain('every metric passed; the gate is open');
    expect(md).not.toContain('Disagreeing predictions');
  });
});

/** Manifests are deep, free-form objects; the assertions say what each path must hold. */
// biome-ignore lint/suspicious/noExplicitAny: reading nested manifest fields in assertions
type Manifest = Record<string, any>;

describe('rollout manifests', () => {
  const t = parseThresholds({
    metrics: {
      latency: { max_degradation: 0.15 },
      error_rate: { max_increase: 0.02 },
      prometheus: [
        {
          name: 'bentoci_queue_depth',
          labels: { api: 'predict' },
          direction: 'increase',
          max_degradation: 0.5,
        },
        {
          name: 'bentoci_requests_total',
          label: 'served rate',
          aggregate: 'rate',
          direction: 'decrease',
          max_degradation: 0.2,
        },
        { name: 'ignored_metric', weight: 0 },
      ],
    },
  });
  const image = `ghcr.io/acme/iris@sha256:${'c'.repeat(64)}`;

  it('Argo Rollouts: an AnalysisTemplate with the judge allowances, and a Rollout that runs it', () => {
    const [service, analysis, rollout] = argoRolloutManifests(t, { name: 'iris', image }) as Manifest[];
    expect(service!.kind).toBe('Service');
    expect(analysis!.kind).toBe('AnalysisTemplate');
    const metrics = analysis!.spec.metrics as {
      name: string;
      successCondition: string;
      provider: { prometheus: { query: string } };
    }[];
    expect(metrics.map((m) => [m.name, m.successCondition])).toEqual([
      ['latency-ratio', 'result[0] <= 1.15'],
      ['error-rate-increase', 'result[0] <= 0.02'],
      ['bentoci-queue-depth-ratio', 'result[0] <= 1.5'],
      ['served-rate-ratio', 'result[0] >= 0.8'],
    ]);
    const latency = metrics[0]!.provider.prometheus.query;
    expect(latency).toContain(
      'histogram_quantile(0.5, sum by (le) (rate(bentoci_request_duration_seconds_bucket{rollouts_pod_template_hash="{{args.canary-hash}}"',
    );
    expect(latency).toContain('rollouts_pod_template_hash="{{args.stable-hash}}"');
    expect(metrics[2]!.provider.prometheus.query).toContain(
      'avg(bentoci_queue_depth{rollouts_pod_template_hash="{{args.canary-hash}}", api="predict"})',
    );
    expect(rollout!.kind).toBe('Rollout');
    expect(rollout!.spec.template.spec.containers[0].image).toBe(image);
    expect(rollout!.spec.strategy.canary.analysis.templates).toEqual([{ templateName: 'iris-canary' }]);
    expect(rollout!.spec.strategy.canary.analysis.args[0]).toEqual({
      name: 'canary-hash',
      valueFrom: { podTemplateHashValue: 'Latest' },
    });
    expect(rollout!.spec.strategy.canary.steps.filter((s: object) => 'setWeight' in s)).toEqual([
      { setWeight: 10 },
      { setWeight: 25 },
      { setWeight: 50 },
    ]);
  });

  it('Flagger: a MetricTemplate per check and a Canary with the same ranges', () => {
    const docs = flaggerManifests(t, { name: 'iris', image, steps: [20, 40] }) as Manifest[];
    expect(docs.map((d) => d.kind)).toEqual([
      'Deployment',
      'MetricTemplate',
      'MetricTemplate',
      'MetricTemplate',
      'MetricTemplate',
      'Canary',
    ]);
    const canary = docs.at(-1)!;
    expect(canary.spec.analysis).toMatchObject({ stepWeight: 20, maxWeight: 40 });
    expect(
      canary.spec.analysis.metrics.map((m: { name: string; thresholdRange: object }) => [
        m.name,
        m.thresholdRange,
      ]),
    ).toEqual([
      ['latency-ratio', { max: 1.15 }],
      ['error-rate-increase', { max: 0.02 }],
      ['bentoci-queue-depth-ratio', { max: 1.5 }],
      ['served-rate-ratio', { min: 0.8 }],
    ]);
    expect(docs[1]!.spec.query).toContain('pod=~"{{ target }}-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)"');
    expect(docs[1]!.spec.query).toContain('pod=~"{{ target }}-primary-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)"');
    expect(docs[1]!.spec.query).toContain('[{{ interval }}]');
  });

  it('rejects a name Kubernetes would refuse', () => {
    expect(() => argoRolloutManifests(t, { name: 'Iris_Service', image })).toThrow(UsageError);
    expect(() => flaggerManifests(t, { name: 'iris', image, steps: [50, 20] })).toThrow(/ascending/);
  });
});
