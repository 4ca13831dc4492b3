/**
 * The vocabulary of the batch scheduler, kept free of tensors, HTTP and ONNX Runtime so policies can
 * be tested with a fake clock and swapped (the benchmark re-implements peers' policies on it).
 */

/** A request waiting for the model: how many rows it adds, with whom it may share a batch, its deadline. */
export interface BatchJob {
  readonly api: string;
  /** Requests batch together only when their keys are equal (same trailing dims and dtypes). */
  readonly key: string;
  readonly rows: number;
  /** Clock time (ms) the request arrived. */
  readonly arrival: number;
  /** Clock time (ms) by which its answer is due: arrival + the API's max latency. */
  readonly deadline: number;
  state: 'new' | 'queued' | 'running' | 'done' | 'cancelled';
  /** Set when dispatched: when, and with how many rows and requests. */
  dispatchedAt?: number;
  batchRows?: number;
  batchRequests?: number;
}

export interface ApiQueueConfig {
  name: string;
  /** Rows per batch at most (a single larger request still runs, alone). */
  maxBatchRows: number;
  maxLatencyMs: number;
  /** False: every request runs alone (no merging), still queued fairly behind busy workers. */
  batching: boolean;
  /** Queued rows at most; beyond it requests get 503 at once. */
  maxQueueRows: number;
}

/** Requests of one API with one compatibility key, oldest first. */
export interface QueueGroup<J extends BatchJob = BatchJob> {
  readonly api: ApiQueueConfig;
  readonly key: string;
  readonly jobs: J[];
  rows: number;
}

export interface InFlightBatch {
  readonly api: string;
  readonly rows: number;
  readonly requests: number;
  readonly startedAt: number;
}

/** What a policy may look at when it decides. */
export interface SchedulerView {
  readonly now: number;
  /** Batches that may run at once (workers, or fewer if the policy caps it). Requests of APIs
   * without batching may be pipelined beyond it. */
  readonly capacity: number;
  /** Workers with no batch (of a batching API) running or waiting. */
  readonly idleWorkers: number;
  /**
   * How long a decision recently waited for the HTTP thread's current I/O turn to end (ms, EWMA):
   * near 0 when the thread keeps up, the thread's own queueing delay when it does not.
   */
  readonly turnDelayMs: number;
  /** Batches sent and not yet back, oldest first. */
  readonly inFlight: readonly InFlightBatch[];
  /** Non-empty groups of every API. */
  readonly groups: Iterable<QueueGroup>;
  /**
   * Admitted rows per millisecond arriving at this API, as of its latest arrival (between arrivals
   * it stays fixed, so a wait planned on it does not drift when re-decided).
   */
  arrivalRate(api: string): number;
}

export type Decision =
  /** Dispatch now, at most `maxRows` rows (default: the API's max batch). */
  | { dispatch: true; maxRows?: number }
  /** Hold; decide again at `until` (clock ms) or at the next event (arrival, completion, cancel). */
  | { dispatch: false; until?: number };

export type Admission =
  | { ok: true }
  | { ok: false; reason: 'overloaded' | 'queue_full'; retryAfterMs: number };

export interface BatchPolicy {
  /** Workers used at most, across APIs (default: all). */
  readonly maxInFlight?: number;
  /**
   * Batches per worker at once (default 1): one running, the others waiting in the worker's queue
   * so it starts the next without a round trip through the HTTP thread.
   */
  readonly pipelineDepth?: number;
  /** When set, the scheduler re-decides every `tickMs` while work is queued (for polling peers). */
  readonly tickMs?: number;
  /** Called at enqueue, before the job joins its group; `group` is undefined for a new key. */
  admit(job: BatchJob, group: QueueGroup | undefined, view: SchedulerView): Admission;
  /** Called for a non-empty group while a batch slot is free. */
  decide(group: QueueGroup, view: SchedulerView): Decision;
  /** Jobs to refuse now, after they were queued (only peers that shed late use it). */
  shed?(group: QueueGroup, view: SchedulerView): BatchJob[];
  /**
   * A batch finished: `durationMs` what it cost the worker (or dispatch to results when the runner
   * does not say), `waitMs` the newest job's queueing time, `transitMs` the rest of its round trip
   * (messages and the HTTP thread getting to the result), when known; `backlogRows` the rows of
   * this API still queued at that moment.
   */
  observe(
    api: string,
    rows: number,
    requests: number,
    durationMs: number,
    waitMs: number,
    transitMs?: number,
    backlogRows?: number,
  ): void;
  /** Predicted duration of a batch (ms), for logs, warm-up and metrics. */
  predict(api: string, rows: number): number;
}

/** What a batch cost, as the runner measured it (see RunResult in workers/pool.ts). */
export interface BatchCost {
  serviceMs: number;
  transitMs: number;
}

export interface SchedulerClock {
  now(): number;
  setTimer(delayMs: number, fn: () => void): unknown;
  clearTimer(handle: unknown): void;
  /** Runs `fn` after the current I/O turn (setImmediate): arrivals of one turn decide together. */
  defer(fn: () => void): void;
}

export const systemClock: SchedulerClock = {
  now: () => performance.now(),
  setTimer: (delayMs, fn) => setTimeout(fn, delayMs),
  clearTimer: (handle) => clearTimeout(handle as NodeJS.Timeout),
  defer: (fn) => setImmediate(fn),
};
