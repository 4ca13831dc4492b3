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
 * request gets 503 + Retry-After at once, instead of waiting to be shed. It plans on what the workers
 * measure of their own batches, not on the rate at which answers happen to come back: under a storm
 * of refusals (clients that resend at once) that rate falls because of the refusals themselves, and
 * admission planned on it refuses more, which feeds the storm; measured on the heavy benchmark MLP
 * with 256 such clients, 3,300 answers/s on time without it against 300 with it.
 * It plans on typical (median) batch times, and does not trust them blindly: every admitted
 * request's answer is compared with the time predicted for it, and admission stretches its
 * predictions by the 99.9th percentile of that ratio (learned online, QuantileTracker). Tail times
 * or a fixed margin either refuse work the workers could do (on a busy host the tail of one batch
 * can exceed the bound, and then nothing but a request to an idle server fits; the refused clients'
 * retries then eat the cores the workers need) or admit work they cannot; the learned stretch
 * settles where about 0.1% of admitted answers would be late, on whatever machine it runs. It is at
 * most 1.5x: lateness from a stall (a starved core, a GC) is no smaller for refusing more, and
 * however slow the machine, a queue of two thirds of the bound keeps the workers busy and batching.
 * Batch times are learned per size in input elements (BatchJob.work), not rows: one API may take
 * images whose sizes differ 100x, and each is judged by its own size.
 */
import { nextBatch, workOf } from './next-batch.js';
import { LatencyPredictor, type PredictorOptions, QuantileTracker } from './predictor.js';
import { QueueSimulation } from './queue-simulation.js';
import type {
  Admission,
  BatchJob,
  BatchObservation,
  BatchPolicy,
  Decision,
  QueueGroup,
  SchedulerView,
} from './types.js';

export interface AdaptivePolicyOptions extends PredictorOptions {
  /** How many mean inter-arrival times a held batch waits for its next request; 2 by default. */
  patience?: number;
  /** Timers fire up to this late (ms); deadlines are planned this much early. 1 by default. */
  timerSlackMs?: number;
  /**
   * Quantile of batch times at which admission plans the batches ahead of a request and its own;
   * 0.5 by default: the learned stretch covers the tail, as it really is on this machine.
   */
  planQuantile?: number;
  /**
   * Share of admitted requests that may be answered after their deadline, which the admission
   * margin is learned for; 0.001 by default.
   */
  lateTarget?: number;
  /** Per API, over the above: the bento's own settings for each of its APIs. */
  apis?: Record<string, { quantile?: number; lateTarget?: number }>;
}

/**
 * The learned stretch moves by this much per answer later than the stretch allowed (and by a
 * thousandth of it per other answer, at the default target): fast enough to follow a load change
 * within a few hundred answers, slow enough that one stall does not refuse the next second's work.
 * It stays within [-0.5, 0.5]: between half and one and a half times the predicted time, and
 * starts at 0.
 */
const STRETCH_STEP = 0.05;
const STRETCH_MIN = -0.5;
const STRETCH_MAX = 0.5;
/**
 * Predictions shorter than this share of the time a request had left at admission count as this
 * long when the error is taken: a request predicted to take 0.3 ms that took 5 ms of its 100 was
 * 16x off and nowhere near late. At half, an answer counts against the stretch only once it took
 * more than half of what it had left.
 */
const STRETCH_FLOOR = 1 / 2;

export class AdaptivePolicy implements BatchPolicy {
  /** One batch running per worker and one more waiting in its queue. */
  readonly pipelineDepth = 2;
  private readonly predictors = new Map<string, LatencyPredictor>();
  private readonly transits = new Map<string, LatencyPredictor>();
  private readonly stretches = new Map<string, QuantileTracker>();
  /** Work per row, per API (EWMA): turns a row count into work where only rows are known. */
  private readonly workPerRow = new Map<string, number>();
  private readonly now: () => number;
  private readonly patience: number;
  private readonly plan: number;
  private readonly slack: number;
  private readonly lateTarget: number;
  private readonly simulation: QueueSimulation;

  constructor(private readonly options: AdaptivePolicyOptions = {}) {
    this.patience = options.patience ?? 2;
    this.plan = options.planQuantile ?? 0.5;
    this.slack = options.timerSlackMs ?? 1;
    this.lateTarget = options.lateTarget ?? 0.001;
    this.now = options.now ?? (() => performance.now());
    this.simulation = new QueueSimulation({
      pipelineDepth: this.pipelineDepth,
      estimate: (api, work) => this.predictor(api).estimate(work, this.plan),
      transit: (api) => this.transit(api),
    });
  }

  predictor(api: string): LatencyPredictor {
    let p = this.predictors.get(api);
    if (!p) {
      const quantile = this.options.apis?.[api]?.quantile ?? this.options.quantile;
      p = new LatencyPredictor({ ...this.options, ...(quantile !== undefined ? { quantile } : {}) });
      this.predictors.set(api, p);
    }
    return p;
  }

  predict(api: string, rows: number, work?: number): number {
    return this.predictor(api).predict(work ?? rows * (this.workPerRow.get(api) ?? 1));
  }

  /**
   * How much admission stretches the time it predicts for a request (0: as predicted; 1: twice as
   * long): the learned 99.9th percentile of the answers' times relative to their predictions, less 1.
   */
  stretch(api: string): number {
    return this.stretchOf(api).value;
  }

  private stretchOf(api: string): QuantileTracker {
    let tracker = this.stretches.get(api);
    if (!tracker) {
      const lateTarget = this.options.apis?.[api]?.lateTarget ?? this.lateTarget;
      tracker = new QuantileTracker(1 - lateTarget, STRETCH_STEP, STRETCH_MIN, STRETCH_MAX);
      this.stretches.set(api, tracker);
    }
    return tracker;
  }

  answered(job: BatchJob, answeredAt: number): void {
    const { admittedAt, predictedEnd } = job;
    if (admittedAt === undefined || predictedEnd === undefined || job.held) return;
    const floor = (job.deadline - admittedAt) * STRETCH_FLOOR;
    // The stretch this answer needed to have been predicted on time.
    const predicted = Math.max(predictedEnd - admittedAt, floor);
    this.stretchOf(job.api).add((answeredAt - admittedAt) / predicted - 1);
  }

  observe(api: string, batch: BatchObservation): void {
    const { rows, work, durationMs, transitMs } = batch;
    this.predictor(api).observe(work, durationMs);
    const perRow = this.workPerRow.get(api);
    this.workPerRow.set(api, perRow === undefined ? work / rows : perRow + 0.1 * (work / rows - perRow));
    if (transitMs !== undefined) this.transitOf(api).observe(1, transitMs);
  }

  /** Messages to and from the worker plus the HTTP thread's delay, paid once per request. */
  transit(api: string): number {
    const t = this.transits.get(api);
    return t && t.samples(1) > 0 ? t.estimate(1, this.plan) : 0;
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
    const decision = this.judge(group, view);
    // Held while a worker idles, by choice: their answers come later than admission predicted,
    // and that says nothing about the machine (see answered).
    if (!decision.dispatch && view.idleWorkers > 0) for (const job of group.jobs) job.held = true;
    return decision;
  }

  /** decide's verdict, recording nothing: a lone request on an idle server goes in its own tick. */
  startsAlone(group: QueueGroup, view: SchedulerView): boolean {
    return this.judge(group, view).dispatch;
  }

  private judge(group: QueueGroup, view: SchedulerView): Decision {
    const { rows, work, full } = nextBatch(group);
    if (full) return { dispatch: true };
    const api = group.api.name;
    const predictor = this.predictor(api);
    const duration = predictor.predict(work) + this.transit(api);
    const latestStart = group.jobs[0]!.deadline - duration - this.slack;
    if (latestStart <= view.now) return { dispatch: true };
    // Waiting pays only when more rows are expected during this batch's run than the free workers
    // hold now: sending now would leave them queueing behind a small batch. A closed-loop client
    // never meets this (it sends no more than it gets answers for), so low load never waits. The
    // typical (median) run time, not the tail: this is about throughput, and a rare slow batch
    // must not make every batch wait.
    const rate = view.arrivalRate(api);
    const typical = predictor.typical(work);
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
    return until <= view.now ? { dispatch: true } : { dispatch: false, until };
  }

  /**
   * The backstop behind admission: a request that waits for a worker and can no longer finish by its
   * deadline even if its batch left now is answered 503 at once, not late. Admission keeps this rare.
   */
  shed(group: QueueGroup, view: SchedulerView): BatchJob[] {
    // With a worker free the batch leaves now, and its run refreshes a prediction that may be stale.
    if (view.idleWorkers > 0) return [];
    const api = group.api.name;
    const finish =
      view.now + this.predictor(api).estimate(nextBatch(group).work, this.plan) + this.transit(api);
    const late: BatchJob[] = [];
    // A group's jobs are in arrival order, and one API has one bound: deadlines only grow.
    for (const job of group.jobs) {
      if (job.deadline >= finish) break;
      late.push(job);
    }
    return late;
  }

  admit(job: BatchJob, group: QueueGroup | undefined, view: SchedulerView): Admission {
    const stretch = 1 + this.stretch(job.api);
    // A request that finds a worker free and nobody ahead of it starts at once: refusing it would
    // serve nobody, and running it refreshes a prediction that may be stale (after a stall). Not
    // one larger than any batch measured whose time, extrapolated, is past its bound: that is no
    // stale prediction but a request too large to answer in time.
    if (!group && view.idleWorkers > 0 && nothingQueued(view.groups)) {
      const work = workOf(job);
      const predictor = this.predictor(job.api);
      const own = predictor.estimate(work, this.plan) + this.transit(job.api);
      const late = view.now + stretch * own - job.deadline;
      const covered = predictor.covers(work);
      if (late <= 0 || covered) return { ok: true, ...learnable(covered, view.now + own) };
      return { ok: false, reason: 'overloaded', retryAfterMs: late };
    }
    const expected = this.predictCompletion(job, group, view);
    const late = view.now + stretch * (expected - view.now) - job.deadline;
    if (late <= 0) return { ok: true, ...learnable(this.predictor(job.api).covers(workOf(job)), expected) };
    return { ok: false, reason: 'overloaded', retryAfterMs: late };
  }

  /** When `job` would finish if queued now (see QueueSimulation). */
  predictCompletion(job: BatchJob, ownGroup: QueueGroup | undefined, view: SchedulerView): number {
    return this.simulation.completion(job, ownGroup, view);
  }
}

/**
 * The prediction to learn the stretch from: none when the request is larger than any batch measured.
 * Its time was extrapolated, and how wrong an extrapolation was says nothing about how the machine
 * keeps to the times it measured (one run of that size measures it).
 */
function learnable(covered: boolean, predictedEnd: number): { predictedEnd?: number } {
  return covered ? { predictedEnd } : {};
}

function nothingQueued(groups: Iterable<QueueGroup>): boolean {
  for (const g of groups) if (g.jobs.length > 0) return false;
  return true;
}
