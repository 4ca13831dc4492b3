/**
 * A small client of Prometheus' HTTP API for range queries (GET /api/v1/query_range), with a timeout
 * per call and retries with backoff on 5xx, 429 and connection errors, as every network call here.
 */
import { z } from 'zod';
import { BentoError } from '../core/errors.js';

const matrixSchema = z.object({
  status: z.literal('success'),
  data: z.object({
    resultType: z.literal('matrix'),
    result: z.array(
      z.object({
        metric: z.record(z.string(), z.string()),
        values: z.array(z.tuple([z.number(), z.string()])),
      }),
    ),
  }),
});

export interface RangeSeries {
  labels: Record<string, string>;
  /** Values in time order; NaN and infinities are kept as Prometheus sent them. */
  values: number[];
}

export interface RangeQuery {
  query: string;
  startMs: number;
  endMs: number;
  stepSeconds: number;
}

export interface PrometheusClientOptions {
  /** Base URL, e.g. http://prometheus.monitoring.svc:9090 */
  url: string;
  timeoutMs?: number;
  retries?: number;
  /** Extra headers, e.g. Authorization for a managed Prometheus. */
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/** Prometheus writes infinities as +Inf / -Inf, which Number() does not read. */
function sampleValue(text: string): number {
  if (text === '+Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  return Number(text);
}

export class PrometheusRangeClient {
  private readonly base: string;

  constructor(private readonly options: PrometheusClientOptions) {
    this.base = options.url.replace(/\/+$/, '');
  }

  async queryRange(q: RangeQuery): Promise<RangeSeries[]> {
    const params = new URLSearchParams({
      query: q.query,
      start: (q.startMs / 1000).toFixed(3),
      end: (q.endMs / 1000).toFixed(3),
      step: `${q.stepSeconds}s`,
    });
    const url = `${this.base}/api/v1/query_range?${params}`;
    const retries = this.options.retries ?? 2;
    let lastError = '';
    for (let attempt = 0; attempt <= retries; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, 200 * 2 ** (attempt - 1)));
      let response: Response;
      try {
        const signals = [AbortSignal.timeout(this.options.timeoutMs ?? 10_000)];
        if (this.options.signal) signals.push(this.options.signal);
        response = await fetch(url, {
          headers: this.options.headers ?? {},
          signal: AbortSignal.any(signals),
        });
      } catch (err) {
        if (this.options.signal?.aborted) throw err;
        lastError = (err as Error).message;
        continue;
      }
      const text = await response.text();
      if (response.status >= 500 || response.status === 429) {
        lastError = `HTTP ${response.status}`;
        continue;
      }
      if (!response.ok)
        throw new BentoError(
          `Prometheus at ${this.base} refused a range query (HTTP ${response.status}): ${text.slice(0, 200)}`,
        );
      let parsed: z.infer<typeof matrixSchema>;
      try {
        parsed = matrixSchema.parse(JSON.parse(text));
      } catch {
        throw new BentoError(
          `Prometheus at ${this.base} answered a range query with something other than a matrix: ${text.slice(0, 200)}`,
        );
      }
      return parsed.data.result.map((s) => ({
        labels: s.metric,
        values: s.values.map(([, v]) => sampleValue(v)),
      }));
    }
    throw new BentoError(
      `Prometheus at ${this.base} did not answer after ${retries + 1} attempts: ${lastError}`,
    );
  }
}
