/**
 * The traffic driver: sends the same requests to baseline and candidate, pair by pair, and records
 * what the judge needs. `interleaved` sends each pair one after the other, alternating which side goes
 * first so neither gains from warm caches or order; `paired` sends both at once, so both see the same
 * instant of machine load. A warm-up of pairs runs first and is discarded. Long runs log a progress line
 * every few seconds.
 */
import { performance } from 'node:perf_hooks';
import { Agent, request } from 'undici';
import { BentoError, UsageError } from '../core/errors.js';
import { option, say } from '../core/user-text.js';
import { type AgreementSpec, compareResponses } from './agreement.js';
import { type CanarySamples, emptySide, type Mismatch, type SideSamples } from './metrics.js';
import { type PromScrape, parsePrometheusText, samplesOf, selectValue } from './prometheus.js';
import type { CanaryRequest } from './requests.js';
import { quantileOfSorted, sorted } from './stats.js';
import type { PrometheusMetricSpec } from './thresholds.js';

export interface Endpoint {
  /** `http://127.0.0.1:PORT` (no trailing slash). */
  url: string;
  /** Path of the Prometheus endpoint; undefined when the side exposes none. */
  metricsPath?: string;
}

export type TrafficOrder = 'interleaved' | 'paired';

export interface TrafficOptions {
  baseline: Endpoint;
  candidate: Endpoint;
  /** The requests, cycled through in order. */
  requests: readonly CanaryRequest[];
  /** Measured pairs to send; with `durationMs`, whichever comes first ends the run. */
  count?: number;
  durationMs?: number;
  warmup: number;
  concurrency: number;
  order: TrafficOrder;
  timeoutMs: number;
  agreement: AgreementSpec;
  prometheus: readonly PrometheusMetricSpec[];
  scrapeIntervalMs?: number;
  /** Every disagreement with both responses, for shadow mode's diff file. */
  onMismatch?: (m: Mismatch & { request?: string; baseline: unknown; candidate: unknown }) => void;
  log?: (line: string) => void;
  progressIntervalMs?: number;
  signal?: AbortSignal;
}

interface Outcome {
  ok: boolean;
  latencyMs: number;
  error?: string;
  body?: unknown;
}

const MAX_EXAMPLES = 5;

function errorKind(err: unknown): string {
  const code = (err as { code?: string }).code ?? '';
  if (
    code === 'UND_ERR_HEADERS_TIMEOUT' ||
    code === 'UND_ERR_BODY_TIMEOUT' ||
    (err as Error).name === 'TimeoutError'
  )
    return 'timeout';
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return 'connection reset';
  return code || (err as Error).name || 'error';
}

class Side {
  readonly samples: SideSamples = emptySide();
  private readonly agent: Agent;

  constructor(
    readonly endpoint: Endpoint,
    private readonly options: TrafficOptions,
  ) {
    this.agent = new Agent({
      connections: options.concurrency + 1,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      connect: { timeout: Math.min(options.timeoutMs, 10_000) },
    });
  }

  async send(req: CanaryRequest): Promise<Outcome> {
    const start = performance.now();
    try {
      const res = await request(`${this.endpoint.url}${req.route}`, {
        method: req.method,
        headers: req.headers,
        body: req.body,
        dispatcher: this.agent,
        signal: AbortSignal.any([
          AbortSignal.timeout(this.options.timeoutMs),
          ...(this.options.signal ? [this.options.signal] : []),
        ]),
      });
      const text = await res.body.text();
      const latencyMs = performance.now() - start;
      if (res.statusCode < 200 || res.statusCode >= 300)
        return { ok: false, latencyMs, error: `HTTP ${res.statusCode}` };
      let body: unknown = text;
      const type = res.headers['content-type'];
      if (typeof type === 'string' && type.includes('json')) {
        try {
          body = JSON.parse(text);
        } catch {
          return { ok: false, latencyMs, error: 'invalid JSON' };
        }
      }
      return { ok: true, latencyMs, body };
    } catch (err) {
      if (this.options.signal?.aborted) throw err;
      return { ok: false, latencyMs: performance.now() - start, error: errorKind(err) };
    }
  }

  record(outcome: Outcome): void {
    this.samples.requests++;
    if (outcome.ok) this.samples.latenciesMs.push(outcome.latencyMs);
    else {
      this.samples.errors++;
      const kind = outcome.error ?? 'error';
      this.samples.errorKinds[kind] = (this.samples.errorKinds[kind] ?? 0) + 1;
    }
  }

  async scrape(): Promise<PromScrape | undefined> {
    if (!this.endpoint.metricsPath) return undefined;
    try {
      const res = await request(`${this.endpoint.url}${this.endpoint.metricsPath}`, {
        dispatcher: this.agent,
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      const text = await res.body.text();
      return res.statusCode === 200 ? parsePrometheusText(text) : undefined;
    } catch {
      return undefined;
    }
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}

function summarize(side: SideSamples): string {
  const p50 = quantileOfSorted(sorted(side.latenciesMs), 0.5);
  return `p50 ${Number.isNaN(p50) ? '-' : p50.toFixed(2)} ms, ${side.errors} errors`;
}

/** Runs warm-up, then the measured pairs, and returns the samples of both sides. */
export async function runTraffic(options: TrafficOptions): Promise<CanarySamples> {
  if (options.requests.length === 0)
    throw new UsageError(
      say`no requests to send (pass ${option('requestsFile')} or a target with an API signature)`,
    );
  if (options.count === undefined && options.durationMs === undefined)
    throw new UsageError(say`give ${option('requests')} or ${option('duration')}: the run needs an end`);
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const baseline = new Side(options.baseline, options);
  const candidate = new Side(options.candidate, options);
  const agreement = { compared: 0, agreed: 0, examples: [] as Mismatch[] };
  const requests = options.requests;

  const sendPair = async (index: number): Promise<[Outcome, Outcome]> => {
    const req = requests[index % requests.length]!;
    if (options.order === 'paired') return Promise.all([baseline.send(req), candidate.send(req)]);
    // Alternate who goes first, so a warm cache or a just-woken core favours neither side.
    if (index % 2 === 0) {
      const a = await baseline.send(req);
      return [a, await candidate.send(req)];
    }
    const b = await candidate.send(req);
    return [await baseline.send(req), b];
  };

  const runPhase = async (total: number | undefined, deadline: number | undefined, measure: boolean) => {
    let next = 0;
    let lastProgress = performance.now();
    const started = performance.now();
    const worker = async () => {
      for (;;) {
        if (options.signal?.aborted) throw new BentoError('canary cancelled');
        if (total !== undefined && next >= total) return;
        if (deadline !== undefined && performance.now() >= deadline) return;
        const index = next++;
        const [a, b] = await sendPair(index);
        if (!measure) continue;
        baseline.record(a);
        candidate.record(b);
        if (a.ok && b.ok) {
          agreement.compared++;
          const c = compareResponses(a.body, b.body, options.agreement);
          if (c.agree) agreement.agreed++;
          else {
            const req = requests[index % requests.length]!;
            const mismatch = { index, route: req.route, reason: c.reason ?? 'responses differ' };
            if (agreement.examples.length < MAX_EXAMPLES) agreement.examples.push(mismatch);
            options.onMismatch?.({ ...mismatch, request: req.body, baseline: a.body, candidate: b.body });
          }
        }
        const now = performance.now();
        if (now - lastProgress >= (options.progressIntervalMs ?? 5000)) {
          lastProgress = now;
          const of = total !== undefined ? `/${total}` : '';
          log(
            `canary: ${index + 1}${of} pairs, ${((now - started) / 1000).toFixed(1)} s; baseline ${summarize(baseline.samples)}; candidate ${summarize(candidate.samples)}`,
          );
        }
      }
    };
    await Promise.all(Array.from({ length: options.concurrency }, worker));
  };

  try {
    if (options.warmup > 0) {
      log(`canary: warming up with ${options.warmup} pairs (discarded)`);
      await runPhase(options.warmup, undefined, false);
    }
    const scrapes = await startScraping(baseline, candidate, options);
    const started = performance.now();
    const deadline = options.durationMs !== undefined ? started + options.durationMs : undefined;
    await runPhase(options.count, deadline, true);
    const durationMs = performance.now() - started;
    await scrapes.stop();
    const result: CanarySamples = {
      baseline: baseline.samples,
      candidate: candidate.samples,
      agreement,
      concurrency: options.concurrency,
      durationMs,
      warmupRequests: options.warmup,
    };
    scrapes.fill(result);
    log(
      `canary: done, ${baseline.samples.requests} pairs in ${(durationMs / 1000).toFixed(1)} s; baseline ${summarize(baseline.samples)}; candidate ${summarize(candidate.samples)}`,
    );
    return result;
  } finally {
    await Promise.all([baseline.close(), candidate.close()]);
  }
}

/** Scrapes both sides' /metrics together at the start, every interval, and at the end. */
async function startScraping(baseline: Side, candidate: Side, options: TrafficOptions) {
  const specs = options.prometheus;
  const series = {
    baseline: [] as { atMs: number; scrape?: PromScrape }[],
    candidate: [] as { atMs: number; scrape?: PromScrape }[],
  };
  const scrapeBoth = async () => {
    const atMs = performance.now();
    const [a, b] = await Promise.all([baseline.scrape(), candidate.scrape()]);
    series.baseline.push({ atMs, ...(a ? { scrape: a } : {}) });
    series.candidate.push({ atMs, ...(b ? { scrape: b } : {}) });
  };
  if (specs.length === 0) return { stop: async () => undefined, fill: (_: CanarySamples) => undefined };
  await scrapeBoth();
  let pending: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    pending = pending.then(scrapeBoth);
  }, options.scrapeIntervalMs ?? 1000);
  return {
    stop: async () => {
      clearInterval(timer);
      await pending;
      await scrapeBoth();
    },
    fill: (result: CanarySamples) => {
      for (const spec of specs) {
        const label = spec.label ?? spec.name;
        for (const side of ['baseline', 'candidate'] as const) {
          const points = series[side].map((p) => ({
            atMs: p.atMs,
            value: p.scrape ? selectValue(p.scrape, spec.name, spec.labels) : undefined,
          }));
          result[side].prometheus[label] = samplesOf(points, spec.aggregate);
        }
      }
    },
  };
}
