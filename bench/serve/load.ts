/**
 * One load point: closed loop with autocannon (`connections` requests always outstanding), or open
 * loop (`rate` requests per second, evenly spaced, on up to `connections` sockets; open-loop.ts). Latencies are taken per response with
 * sub-millisecond precision (autocannon's own histogram counts whole milliseconds); percentiles are
 * of successful (200) answers, and 503s are counted apart.
 */
import autocannon from 'autocannon';
import { runOpenLoop } from './open-loop.js';

export interface LoadOptions {
  url: string;
  body: string | Buffer;
  /** Request headers; JSON by default. */
  headers?: Record<string, string>;
  connections: number;
  seconds: number;
  /** Open loop: total requests per second. */
  rate?: number;
}

export interface LoadResult {
  seconds: number;
  sent: number;
  ok: number;
  rejected: number;
  errors: number;
  /** Successful answers per second. */
  throughput: number;
  /** 503s / answers. */
  rejectRate: number;
  p50: number;
  p95: number;
  p99: number;
}

function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  if (options.rate) return runPaced({ ...options, rate: options.rate });
  const latencies: number[] = [];
  let rejected = 0;
  let other = 0;
  const instance = autocannon({
    url: options.url,
    method: 'POST',
    headers: options.headers ?? { 'content-type': 'application/json' },
    body: options.body,
    connections: options.connections,
    duration: options.seconds,
    timeout: 30,
    pipelining: 1,
    ...(options.rate ? { overallRate: Math.max(1, Math.round(options.rate)) } : {}),
  });
  instance.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
    if (status === 200) latencies.push(ms);
    else if (status === 503) rejected++;
    else other++;
  });
  const result = await instance;
  return summarize(
    latencies,
    rejected,
    other + result.errors + result.timeouts,
    result.requests.sent,
    result.duration || options.seconds,
  );
}

/** Open loop: evenly spaced requests (see open-loop.ts for why not autocannon's overallRate). */
async function runPaced(options: LoadOptions & { rate: number }): Promise<LoadResult> {
  const result = await runOpenLoop({
    url: options.url,
    body: options.body,
    headers: options.headers ?? { 'content-type': 'application/json' },
    rate: options.rate,
    seconds: options.seconds,
    maxConnections: options.connections,
  });
  return summarize(result.latencies, result.rejected, result.errors, result.sent, result.seconds);
}

function summarize(
  latencies: number[],
  rejected: number,
  errors: number,
  sent: number,
  seconds: number,
): LoadResult {
  const sorted = Float64Array.from(latencies).sort();
  const answered = latencies.length + rejected + errors;
  return {
    seconds,
    sent,
    ok: latencies.length,
    rejected,
    errors,
    throughput: latencies.length / seconds,
    rejectRate: answered ? rejected / answered : 0,
    p50: percentile(sorted, 0.5),
    p95: percentile(sorted, 0.95),
    p99: percentile(sorted, 0.99),
  };
}

/** The median of each field over repetitions (throughput, rates and each percentile separately). */
export function medianOf(results: readonly LoadResult[]): LoadResult {
  const med = (pick: (r: LoadResult) => number) => {
    const values = results.map(pick).sort((a, b) => a - b);
    return values[Math.floor(values.length / 2)]!;
  };
  return {
    seconds: med((r) => r.seconds),
    sent: med((r) => r.sent),
    ok: med((r) => r.ok),
    rejected: med((r) => r.rejected),
    errors: med((r) => r.errors),
    throughput: med((r) => r.throughput),
    rejectRate: med((r) => r.rejectRate),
    p50: med((r) => r.p50),
    p95: med((r) => r.p95),
    p99: med((r) => r.p99),
  };
}
