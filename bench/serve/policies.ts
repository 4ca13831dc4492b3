/**
 * Peers' batching policies, re-implemented on the runtime's scheduler so they run with the same
 * HTTP server, workers and tensors as bentoci's own policy: only the decision differs. None of
 * them refuses at enqueue (they have no admission control); BentoML sheds late.
 *
 * - BentoML CorkDispatcher (bentoml/_internal/marshal/dispatcher.py): duration = a*n + b fitted by
 *   least squares over the last 50 batches (refreshed at most every 5 s), a 1 ms polling tick, one
 *   batch in flight; waits while n*(wn + tick + a) <= 0.95 * mean wait; sheds the oldest request
 *   when w0 + a*n + b >= max latency.
 * - Triton dynamic batcher: with an instance free, sends what is queued; with preferred sizes it
 *   sends the largest preferred size it can form, else holds up to max_queue_delay from the oldest.
 * - TorchServe: a free worker collects up to batch_size requests for at most max_batch_delay
 *   (100 ms) from when it started collecting.
 * - Ray Serve @serve.batch: like TorchServe with batch_wait_timeout_s (10 ms) and one batch in
 *   flight (max_concurrent_batches = 1).
 */
import { LatencyPredictor } from '../../runtime/batching/predictor.js';
import type {
  Admission,
  BatchJob,
  BatchObservation,
  BatchPolicy,
  Decision,
  QueueGroup,
  SchedulerView,
} from '../../runtime/batching/types.js';

const ADMIT: Admission = { ok: true };

/** Requests of `group` that fit `maxRows`, oldest first. */
function available(group: QueueGroup, maxRows = group.api.maxBatchRows): number {
  let rows = 0;
  for (const job of group.jobs) {
    if (rows > 0 && rows + job.rows > maxRows) break;
    rows += job.rows;
  }
  return rows;
}

abstract class PeerPolicy implements BatchPolicy {
  private readonly predictors = new Map<string, LatencyPredictor>();
  protected lastCompletion = Number.NEGATIVE_INFINITY;
  constructor(protected readonly now: () => number) {}
  admit(): Admission {
    return ADMIT;
  }
  abstract decide(group: QueueGroup, view: SchedulerView): Decision;
  observe(api: string, batch: BatchObservation): void {
    this.predictorOf(api).observe(batch.rows, batch.durationMs);
    this.lastCompletion = this.now();
  }
  predict(api: string, rows: number): number {
    return this.predictorOf(api).predict(rows);
  }
  private predictorOf(api: string): LatencyPredictor {
    let p = this.predictors.get(api);
    if (!p) {
      p = new LatencyPredictor({ now: this.now });
      this.predictors.set(api, p);
    }
    return p;
  }
}

export class TritonPolicy extends PeerPolicy {
  constructor(
    now: () => number,
    private readonly delayMs: number,
    private readonly preferred: readonly number[] = [],
  ) {
    super(now);
  }
  decide(group: QueueGroup, view: SchedulerView): Decision {
    const rows = available(group);
    if (rows >= group.api.maxBatchRows) return { dispatch: true };
    const preferred = this.preferred.filter((p) => p <= rows);
    if (preferred.length > 0) return { dispatch: true, maxRows: Math.max(...preferred) };
    const until = group.jobs[0]!.arrival + this.delayMs;
    return this.delayMs === 0 || until <= view.now ? { dispatch: true } : { dispatch: false, until };
  }
}

/** TorchServe (batch delay 100 ms) and Ray Serve (10 ms, one batch at a time): collect, then send. */
export class CollectPolicy extends PeerPolicy {
  constructor(
    now: () => number,
    private readonly delayMs: number,
    readonly maxInFlight?: number,
  ) {
    super(now);
  }
  decide(group: QueueGroup, view: SchedulerView): Decision {
    if (available(group) >= group.api.maxBatchRows) return { dispatch: true };
    // A free worker starts collecting with the oldest request, or when it became free.
    const started = Math.max(group.jobs[0]!.arrival, this.lastCompletion);
    const until = started + this.delayMs;
    return until <= view.now ? { dispatch: true } : { dispatch: false, until };
  }
}

interface Sample {
  n: number;
  duration: number;
  wait: number;
}

export class BentoMLCorkPolicy extends PeerPolicy {
  readonly maxInFlight = 1;
  readonly tickMs = 1;
  private a: number;
  private b: number;
  private wait = 10;
  private readonly samples: Sample[] = [];
  private seen = 0;
  private lastRefresh = Number.NEGATIVE_INFINITY;
  private refreshes = 0;

  constructor(
    now: () => number,
    private readonly maxLatencyMs: number,
  ) {
    super(now);
    this.a = Math.min(2000, (maxLatencyMs * 2) / 30);
    this.b = Math.min(1000, maxLatencyMs / 30);
  }

  override observe(api: string, batch: BatchObservation): void {
    super.observe(api, batch);
    const { requests, durationMs, waitMs } = batch;
    // The first two batches are skipped, as BentoML does; then 50 are kept.
    if (++this.seen <= 2) return;
    this.samples.push({ n: requests, duration: durationMs, wait: waitMs });
    if (this.samples.length > 50) this.samples.shift();
    const now = this.now();
    if (this.refreshes < 3 || now - this.lastRefresh >= 5000) {
      this.refresh();
      this.lastRefresh = now;
      this.refreshes++;
    }
  }

  /** Least squares of duration = a*n + b, and the mean wait. */
  private refresh(): void {
    const k = this.samples.length;
    if (k === 0) return;
    let sx = 0;
    let sy = 0;
    let sxx = 0;
    let sxy = 0;
    let sw = 0;
    for (const { n, duration, wait } of this.samples) {
      sx += n;
      sy += duration;
      sxx += n * n;
      sxy += n * duration;
      sw += wait;
    }
    const det = k * sxx - sx * sx;
    // With every sample the same n, lstsq gives the minimum-norm solution; a = y/n is close enough.
    const a = det === 0 ? sy / sx : (k * sxy - sx * sy) / det;
    const b = det === 0 ? 0 : (sy - a * sx) / k;
    this.a = Math.max(0.001, a);
    this.b = Math.max(0, b);
    this.wait = Math.max(0, sw / k);
  }

  decide(group: QueueGroup, view: SchedulerView): Decision {
    const n = group.jobs.length;
    const wn = view.now - group.jobs[n - 1]!.arrival;
    if (n < group.api.maxBatchRows && n * (wn + this.tickMs + this.a) <= this.wait * 0.95)
      return { dispatch: false };
    return { dispatch: true };
  }

  shed(group: QueueGroup, view: SchedulerView): BatchJob[] {
    const shed: BatchJob[] = [];
    const jobs = [...group.jobs];
    const busy = view.inFlight.length >= this.maxInFlight;
    while (jobs.length > 0) {
      const n = jobs.length;
      const w0 = view.now - jobs[0]!.arrival;
      const latency0 = w0 + this.a * n + this.b;
      if ((n > 1 && latency0 >= this.maxLatencyMs) || (busy && n === 1 && w0 >= this.maxLatencyMs))
        shed.push(jobs.shift()!);
      else break;
    }
    return shed;
  }
}

export type PeerName = 'bentoml' | 'triton-0' | 'triton-delay' | 'torchserve' | 'ray';

export const PEERS: Record<PeerName, string> = {
  bentoml: 'BentoML cork (least squares, 1 ms tick, 1 in flight, late shedding)',
  'triton-0': 'Triton dynamic batcher, max_queue_delay 0',
  'triton-delay': 'Triton dynamic batcher, delay 5 ms, preferred 16/32/64',
  torchserve: 'TorchServe, max_batch_delay 100 ms',
  ray: 'Ray Serve, batch_wait_timeout 10 ms, 1 in flight',
};

export function peerPolicy(
  name: PeerName,
  now: () => number,
  maxLatencyMs: number,
  maxBatch: number,
): BatchPolicy {
  switch (name) {
    case 'bentoml':
      return new BentoMLCorkPolicy(now, maxLatencyMs);
    case 'triton-0':
      return new TritonPolicy(now, 0);
    case 'triton-delay':
      return new TritonPolicy(
        now,
        5,
        [maxBatch / 4, maxBatch / 2, maxBatch].filter((p) => p >= 1).map(Math.floor),
      );
    case 'torchserve':
      return new CollectPolicy(now, 100);
    case 'ray':
      return new CollectPolicy(now, 10, 1);
  }
}
