/**
 * bentoci's batching policy. With a free worker, a group goes out:
 *   - when it is full (max batch rows, or the next request would not fit);
 *   - when its oldest request's deadline minus the predicted time of this batch is reached
 *     (prediction at a tail quantile, learned per batch size), less the timer's slack;
 *   - at once when waiting cannot pay: unless more rows are expected to arrive during the batch's
 *     predicted run than the free workers would carry now (arrival rate x predicted time > rows x
 *     idle workers), sending now costs nobody anything. When it does pay, the group is held until
 *     that balance is reached, the deadline rule fires, or arrivals stop (no request for `patience`
 *     mean inter-arrival times), whichever is first; every arrival re-decides.
 * At enqueue it admits a request only if a simulation of the queue (every group in deadline order,
 * cut into batches, on the workers' predicted free times) finishes it by its deadline; otherwise the
 * request gets 503 + Retry-After at once, instead of waiting to be shed. The rate at which the queue
 * actually drained when it was last backed up bounds that simulation too: under overload the workers share
 * the cores with the HTTP thread (and, on a small machine, the clients), so batches come back slower
 * than their run time says, and only the measured drain rate knows by how much.
 */
import { LatencyPredictor, type PredictorOptions } from './predictor.js';
import type { Admission, BatchJob, BatchPolicy, Decision, QueueGroup, SchedulerView } from './types.js';

export interface AdaptivePolicyOptions extends PredictorOptions {
  /** How many mean inter-arrival times a held batch waits for its next request; 2 by default. */
  patience?: number;
  /** Timers fire up to this late (ms); deadlines are planned this much early. 1 by default. */
  timerSlackMs?: number;
  /**
   * Quantile at which the batches queued ahead of a request are planned; 0.9 by default. Lower than
   * the tail (slow batches seldom all come at once) but not the median (slowness comes in spells).
   */
  aheadQuantile?: number;
}

/** The batch a group would send now: its rows, and whether waiting could not make it bigger. */
export function nextBatch(
  group: QueueGroup,
  maxRows = group.api.maxBatchRows,
): { rows: number; requests: number; full: boolean } {
  if (!group.api.batching) return { rows: group.jobs[0]!.rows, requests: 1, full: true };
  let rows = 0;
  let requests = 0;
  for (const job of group.jobs) {
    if (requests > 0 && rows + job.rows > maxRows) return { rows, requests, full: true };
    rows += job.rows;
    requests++;
  }
  return { rows, requests, full: rows >= maxRows };
}

/** Weight of the newest interval in the drain rate. */
const DRAIN_WEIGHT = 0.1;
/**
 * Headroom on the drain rate: it is a mean, and the queue drains in uneven steps (batches from
 * several workers, pauses of the HTTP thread). Measured on the heavy benchmark model at 2x its
 * capacity, two runs each: 1.3 left 7-8% of admitted requests late, 1.6 about 1.5%, 2.0 0-1.6%,
 * with the same answers per second (the HTTP thread bounds those) and no refusals in closed loop.
 */
const DRAIN_MARGIN = 2;

/** How fast one API's queue drains while it is backed up. */
interface Drain {
  /** When the last batch completed. */
  last: number;
  /** Whether rows were still queued then: the next interval is one of back-to-back work. */
  backlogged: boolean;
  /** Time between completions while backlogged, and rows per completion (EWMAs). */
  interval: number;
  rows: number;
  /** Their ratio: milliseconds per row while backlogged; 0 until measured. */
  msPerRow: number;
  /** When msPerRow last changed. */
  measuredAt: number;
}

/** How long (ms) a drain rate bounds admission with nothing queued after it was last measured. */
const DRAIN_FRESH_MS = 500;

export class AdaptivePolicy implements BatchPolicy {
  /** One batch running per worker and one more waiting in its queue. */
  readonly pipelineDepth = 2;
  private readonly predictors = new Map<string, LatencyPredictor>();
  private readonly transits = new Map<string, LatencyPredictor>();
  private readonly drains = new Map<string, Drain>();
  private readonly now: () => number;
  private readonly patience: number;
  private readonly ahead: number;
  private readonly slack: number;
  /** When each worker frees up, in the simulation of the queue (reused: admission runs per request). */
  private slots: number[] = [];

  constructor(private readonly options: AdaptivePolicyOptions = {}) {
    this.patience = options.patience ?? 2;
    this.ahead = options.aheadQuantile ?? 0.9;
    this.slack = options.timerSlackMs ?? 1;
    this.now = options.now ?? (() => performance.now());
  }

  predictor(api: string): LatencyPredictor {
    let p = this.predictors.get(api);
    if (!p) {
      p = new LatencyPredictor(this.options);
      this.predictors.set(api, p);
    }
    return p;
  }

  predict(api: string, rows: number): number {
    return this.predictor(api).predict(rows);
  }

  observe(
    api: string,
    rows: number,
    _requests: number,
    durationMs: number,
    _waitMs = 0,
    transitMs?: number,
    backlogRows = 0,
  ): void {
    this.predictor(api).observe(rows, durationMs);
    if (transitMs !== undefined) this.transitOf(api).observe(1, transitMs);
    const now = this.now();
    const drain = this.drains.get(api);
    if (!drain) {
      const backlogged = backlogRows > 0;
      this.drains.set(api, { last: now, backlogged, interval: 0, rows: 0, msPerRow: 0, measuredAt: now });
      return;
    }
    if (drain.backlogged && rows > 0) {
      // Intervals and rows are averaged apart: a short batch after a pause (a GC, a starved
      // thread) must not count as that pause per row.
      const interval = now - drain.last;
      if (drain.msPerRow === 0) {
        drain.interval = interval;
        drain.rows = rows;
      } else {
        drain.interval += DRAIN_WEIGHT * (interval - drain.interval);
        drain.rows += DRAIN_WEIGHT * (rows - drain.rows);
      }
      drain.msPerRow = drain.interval / drain.rows;
      drain.measuredAt = now;
    }
    drain.last = now;
    drain.backlogged = backlogRows > 0;
  }

  /** Messages to and from the worker plus the HTTP thread's delay, paid once per request. */
  transit(api: string): number {
    const t = this.transits.get(api);
    return t && t.samples(1) > 0 ? t.estimate(1, this.ahead) : 0;
  }

  private transitOf(api: string): LatencyPredictor {
    let t = this.transits.get(api);
    if (!t) {
      t = new LatencyPredictor({ ...this.options, window: 256 });
      this.transits.set(api, t);
    }
    return t;
  }

  decide(group: QueueGroup, view: SchedulerView): Decision {
    const { rows, full } = nextBatch(group);
    if (full) return { dispatch: true };
    const api = group.api.name;
    const duration = this.predict(api, rows) + this.transit(api);
    const latestStart = group.jobs[0]!.deadline - duration - this.slack;
    if (latestStart <= view.now) return { dispatch: true };
    // Waiting pays only when more rows are expected during this batch's run than the free workers
    // hold now: sending now would leave them queueing behind a small batch. A closed-loop client
    // never meets this (it sends no more than it gets answers for), so low load never waits. The
    // typical (median) run time, not the tail: this is about throughput, and a rare slow batch
    // must not make every batch wait.
    const rate = view.arrivalRate(api);
    const typical = this.predictor(api).typical(rows);
    if (view.idleWorkers === 0) {
      // Every worker is busy: a batch sent now waits in a worker's queue. That is worth it only if
      // it would hardly grow meanwhile; otherwise it keeps growing here until a worker frees up
      // (a completion re-decides) or its deadline rule fires.
      return rate * typical <= rows ? { dispatch: true } : { dispatch: false, until: latestStart };
    }
    if (rate * typical <= rows * view.idleWorkers) return { dispatch: true };
    // Hold for the next arrivals, but not past the deadline rule, and not long past the time the
    // next arrival was due: a rate that stopped is not worth waiting for.
    const newest = group.jobs[group.jobs.length - 1]!.arrival;
    const until = Math.min(latestStart, newest + this.patience / rate);
    if (until <= view.now) return { dispatch: true };
    return { dispatch: false, until };
  }

  /**
   * The backstop behind admission: a request that waits for a worker and can no longer finish by its
   * deadline even if its batch left now is answered 503 at once, not late. Admission keeps this rare
   * (see DRAIN_MARGIN).
   */
  shed(group: QueueGroup, view: SchedulerView): BatchJob[] {
    // With a worker free the batch leaves now, and its run refreshes a prediction that may be stale.
    if (view.idleWorkers > 0) return [];
    const api = group.api.name;
    const finish =
      view.now + this.predictor(api).estimate(nextBatch(group).rows, this.ahead) + this.transit(api);
    const late: BatchJob[] = [];
    // A group's jobs are in arrival order, and one API has one bound: deadlines only grow.
    for (const job of group.jobs) {
      if (job.deadline >= finish) break;
      late.push(job);
    }
    return late;
  }

  admit(job: BatchJob, group: QueueGroup | undefined, view: SchedulerView): Admission {
    // A request that finds a worker free and nobody ahead of it starts at once: refusing it would
    // serve nobody, and running it refreshes a prediction that may be stale (after a stall).
    if (!group && view.idleWorkers > 0 && nothingQueued(view.groups)) return { ok: true };
    const completion = Math.max(this.predictCompletion(job, group, view), this.drainedBy(job, view));
    if (completion <= job.deadline) return { ok: true };
    return { ok: false, reason: 'overloaded', retryAfterMs: completion - job.deadline };
  }

  /**
   * When the rows ahead of `job` (queued and running) and its own would be through at the rate the
   * queue drained while it was last backed up: a capacity, so it holds for a sudden burst too (a
   * short queue makes it small). Only a backlog refreshes the rate, so with nothing queued it
   * counts only while fresh: a rate from a slow spell long ago (start-up, say) must not refuse,
   * with nothing queued to ever refresh it, what the workers would serve in time.
   */
  drainedBy(job: BatchJob, view: SchedulerView): number {
    const drain = this.drains.get(job.api);
    if (!drain || drain.msPerRow === 0) return Number.NEGATIVE_INFINITY;
    let queued = 0;
    for (const g of view.groups) if (g.api.name === job.api) queued += g.rows;
    if (queued === 0 && view.now - drain.measuredAt > DRAIN_FRESH_MS) return Number.NEGATIVE_INFINITY;
    let rows = job.rows + queued;
    for (const b of view.inFlight) if (b.api === job.api) rows += b.rows;
    return view.now + rows * drain.msPerRow * DRAIN_MARGIN + this.transit(job.api);
  }

  /**
   * When `job` would finish if queued now: groups go out oldest deadline first, each cut into
   * batches as the scheduler would, each batch on the slot that frees first. It runs twice per
   * request (before the body is read, and at enqueue), so the common path (one group) reuses its
   * slots and builds no list of groups to sort.
   */
  predictCompletion(job: BatchJob, ownGroup: QueueGroup | undefined, view: SchedulerView): number {
    const now = view.now;
    const slots = this.resetSlots(view.capacity);
    // Work already sent (oldest first), folded onto the workers in the order it started.
    for (const batch of view.inFlight) {
      const best = earliest(slots);
      slots[best] =
        Math.max(slots[best]!, batch.startedAt) + this.predictor(batch.api).estimate(batch.rows, this.ahead);
    }
    for (let i = 0; i < slots.length; i++) slots[i] = Math.max(now, slots[i]!);
    // A batch also needs the HTTP thread to send it: one I/O turn per pipeline slot at least, which is
    // what limits a worker when that thread, not the worker, is the bottleneck.
    const perTurn = view.turnDelayMs / this.pipelineDepth;
    if (onlyGroup(view.groups, ownGroup)) return this.simulateGroup(job, ownGroup, true, slots, now, perTurn);
    const ordered: Array<{ group: QueueGroup | undefined; deadline: number }> = [];
    for (const g of view.groups)
      if (g !== ownGroup) ordered.push({ group: g, deadline: g.jobs[0]!.deadline });
    ordered.push({ group: ownGroup, deadline: ownGroup ? ownGroup.jobs[0]!.deadline : job.deadline });
    ordered.sort((a, b) => a.deadline - b.deadline);
    for (const { group } of ordered) {
      const own = group === ownGroup;
      const end = this.simulateGroup(job, group, own, slots, now, perTurn);
      if (own) return end;
    }
    return now;
  }

  private resetSlots(capacity: number): number[] {
    if (this.slots.length !== capacity) this.slots = new Array(capacity);
    this.slots.fill(Number.NEGATIVE_INFINITY);
    return this.slots;
  }

  /**
   * Cuts one group into batches onto the slots. For the request's own group, returns when its own
   * batch ends: the batches ahead count at a high quantile, not the tail (a sum of tail times would
   * assume every one of them is slow at once); the request's own batch counts at the tail.
   */
  private simulateGroup(
    job: BatchJob,
    group: QueueGroup | undefined,
    own: boolean,
    slots: number[],
    now: number,
    perTurn: number,
  ): number {
    const jobs: readonly BatchJob[] = group ? group.jobs : [];
    const api = group ? group.api.name : job.api;
    const maxRows = group ? group.api.maxBatchRows : Number.POSITIVE_INFINITY;
    const single = group ? !group.api.batching : false;
    const predictor = this.predictor(api);
    // Requests that run alone go out many per I/O turn (the scheduler pipelines them), so the
    // HTTP thread's turn does not pace them one by one.
    const minimum = single ? 0 : perTurn;
    let start = now;
    const runOn = (rows: number) => {
      const best = earliest(slots);
      start = Math.max(now, slots[best]!);
      slots[best] = start + Math.max(predictor.estimate(rows, this.ahead), minimum);
    };
    let rows = 0;
    if (single && group && group.rows === jobs.length && (!own || job.rows === 1)) {
      // Requests of one row each, each run alone: all take the same time, so whole rounds over the
      // workers are added at once instead of request by request (the queue may hold thousands).
      const duration = Math.max(predictor.estimate(1, this.ahead), minimum);
      start = fillEqual(slots, jobs.length + (own ? 1 : 0), now, duration);
      rows = 1;
    } else if (!single && group && group.rows === jobs.length && (!own || job.rows === 1)) {
      // Every request one row (the common case): cut by count, not request by request.
      let left = jobs.length + (own ? 1 : 0);
      while (left > 0) {
        rows = Math.min(left, maxRows);
        runOn(rows);
        left -= rows;
      }
    } else {
      let requests = 0;
      const total = jobs.length + (own ? 1 : 0);
      for (let i = 0; i < total; i++) {
        const r = i < jobs.length ? jobs[i]!.rows : job.rows;
        if (requests > 0 && (single || rows + r > maxRows)) {
          runOn(rows);
          rows = 0;
          requests = 0;
        }
        rows += r;
        requests++;
      }
      if (requests > 0) runOn(rows);
    }
    if (!own) return now;
    return (
      start + Math.max(predictor.predict(rows), predictor.estimate(rows, this.ahead)) + this.transit(api)
    );
  }
}

/**
 * Puts `count` runs of `duration` ms each on the slot that frees first, one after another, and
 * returns when the last of them starts. Once the slots are within one run of each other, the next
 * `slots.length` runs go one to each slot, so whole rounds are added at once.
 */
function fillEqual(slots: number[], count: number, now: number, duration: number): number {
  let left = count;
  let start = now;
  const place = () => {
    const best = earliest(slots);
    start = Math.max(now, slots[best]!);
    slots[best] = start + duration;
    left--;
  };
  while (left > 0 && Math.max(...slots) - Math.min(...slots) >= duration) place();
  const rounds = duration > 0 ? Math.floor((left - 1) / slots.length) : 0;
  if (rounds > 0) {
    for (let i = 0; i < slots.length; i++) slots[i] = slots[i]! + rounds * duration;
    left -= rounds * slots.length;
  }
  while (left > 0) place();
  return start;
}

/** The slot that frees first. */
function earliest(slots: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < slots.length; i++) if (slots[i]! < slots[best]!) best = i;
  return best;
}

/** Whether no group but `own` (if any) is queued: the common case of one API and one shape. */
function onlyGroup(groups: Iterable<QueueGroup>, own: QueueGroup | undefined): boolean {
  for (const g of groups) if (g !== own) return false;
  return true;
}

function nothingQueued(groups: Iterable<QueueGroup>): boolean {
  for (const g of groups) if (g.jobs.length > 0) return false;
  return true;
}
