/**
 * The canary judge as a live analysis provider. A fake Prometheus on loopback answers range queries
 * (GET /api/v1/query_range, the documented matrix shape) for a good canary, a bad one (slower, more
 * 5xx) and a quiet one; Argo Rollouts' Web-provider requests and Flagger's webhook payloads, in the
 * shapes their docs give, must pass and fail as the PR gate would.
 */
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningJudgeServer, startJudgeServer } from '../../../src/canary/judge-server.js';
import { latenciesFromBuckets, thin, windowEnding } from '../../../src/canary/live-samples.js';
import { PrometheusRangeClient } from '../../../src/canary/prometheus-range.js';
import { defaultThresholds, parseThresholds } from '../../../src/canary/thresholds.js';

const NOW = Date.parse('2026-01-01T12:00:00Z');
const BOUNDS = ['0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '+Inf'];
/** Requests per bucket (not cumulative) over a window. */
const STABLE = [0, 200, 600, 180, 20, 0, 0, 0];
const SLOWER = [0, 0, 0, 200, 600, 180, 20, 0];

interface Traffic {
  buckets: number[];
  errors: number;
}

/** What each side of each namespace served: `good` is like stable, `bad` slower with 5% errors. */
function trafficOf(namespace: string, canary: boolean): Traffic {
  if (!canary || namespace === 'good') return { buckets: STABLE, errors: 2 };
  if (namespace === 'bad') return { buckets: SLOWER, errors: 50 };
  return { buckets: STABLE.map((c) => Math.round(c / 100)), errors: 0 };
}

interface Seen {
  authorization?: string | undefined;
  query: string;
  start: number;
  end: number;
  step: string;
}

let prometheus: Server;
let prometheusUrl: string;
const seen: Seen[] = [];

function fakePrometheus(): Server {
  return createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname !== '/api/v1/query_range') {
      res.writeHead(404).end();
      return;
    }
    const query = url.searchParams.get('query') ?? '';
    const start = Number(url.searchParams.get('start'));
    const end = Number(url.searchParams.get('end'));
    const step = url.searchParams.get('step') ?? '';
    seen.push({ query, start, end, step, authorization: req.headers.authorization });
    const namespace = /namespace="([^"]+)"/.exec(query)?.[1] ?? '';
    // Argo selects by pod-template hash, Flagger by pod name; either way one side is the canary.
    const canary =
      query.includes('rollouts_pod_template_hash="canary') ||
      (query.includes('pod=~"iris-[') && !query.includes('primary'));
    const traffic = trafficOf(namespace, canary);
    const points = Math.max(1, Math.round((end - start) / Number.parseInt(step, 10)));
    // Each total spread evenly over the steps, as increase() over consecutive windows would show it.
    const series = (metric: Record<string, string>, total: number) => ({
      metric,
      values: Array.from({ length: points }, (_, i) => [
        start + (i + 1) * Number.parseInt(step, 10),
        String(total / points),
      ]),
    });
    let result: object[];
    if (query.includes('bentoci_request_duration_seconds_bucket')) {
      let cumulative = 0;
      result = BOUNDS.map((le, i) => {
        cumulative += traffic.buckets[i]!;
        return series({ le }, cumulative);
      });
    } else if (query.includes('bentoci_requests_total')) {
      const ok = traffic.buckets.reduce((a, b) => a + b, 0);
      result = [series({}, query.includes('5..') ? traffic.errors : ok + traffic.errors)];
    } else result = [];
    const body = JSON.stringify({ status: 'success', data: { resultType: 'matrix', result } });
    res.writeHead(200, { 'content-type': 'application/json' }).end(body);
  });
}

let judge: RunningJudgeServer;

beforeAll(async () => {
  prometheus = fakePrometheus();
  await new Promise<void>((resolve) => prometheus.listen(0, '127.0.0.1', resolve));
  prometheusUrl = `http://127.0.0.1:${(prometheus.address() as AddressInfo).port}`;
  judge = await startJudgeServer({
    prometheus: new PrometheusRangeClient({ url: prometheusUrl }),
    thresholds: defaultThresholds(),
    minRequests: 50,
    defaultWindowMs: 5 * 60_000,
    host: '127.0.0.1',
    port: 0,
    now: () => NOW,
  });
});
afterAll(async () => {
  await judge?.close();
  await new Promise((resolve) => prometheus?.close(resolve));
});

async function post(url: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(20_000),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

/** The JSON body rollout.ts puts in the AnalysisTemplate, after Argo substituted the args. */
const argoBody = (namespace: string) => ({
  namespace,
  canaryHash: 'canary7f9c',
  stableHash: 'stable5d2a',
  window: '5m',
});

/** Flagger's webhook payload, as its docs show it. */
const flaggerBody = (namespace: string) => ({
  name: 'iris',
  namespace,
  phase: 'Progressing',
  checksum: '85d557f47b',
  metadata: { window: '10m' },
});

/** Argo's `jsonPath: "{$.gate}"` then `successCondition: result == "pass"` / `failureCondition: result == "fail"`. */
function argoOutcome(answer: Record<string, unknown>): 'Successful' | 'Failed' | 'Inconclusive' {
  const result = answer['gate'];
  if (result === 'pass') return 'Successful';
  if (result === 'fail') return 'Failed';
  return 'Inconclusive';
}

describe('Argo Rollouts Web metric provider', () => {
  it('passes a canary like the stable pods, over the window that ends now, with range queries per side', async () => {
    seen.length = 0;
    const { status, json } = await post(`${judge.url}/v1/argo`, argoBody('good'));
    expect(status).toBe(200);
    expect(argoOutcome(json)).toBe('Successful');
    expect(json).toMatchObject({ verdict: 'pass', score: 100, requests: { canary: 1002, stable: 1002 } });
    expect(json['window']).toEqual({ start: '2026-01-01T11:55:00.000Z', end: '2026-01-01T12:00:00.000Z' });
    expect(seen.every((q) => q.end - q.start === 300 && q.step === '30s')).toBe(true);
    expect(seen.some((q) => q.query.includes('rollouts_pod_template_hash="canary7f9c"'))).toBe(true);
    expect(seen.some((q) => q.query.includes('rollouts_pod_template_hash="stable5d2a"'))).toBe(true);
    expect(seen.find((q) => q.query.includes('_bucket'))!.query).toMatch(
      /sum by \(le\) \(increase\(.*\[30s\]\)\)/,
    );
  });

  it('fails a slower canary with more errors: Mann-Whitney on the buckets, the error-rate test, the score', async () => {
    const { status, json } = await post(`${judge.url}/v1/argo`, argoBody('bad'));
    expect(status).toBe(200);
    expect(argoOutcome(json)).toBe('Failed');
    expect(json['verdict']).toBe('fail');
    expect(json['score']).toBe(0);
    const metrics = json['metrics'] as { name: string; status: string; pValue: number }[];
    expect(metrics.map((m) => [m.name, m.status])).toEqual([
      ['latency', 'fail'],
      ['error_rate', 'fail'],
    ]);
    expect(metrics[0]!.pValue).toBeLessThan(1e-6);
  });

  it('is inconclusive when a side served too little to judge', async () => {
    const { status, json } = await post(`${judge.url}/v1/argo`, argoBody('quiet'));
    expect(status).toBe(200);
    expect(argoOutcome(json)).toBe('Inconclusive');
    expect(json['reason']).toMatch(/10 requests on the quieter side in the window; at least 50 are needed/);
  });

  it('refuses malformed requests and label values that would change the query, naming the field', async () => {
    const missing = await post(`${judge.url}/v1/argo`, { namespace: 'good', stableHash: 'x' });
    expect(missing.status).toBe(400);
    expect(missing.json['error']).toMatch(/^invalid request: canaryHash: /);
    const injected = await post(`${judge.url}/v1/argo`, {
      ...argoBody('good'),
      canaryHash: 'x"} or vector(1) #',
    });
    expect(injected.status).toBe(400);
    const short = await post(`${judge.url}/v1/argo`, { ...argoBody('good'), window: '10s' });
    expect(short.json['error']).toMatch(/window: expected a duration of at least 1m/);
    const notJson = await post(`${judge.url}/v1/argo`, '{');
    expect(notJson.json['error']).toBe('invalid request: body is not JSON');
  });
});

describe('Flagger webhook', () => {
  it('answers 200 for a good canary and 412 for a bad or quiet one, judging the window in its metadata', async () => {
    seen.length = 0;
    const good = await post(`${judge.url}/v1/flagger`, flaggerBody('good'));
    expect(good.status).toBe(200);
    expect(good.json['gate']).toBe('pass');
    expect(seen.every((q) => q.end - q.start === 600 && q.step === '60s')).toBe(true);
    expect(seen.some((q) => q.query.includes('pod=~"iris-primary-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)"'))).toBe(true);
    const bad = await post(`${judge.url}/v1/flagger`, flaggerBody('bad'));
    expect(bad.status).toBe(412);
    expect(bad.json['gate']).toBe('fail');
    const quiet = await post(`${judge.url}/v1/flagger`, flaggerBody('quiet'));
    expect(quiet.status).toBe(412);
    expect(quiet.json['gate']).toBe('inconclusive');
  });
});

describe('one policy for the PR gate and the rollout', () => {
  it('the thresholds decide: allowances wide enough let the bad canary pass', async () => {
    const lenient = await startJudgeServer({
      prometheus: new PrometheusRangeClient({ url: prometheusUrl }),
      thresholds: parseThresholds({
        metrics: { latency: { max_degradation: 100 }, error_rate: { max_increase: 0.5 } },
      }),
      minRequests: 50,
      defaultWindowMs: 5 * 60_000,
      host: '127.0.0.1',
      port: 0,
      now: () => NOW,
    });
    try {
      const { json } = await post(`${lenient.url}/v1/argo`, argoBody('bad'));
      expect(json['gate']).toBe('pass');
    } finally {
      await lenient.close();
    }
  });

  it('an unreachable Prometheus is an error (502), never a verdict', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const down = await startJudgeServer({
      prometheus: new PrometheusRangeClient({ url: `http://127.0.0.1:${port}`, retries: 1, timeoutMs: 2000 }),
      thresholds: defaultThresholds(),
      minRequests: 50,
      defaultWindowMs: 5 * 60_000,
      host: '127.0.0.1',
      port: 0,
    });
    try {
      const { status, json } = await post(`${down.url}/v1/flagger`, flaggerBody('good'));
      expect(status).toBe(502);
      expect(json['error']).toMatch(/did not answer after 2 attempts/);
    } finally {
      await down.close();
    }
  });
});

describe('histogram buckets as samples', () => {
  it('turns cumulative bucket counts into bucket midpoints, thinning large counts in proportion', () => {
    const samples = latenciesFromBuckets(
      new Map([
        [0.01, 2],
        [0.025, 5],
        [Number.POSITIVE_INFINITY, 6],
      ]),
    );
    expect(samples).toEqual([5, 5, 17.5, 17.5, 17.5, 25]);
    expect(thin([3000, 6000, 1000], 5000)).toEqual([1500, 3000, 500]);
    expect(thin([1, 1, 1], 2).reduce((a, b) => a + b, 0)).toBe(2);
    expect(windowEnding(NOW, 600_000)).toEqual({ startMs: NOW - 600_000, endMs: NOW, stepSeconds: 60 });
  });
});

describe('bentoci canary judge-server (the command)', () => {
  it('starts, says where it listens, and answers a Flagger call, authenticating to Prometheus from the environment', async () => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/cli.ts',
        'canary',
        'judge-server',
        '--prometheus',
        prometheusUrl,
        '--host',
        '127.0.0.1',
        '--port',
        '0',
      ],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          ...process.env,
          BENTOCI_HOME: '/nonexistent',
          BENTOCI_PROMETHEUS_AUTHORIZATION: 'Bearer t0ken',
        },
      },
    );
    try {
      let stderr = '';
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no listening line in 60s: ${stderr}`)), 60_000);
        child.stderr.on('data', (chunk: Buffer) => {
          stderr += chunk.toString();
          const m = /listening on (http:\/\/\S+)/.exec(stderr);
          if (m) {
            clearTimeout(timer);
            resolve(m[1]!);
          }
        });
        child.once('exit', (code) => reject(new Error(`exited ${code}: ${stderr}`)));
      });
      seen.length = 0;
      const { status } = await post(`${url}/v1/flagger`, flaggerBody('bad'));
      expect(status).toBe(412);
      expect(seen.length).toBeGreaterThan(0);
      expect(seen.every((q) => q.authorization === 'Bearer t0ken')).toBe(true);
    } finally {
      child.kill('SIGTERM');
    }
  }, 90_000);
});
