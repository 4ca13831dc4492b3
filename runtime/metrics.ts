/**
 * Prometheus metrics (prom-client, a registry of our own). Labelled children are cached, so the hot
 * path costs a map lookup and an observe per request; queue depth and in-flight work are read from
 * the scheduler when scraped instead of being updated on every change.
 */
import client from 'prom-client';
import { settingName } from './config.js';

const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const BATCH_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096];

export interface MetricsSources {
  queuedRows(api: string): number;
  /** The admission's learned stretch of its predictions (see AdaptivePolicy.stretch). */
  admissionStretch(api: string): number;
  inFlightRequests(): number;
  inFlightBatches(): number;
  /** Body bytes taken from the budget by requests being read or decoded. */
  bodyBytesInFlight(): number;
  /** Decoded tensor bytes taken from the budget by requests queued or running. */
  tensorBytesInFlight(): number;
}

/** What the request path reports; RuntimeMetrics implements it, tests may count instead. */
export interface MetricsSink {
  request(api: string, status: number, seconds: number): void;
  batch(api: string, rows: number, inferenceSeconds: number): void;
  reject(api: string, reason: string): void;
  missedDeadline(api: string): void;
}

export class RuntimeMetrics implements MetricsSink {
  readonly registry = new client.Registry();
  private readonly requests: client.Counter<'api' | 'status'>;
  private readonly latency: client.Histogram<'api' | 'status'>;
  private readonly batchSize: client.Histogram<'api'>;
  private readonly inference: client.Histogram<'api'>;
  private readonly rejected: client.Counter<'api' | 'reason'>;
  private readonly deadlineMissed: client.Counter<'api'>;
  private readonly requestChildren = new Map<
    string,
    { count: client.Counter.Internal; latency: client.Histogram.Internal<'api' | 'status'> }
  >();
  private readonly rejectChildren = new Map<string, client.Counter.Internal>();
  private readonly apiChildren = new Map<
    string,
    {
      batch: client.Histogram.Internal<'api'>;
      inference: client.Histogram.Internal<'api'>;
      missed: client.Counter.Internal;
    }
  >();

  constructor(apis: readonly string[], sources: MetricsSources) {
    const registers = [this.registry];
    this.requests = new client.Counter({
      name: 'bentoci_requests_total',
      help: 'Requests answered, by API and HTTP status',
      labelNames: ['api', 'status'],
      registers,
    });
    this.latency = new client.Histogram({
      name: 'bentoci_request_duration_seconds',
      help: 'Time from request arrival to the response, by API and HTTP status',
      labelNames: ['api', 'status'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.batchSize = new client.Histogram({
      name: 'bentoci_batch_size',
      help: 'Rows per batch sent to a worker',
      labelNames: ['api'],
      buckets: BATCH_BUCKETS,
      registers,
    });
    this.inference = new client.Histogram({
      name: 'bentoci_inference_duration_seconds',
      help: 'Time inside session.run per batch, as the worker measured it',
      labelNames: ['api'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.rejected = new client.Counter({
      name: 'bentoci_rejected_total',
      help: 'Requests refused with 503 at admission, by reason',
      labelNames: ['api', 'reason'],
      registers,
    });
    this.deadlineMissed = new client.Counter({
      name: 'bentoci_deadline_missed_total',
      help: 'Admitted requests answered after their latency bound',
      labelNames: ['api'],
      registers,
    });
    new client.Gauge({
      name: 'bentoci_queue_depth',
      help: 'Rows waiting to be batched, by API',
      labelNames: ['api'],
      registers,
      collect() {
        for (const api of apis) this.set({ api }, sources.queuedRows(api));
      },
    });
    new client.Gauge({
      name: 'bentoci_admission_stretch',
      help: 'How much admission stretches its predicted times, learned from late answers (0: as predicted, 1: twice)',
      labelNames: ['api'],
      registers,
      collect() {
        for (const api of apis) this.set({ api }, sources.admissionStretch(api));
      },
    });
    new client.Gauge({
      name: 'bentoci_in_flight_requests',
      help: 'Requests being handled (reading, queued, running or answering)',
      registers,
      collect() {
        this.set(sources.inFlightRequests());
      },
    });
    new client.Gauge({
      name: 'bentoci_in_flight_batches',
      help: 'Batches running on workers',
      registers,
      collect() {
        this.set(sources.inFlightBatches());
      },
    });
    new client.Gauge({
      name: 'bentoci_body_bytes_in_flight',
      help: `Request body bytes being read or decoded, against ${settingName('maxBodyBytesInFlight')}`,
      registers,
      collect() {
        this.set(sources.bodyBytesInFlight());
      },
    });
    new client.Gauge({
      name: 'bentoci_tensor_bytes_in_flight',
      help: `Decoded tensor bytes of requests queued or running, against ${settingName('maxTensorBytesInFlight')}`,
      registers,
      collect() {
        this.set(sources.tensorBytesInFlight());
      },
    });
    client.collectDefaultMetrics({ register: this.registry });
    for (const api of apis) this.apiChild(api);
  }

  private apiChild(api: string) {
    let child = this.apiChildren.get(api);
    if (!child) {
      child = {
        batch: this.batchSize.labels(api),
        inference: this.inference.labels(api),
        missed: this.deadlineMissed.labels(api),
      };
      this.apiChildren.set(api, child);
    }
    return child;
  }

  request(api: string, status: number, seconds: number): void {
    const key = `${api}\u0000${status}`;
    let child = this.requestChildren.get(key);
    if (!child) {
      const labels = { api, status: String(status) };
      child = { count: this.requests.labels(labels), latency: this.latency.labels(labels) };
      this.requestChildren.set(key, child);
    }
    child.count.inc();
    child.latency.observe(seconds);
  }

  batch(api: string, rows: number, inferenceSeconds: number): void {
    const child = this.apiChild(api);
    child.batch.observe(rows);
    child.inference.observe(inferenceSeconds);
  }

  reject(api: string, reason: string): void {
    // Refusals are the hot path under overload: the labelled child is looked up once.
    const key = `${api}\u0000${reason}`;
    let child = this.rejectChildren.get(key);
    if (!child) {
      child = this.rejected.labels(api, reason);
      this.rejectChildren.set(key, child);
    }
    child.inc();
  }

  missedDeadline(api: string): void {
    this.apiChild(api).missed.inc();
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
