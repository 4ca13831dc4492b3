/**
 * The batch scheduler: per-API queues split by compatibility key, a fixed number of batch slots (one
 * per worker), and a policy that decides when a group goes out. It is event-driven: decisions run
 * once per I/O turn after an arrival, a completion or a cancel (so a burst of arrivals decides
 * together), plus one timer for the earliest time a waiting group must go; nothing polls. A lone
 * request on an idle server skips the wait for the turn's end (see lone).
 */
import { takeBatch, workOf } from './next-batch.js';
import { RateEstimator } from './predictor.js';
import { LiveView } from './scheduler-view.js';
import type {
  Admission,
  ApiQueueConfig,
  BatchCost,
  BatchJob,
  BatchPolicy,
  InFlightBatch,
  QueueGroup,
  SchedulerClock,
  SchedulerView,
} from './types.js';

const TURN_WEIGHT = 0.1;

export interface SchedulerOptions<J extends BatchJob> {
  clock: SchedulerClock;
  policy: BatchPolicy;
  /** Batch slots: the number of workers. */
  workers: number;
  /**
   * Requests of APIs without batching in flight per worker at most (default 16). They run one at a
   * time on a worker either way; sending the next ones ahead keeps a worker busy while the HTTP
   * thread is busy too, instead of one request per event-loop turn.
   */
  pipelineDepth?: number;
  apis: readonly ApiQueueConfig[];
  /**
   * Runs one batch; settles every job (with results or an error) before it resolves. It may resolve
   * with what the batch cost the worker and the transit around it; the policy learns from those
   * instead of dispatch-to-completion, which for a batch sent behind another includes its wait.
   */
  run(api: string, jobs: J[]): Promise<BatchCost | undefined>;
  /** A queued job the policy refused later (peers that shed): answer it 503. */
  shed?(job: J): void;
}

interface ApiState {
  config: ApiQueueConfig;
  queuedRows: number;
  rate: RateEstimator;
}

export class BatchScheduler<J extends BatchJob> {
  private readonly clock: SchedulerClock;
  private readonly policy: BatchPolicy;
  private readonly apis = new Map<string, ApiState>();
  private readonly groups = new Map<string, QueueGroup<J>>();
  private readonly inFlight: InFlightBatch[] = [];
  private readonly capacity: number;
  private readonly singleCapacity: number;
  private readonly batchCapacity: number;
  private batchesInFlight = 0;
  private singlesInFlight = 0;
  private pumpScheduled = false;
  /** Requests admitted since the last decision (in this I/O turn), and in the last turn that had any. */
  private turnArrivals = 0;
  private lastTurnArrivals = 0;
  /** Whether the latest arrival found nothing running or queued. */
  private lastArrivalIdle = false;
  private pumpRequestedAt = 0;
  /** EWMA of how long a decision waits for the current I/O turn to end (ms). */
  private turnDelay = 0;
  private timer: unknown;
  private timerAt = Number.POSITIVE_INFINITY;
  private draining = false;
  private drainWaiters: Array<() => void> = [];
  private readonly liveView: LiveView;

  constructor(private readonly options: SchedulerOptions<J>) {
    this.clock = options.clock;
    this.policy = options.policy;
    this.capacity = Math.max(1, Math.min(options.workers, options.policy.maxInFlight ?? options.workers));
    this.batchCapacity = this.capacity * Math.max(1, options.policy.pipelineDepth ?? 1);
    this.singleCapacity = this.capacity * (options.pipelineDepth ?? 16);
    for (const config of options.apis)
      this.apis.set(config.name, { config, queuedRows: 0, rate: new RateEstimator() });
    this.liveView = new LiveView(this.capacity, this.inFlight, this.groups, this.apis);
  }

  /** Queues a job or refuses it at once; a refused job is never queued, so nothing is dropped silently. */
  submit(job: J): Admission {
    const api = this.apiState(job.api);
    const groupKey = `${job.api}\u0000${job.key}`;
    const group = this.groups.get(groupKey);
    const verdict = this.admission(job, group);
    if (!verdict.ok) return verdict;
    const idle = this.inFlight.length === 0 && this.groups.size === 0;
    job.admittedAt = this.clock.now();
    job.predictedEnd = verdict.predictedEnd;
    const work = workOf(job);
    if (group) group.jobs.push(job);
    else this.groups.set(groupKey, { api: api.config, key: job.key, jobs: [job], rows: 0, work: 0 });
    const joined = this.groups.get(groupKey)!;
    joined.rows += job.rows;
    joined.work += work;
    api.queuedRows += job.rows;
    api.rate.add(this.clock.now(), job.rows);
    job.state = 'queued';
    const lone = this.lastArrivalIdle && this.lone(joined);
    this.lastArrivalIdle = idle;
    this.turnArrivals++;
    if (lone) this.dispatch(joined, joined.api.maxBatchRows);
    // Even after a lone dispatch: the turn's end counts its arrivals (see lone).
    this.schedulePump();
    this.dispatchFull();
    return { ok: true };
  }

  /**
   * A lone request on an idle server goes to a worker in the tick it arrived, not at the end of the
   * I/O turn: nothing is running or queued, and nothing was when the request before it arrived; it
   * is the turn's first arrival and the last turn with arrivals brought just one; and the policy
   * would send it now anyway (see BatchPolicy.startsAlone). That is one client at a time, or
   * requests far apart. With anything running, or when the previous arrival found work (a few
   * clients whose answers went out together come back together), the turn decides as before, so
   * the others of its turn can join it. A burst after a quiet spell sends its first request alone.
   */
  private lone(group: QueueGroup<J>): boolean {
    return (
      this.policy.startsAlone !== undefined &&
      !this.draining &&
      group.api.batching &&
      this.inFlight.length === 0 &&
      group.jobs.length === 1 &&
      this.groups.size === 1 &&
      this.turnArrivals === 0 &&
      this.lastTurnArrivals === 1 &&
      this.policy.startsAlone(group, this.view())
    );
  }

  /**
   * Whether a request of `rows` rows arriving at `arrival` would be admitted now, without queueing
   * anything: lets the HTTP layer refuse before it reads and parses a body it cannot serve in time.
   */
  probe(api: string, rows: number, arrival: number, deadline: number, work = rows): Admission {
    const probe: BatchJob = { api, key: '\u0000probe', rows, work, arrival, deadline, state: 'new' };
    return this.admission(probe, undefined);
  }

  private admission(job: BatchJob, group: QueueGroup<J> | undefined): Admission {
    const api = this.apiState(job.api);
    if (api.queuedRows + job.rows > api.config.maxQueueRows && api.queuedRows > 0) {
      return {
        ok: false,
        reason: 'queue_full',
        retryAfterMs: this.policy.predict(job.api, api.config.maxBatchRows),
      };
    }
    return this.policy.admit(job, group, this.view());
  }

  /** Removes a job that has not been dispatched yet; false when it is already running or done. */
  cancel(job: J): boolean {
    if (job.state !== 'queued') return false;
    const groupKey = `${job.api}\u0000${job.key}`;
    const group = this.groups.get(groupKey);
    const index = group ? group.jobs.indexOf(job) : -1;
    if (!group || index === -1) return false;
    group.jobs.splice(index, 1);
    this.unqueue(group, job.rows, workOf(job));
    if (group.jobs.length === 0) this.groups.delete(groupKey);
    job.state = 'cancelled';
    this.schedulePump();
    return true;
  }

  /** Rows waiting per API. */
  queuedRows(api: string): number {
    return this.apis.get(api)?.queuedRows ?? 0;
  }

  /** An admitted job was answered (the answer written at `answeredAt`): the policy learns from it. */
  answered(job: J, answeredAt: number): void {
    this.policy.answered?.(job, answeredAt);
  }

  private unqueue(group: QueueGroup<J>, rows: number, work: number): void {
    group.rows -= rows;
    group.work -= work;
    const api = this.apiState(group.api.name);
    api.queuedRows -= rows;
  }

  get inFlightBatches(): number {
    return this.inFlight.length;
  }

  /** Sends everything queued without waiting, then resolves once nothing is queued or running. */
  drain(): Promise<void> {
    this.draining = true;
    this.schedulePump();
    return new Promise((resolve) => {
      this.drainWaiters.push(resolve);
      this.checkDrained();
    });
  }

  private apiState(name: string): ApiState {
    const api = this.apis.get(name);
    if (!api) throw new Error(`no batch queue for API "${name}"`);
    return api;
  }

  /** The policy's view, brought up to date: one object, refreshed per decision (no garbage per request). */
  private view(): SchedulerView {
    const view = this.liveView;
    view.now = this.clock.now();
    view.idleWorkers = Math.max(0, this.capacity - this.batchesInFlight);
    view.turnDelayMs = this.turnDelay;
    return view;
  }

  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    this.pumpRequestedAt = this.clock.now();
    this.clock.defer(() => this.pump());
  }

  /**
   * A full batch and an idle worker need no decision: the batch goes now, not at the end of the
   * I/O turn. Under load one turn reads thousands of requests (tens of ms), and a worker that
   * finished early in it would otherwise idle until then.
   */
  private dispatchFull(): void {
    if (this.draining) return;
    for (;;) {
      const batchIdle = this.batchesInFlight < this.capacity;
      const singleIdle = this.singlesInFlight < this.capacity;
      let full: QueueGroup<J> | undefined;
      for (const group of this.groups.values()) {
        // A request that runs alone is a full batch by itself.
        const ready = group.api.batching ? batchIdle && group.rows >= group.api.maxBatchRows : singleIdle;
        if (ready && dueBefore(group, full)) full = group;
      }
      if (!full) return;
      this.dispatch(full, full.api.maxBatchRows);
    }
  }

  private pump(): void {
    this.pumpScheduled = false;
    // How long the rest of the I/O turn took: the HTTP thread's own queueing delay right now.
    const lag = this.clock.now() - this.pumpRequestedAt;
    this.turnDelay += TURN_WEIGHT * (lag - this.turnDelay);
    if (this.turnArrivals > 0) {
      this.lastTurnArrivals = this.turnArrivals;
      this.turnArrivals = 0;
    }
    // A drain answers every request it accepted: nothing is shed then.
    if (this.policy.shed && !this.draining) this.shedLate();
    let wakeAt = Number.POSITIVE_INFINITY;
    while (this.groups.size > 0) {
      const batchSlot = this.batchesInFlight < this.batchCapacity;
      const singleSlot = this.singlesInFlight < this.singleCapacity;
      if (!batchSlot && !singleSlot) break;
      const view = this.view();
      let chosen: QueueGroup<J> | undefined;
      let chosenRows = 0;
      wakeAt = Number.POSITIVE_INFINITY;
      for (const group of this.groups.values()) {
        if (!(group.api.batching ? batchSlot : singleSlot)) continue;
        const decision = this.draining ? { dispatch: true as const } : this.policy.decide(group, view);
        if (decision.dispatch) {
          // Among groups ready to go, the one whose oldest request is due first.
          if (dueBefore(group, chosen)) {
            chosen = group;
            chosenRows = decision.maxRows ?? group.api.maxBatchRows;
          }
        } else if (decision.until !== undefined) wakeAt = Math.min(wakeAt, decision.until);
      }
      if (!chosen) break;
      this.dispatch(chosen, chosenRows);
    }
    if (this.policy.tickMs !== undefined && this.groups.size > 0) {
      wakeAt = Math.min(wakeAt, this.clock.now() + this.policy.tickMs);
    }
    this.armTimer(wakeAt);
  }

  private shedLate(): void {
    const view = this.view();
    for (const [groupKey, group] of [...this.groups]) {
      for (const job of this.policy.shed!(group, view) as J[]) {
        const index = group.jobs.indexOf(job);
        if (index === -1) continue;
        group.jobs.splice(index, 1);
        this.unqueue(group, job.rows, workOf(job));
        job.state = 'cancelled';
        this.options.shed?.(job);
      }
      if (group.jobs.length === 0) this.groups.delete(groupKey);
    }
  }

  private armTimer(at: number): void {
    if (at === this.timerAt) return;
    if (this.timer !== undefined) this.clock.clearTimer(this.timer);
    this.timer = undefined;
    this.timerAt = at;
    if (!Number.isFinite(at)) return;
    this.timer = this.clock.setTimer(Math.max(0, at - this.clock.now()), () => {
      this.timer = undefined;
      this.timerAt = Number.POSITIVE_INFINITY;
      this.pump();
    });
  }

  private dispatch(group: QueueGroup<J>, maxRows: number): void {
    const now = this.clock.now();
    const single = !group.api.batching;
    const { jobs, batch: taken } = takeBatch(group, maxRows);
    const { rows, work } = taken;
    this.unqueue(group, rows, work);
    if (group.jobs.length === 0) this.groups.delete(`${group.api.name}\u0000${group.key}`);
    for (const job of jobs) {
      job.state = 'running';
      job.dispatchedAt = now;
      job.batchRows = rows;
      job.batchRequests = jobs.length;
    }
    const batch: InFlightBatch = { api: group.api.name, rows, work, requests: jobs.length, startedAt: now };
    // Started in time order, so the array stays sorted by start.
    this.inFlight.push(batch);
    if (single) this.singlesInFlight++;
    else this.batchesInFlight++;
    const newestWait = now - jobs[jobs.length - 1]!.arrival;
    const finish = (succeeded: boolean, cost?: BatchCost) => {
      this.inFlight.splice(this.inFlight.indexOf(batch), 1);
      if (single) this.singlesInFlight--;
      else this.batchesInFlight--;
      for (const job of jobs) job.state = 'done';
      // A failed batch says nothing about how long a good one takes.
      if (succeeded)
        this.policy.observe(batch.api, {
          rows,
          work,
          requests: jobs.length,
          durationMs: cost?.serviceMs ?? this.clock.now() - now,
          waitMs: newestWait,
          ...(cost?.transitMs !== undefined ? { transitMs: cost.transitMs } : {}),
        });
      this.checkDrained();
      this.schedulePump();
      this.dispatchFull();
    };
    let running: Promise<BatchCost | undefined>;
    try {
      running = this.options.run(group.api.name, jobs);
    } catch (err) {
      running = Promise.reject(err);
    }
    running.then(
      (cost) => finish(true, cost),
      () => finish(false),
    );
  }

  private checkDrained(): void {
    if (!this.draining || this.groups.size > 0 || this.inFlight.length > 0) return;
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const resolve of waiters) resolve();
  }
}

/** Whether `group`'s oldest request is due before `other`'s (or there is no other). */
function dueBefore(group: QueueGroup, other: QueueGroup | undefined): boolean {
  return !other || group.jobs[0]!.deadline < other.jobs[0]!.deadline;
}
