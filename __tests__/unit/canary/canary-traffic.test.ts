/**
 * The traffic driver and judge against small node:http services on loopback: a classifier whose
 * weights, delay and error rate are set per instance. The same requests go to both sides; a slower
 * (injected delay), wrong (other weights) or failing candidate must fail, an identical one pass.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareResponses } from '../../../src/canary/agreement.js';
import { judge } from '../../../src/canary/judge.js';
import { parsePrometheusText, samplesOf, selectValue } from '../../../src/canary/prometheus.js';
import { type ApiSpec, generateRequests, parseRequestLines } from '../../../src/canary/requests.js';
import { parseThresholds } from '../../../src/canary/thresholds.js';
import { runTraffic, type TrafficOptions } from '../../../src/canary/traffic.js';
import { UsageError } from '../../../src/core/errors.js';
import { type Service, type ServiceOptions, startService } from '../../support/canary-service.js';

const API: ApiSpec = {
  name: 'classify',
  route: '/predict',
  inputs: [{ name: 'input', dtype: 'float32', shape: ['batch', 4] }],
};
const thresholds = parseThresholds({});

function traffic(baseline: Service, candidate: Service, extra: Partial<TrafficOptions> = {}): TrafficOptions {
  return {
    baseline: { url: baseline.url, metricsPath: '/metrics' },
    candidate: { url: candidate.url, metricsPath: '/metrics' },
    requests: generateRequests([API], 100, 7),
    count: 120,
    warmup: 5,
    concurrency: 2,
    order: 'interleaved',
    timeoutMs: 5000,
    agreement: thresholds.metrics.agreement,
    prometheus: [],
    log: () => undefined,
    ...extra,
  };
}

const services: Service[] = [];
async function service(options: ServiceOptions): Promise<Service> {
  const s = await startService(options);
  services.push(s);
  return s;
}
afterAll(async () => {
  await Promise.all(services.map((s) => s.close()));
});

describe('canary traffic against services', () => {
  let baseline: Service;
  beforeAll(async () => {
    baseline = await service({ weights: [1, -1, 0.5], delayMs: 2 });
  });

  it('passes an identical candidate and sends each side the same requests', async () => {
    const twin = await service({ weights: [1, -1, 0.5], delayMs: 2 });
    const before = [baseline.predictions, twin.predictions];
    const samples = await runTraffic(traffic(baseline, twin));
    // Warm-up pairs reach both sides too, but are not measured.
    expect(baseline.predictions - before[0]!).toBe(125);
    expect(twin.predictions - before[1]!).toBe(125);
    expect(samples.baseline.requests).toBe(120);
    expect(samples.candidate.latenciesMs).toHaveLength(120);
    expect(samples.agreement).toMatchObject({ compared: 120, agreed: 120 });
    const verdict = judge(samples, thresholds);
    expect(verdict.metrics.find((m) => m.name === 'latency')?.status).toBe('pass');
    expect(verdict.verdict).toBe('pass');
    expect(verdict.passed).toBe(true);
  });

  it('fails a slower candidate (injected delay)', async () => {
    const slow = await service({ weights: [1, -1, 0.5], delayMs: 12 });
    const verdict = judge(await runTraffic(traffic(baseline, slow, { count: 60 })), thresholds);
    const latency = verdict.metrics.find((m) => m.name === 'latency')!;
    expect(latency.status).toBe('fail');
    expect(latency.classification).toBe('high');
    expect(verdict.metrics.find((m) => m.name === 'agreement')?.status).toBe('pass');
    expect(verdict.verdict).toBe('fail');
  });

  it('fails a candidate with other weights on prediction agreement', async () => {
    const wrong = await service({ weights: [-1, 1, 0.2], delayMs: 2 });
    const samples = await runTraffic(traffic(baseline, wrong, { order: 'paired' }));
    expect(samples.agreement.agreed).toBeLessThan(samples.agreement.compared * 0.9);
    expect(samples.agreement.examples[0]?.reason).toMatch(/probabilities\[\d+\]: class \d vs \d/);
    const verdict = judge(samples, thresholds);
    expect(verdict.metrics.find((m) => m.name === 'agreement')?.status).toBe('fail');
    expect(verdict.verdict).toBe('fail');
  });

  it('fails a candidate that answers errors: error rate is critical', async () => {
    const failing = await service({ weights: [1, -1, 0.5], delayMs: 2, failEvery: 4 });
    const samples = await runTraffic(traffic(baseline, failing));
    expect(samples.candidate.errors).toBeGreaterThanOrEqual(25);
    expect(samples.candidate.errorKinds['HTTP 500']).toBe(samples.candidate.errors);
    const verdict = judge(samples, thresholds);
    expect(verdict).toMatchObject({ score: 0, verdict: 'fail' });
    expect(verdict.reason).toMatch(/critical metric error_rate/);
  });

  it('runs for a duration, logs progress lines, and scrapes Prometheus metrics from both sides', async () => {
    const twin = await service({ weights: [1, -1, 0.5], delayMs: 2 });
    const lines: string[] = [];
    const samples = await runTraffic(
      traffic(baseline, twin, {
        count: undefined,
        durationMs: 1500,
        log: (l) => lines.push(l),
        progressIntervalMs: 300,
        scrapeIntervalMs: 250,
        prometheus: [
          {
            name: 'svc_predictions_total',
            labels: { api: 'predict' },
            aggregate: 'rate',
            direction: 'either',
            max_degradation: 0.5,
            weight: 10,
            critical: false,
          },
          {
            name: 'svc_delay_ms',
            label: 'delay',
            labels: {},
            aggregate: 'last',
            direction: 'increase',
            max_degradation: 0.1,
            weight: 10,
            critical: false,
          },
        ],
      }),
    );
    expect(samples.baseline.requests).toBeGreaterThan(10);
    expect(lines.some((l) => /^canary: \d+ pairs, [\d.]+ s; baseline p50/.test(l))).toBe(true);
    expect(lines.at(-1)).toMatch(/^canary: done/);
    expect(samples.baseline.prometheus['delay']!.length).toBeGreaterThanOrEqual(3);
    expect(samples.candidate.prometheus['delay']!.every((v) => v === 2)).toBe(true);
    expect(samples.baseline.prometheus['svc_predictions_total']!.some((v) => v > 0)).toBe(true);
    const withDelay = parseThresholds({
      metrics: { prometheus: [{ name: 'svc_delay_ms', label: 'delay' }] },
    });
    const delay = judge(samples, withDelay).metrics.find((m) => m.name === 'delay');
    expect(delay).toMatchObject({ test: 'mann-whitney', status: 'pass', reason: 'identical samples' });
  });
});

describe('requests', () => {
  it('replays a JSONL file, resolving api names and defaulting to the only API', () => {
    const text = [
      '{"api": "classify", "body": {"input": [[1, 2, 3, 4]]}}',
      '',
      '{"route": "/other", "method": "PUT", "body": "raw", "headers": {"x-k": "v"}}',
      '{"body": {"input": [[0, 0, 0, 0]]}}',
    ].join('\n');
    const reqs = parseRequestLines(text, [API], 'reqs.jsonl');
    expect(reqs).toHaveLength(3);
    expect(reqs[0]).toMatchObject({ method: 'POST', route: '/predict', body: '{"input":[[1,2,3,4]]}' });
    expect(reqs[0]!.headers['content-type']).toBe('application/json');
    expect(reqs[1]).toMatchObject({ method: 'PUT', route: '/other', body: 'raw', headers: { 'x-k': 'v' } });
    expect(reqs[2]!.route).toBe('/predict');
  });

  it('names the line and the fix for bad records', () => {
    expect(() => parseRequestLines('{"api": "nope", "body": 1}', [API], 'f.jsonl')).toThrow(
      /f\.jsonl line 1: unknown api "nope" \(the targets serve: classify\)/,
    );
    expect(() => parseRequestLines('not json', [API], 'f.jsonl')).toThrow(UsageError);
    expect(() => parseRequestLines('{"bodi": 1}', [API], 'f.jsonl')).toThrow(/line 1/);
    expect(() =>
      parseRequestLines('{"body": 1}', [API, { ...API, name: 'b', route: '/b' }], 'f.jsonl'),
    ).toThrow(/add "api" or "route"/);
  });

  it('generates the same requests for a seed, shaped by the signature', () => {
    const a = generateRequests([API], 5, 3);
    expect(generateRequests([API], 5, 3)).toEqual(a);
    expect(generateRequests([API], 5, 4)).not.toEqual(a);
    const body = JSON.parse(a[0]!.body!) as { input: number[][] };
    expect(body.input).toHaveLength(1);
    expect(body.input[0]).toHaveLength(4);
  });
});

describe('agreement', () => {
  const spec = { mode: 'auto' as const, atol: 1e-5, rtol: 1e-4 };
  it('compares classes by argmax and regressions within a tolerance', () => {
    expect(compareResponses({ p: [[0.1, 0.9]] }, { p: [[0.3, 0.7]] }, spec).agree).toBe(true);
    expect(compareResponses({ p: [[0.1, 0.9]] }, { p: [[0.6, 0.4]] }, spec)).toEqual({
      agree: false,
      reason: 'p[0]: class 1 vs 0',
    });
    expect(compareResponses({ y: [[1.5]] }, { y: [[1.50001]] }, spec).agree).toBe(true);
    expect(compareResponses({ y: [[1.5]] }, { y: [[1.6]] }, spec).agree).toBe(false);
    expect(compareResponses({ y: [[1.5]] }, { y: [[1.5], [2]] }, spec).reason).toMatch(/shape/);
    expect(compareResponses({ label: 'setosa' }, { label: 'virginica' }, spec).agree).toBe(false);
    expect(
      compareResponses({ p: [[0.1, 0.9]] }, { p: [[0.3, 0.7]] }, { ...spec, mode: 'tolerance' }).agree,
    ).toBe(false);
  });
});

describe('prometheus text format', () => {
  it('parses samples, labels with escapes, special values, and types', () => {
    const scrape = parsePrometheusText(
      [
        '# HELP http_requests_total Requests.',
        '# TYPE http_requests_total counter',
        'http_requests_total{method="post",code="200"} 1027 1395066363000',
        'http_requests_total{method="post",code="400"} 3',
        'msdos_file_access_time_seconds{path="C:\\\\DIR\\\\FILE.TXT",error="Cannot find file:\\n\\"FILE.TXT\\""} 1.458255915e9',
        'metric_without_labels +Inf',
        'weird{a="1",} NaN',
      ].join('\n'),
    );
    expect(scrape.types['http_requests_total']).toBe('counter');
    expect(selectValue(scrape, 'http_requests_total')).toBe(1030);
    expect(selectValue(scrape, 'http_requests_total', { code: '400' })).toBe(3);
    expect(selectValue(scrape, 'nothing')).toBeUndefined();
    const msdos = scrape.samples.find((s) => s.name.startsWith('msdos'))!;
    expect(msdos.labels).toEqual({ path: 'C:\\DIR\\FILE.TXT', error: 'Cannot find file:\n"FILE.TXT"' });
    expect(msdos.value).toBe(1.458255915e9);
    expect(selectValue(scrape, 'metric_without_labels')).toBe(Number.POSITIVE_INFINITY);
    expect(() => parsePrometheusText('bad{a=1} 2')).toThrow(/line 1/);
  });

  it('turns scrapes into samples: values, increases (counter resets from zero) and rates', () => {
    const points = [
      { atMs: 0, value: 10 },
      { atMs: 1000, value: 15 },
      { atMs: 1500, value: undefined },
      { atMs: 2000, value: 3 },
    ];
    expect(samplesOf(points, 'last')).toEqual([10, 15, 3]);
    expect(samplesOf(points, 'increase')).toEqual([5, 3]);
    expect(samplesOf(points, 'rate')).toEqual([5, 3]);
  });
});
