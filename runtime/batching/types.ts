/**
 * The vocabulary of the batch scheduler, kept free of tensors, HTTP and ONNX Runtime so policies can
 * be tested with a fake clock and swapped (the benchmark re-implements peers' policies on it).
 */
import type { PaddingBound } from './padding-bound.js';

/** A request waiting for the model: how many rows it adds, with whom it may share a batch, its deadline. */
export interface BatchJob {
  readonly api: string;
  /** Requests batch together only when their keys are equal (same trailing dims and dtypes). */
  readonly key: string;
  readonly rows: number;
  /**
   * What the request costs the model, in input elements (every input's element count, summed); rows
   * when absent. Batch times are learned and predicted from it, so requests whose sizes vary 100x
   * within one API are judged by their own size, not by a row count that hides it.
   */
  readonly work?: number;
  /** Padded APIs: the request's length along its padding axes (see ApiQueueConfig.padding). */
  readonly length?: number;
  /** Padded APIs: bytes one row of its padded inputs takes per position along the padding axes. */
  readonly positionBytes?: number;
  /** Clock time (ms) the request arrived. */
  readonly arrival: number;
  /** Clock time (ms) by which its answer is due: arrival + the API's max latency. */
  readonly deadline: number;
  state: 'new' | 'queued' | 'running' | 'done' | 'cancelled';
  /** Set when admitted: when (clock ms), and when the policy expected the answer, to learn from its error. */
  admittedAt?: number;
  predictedEnd?: number;
  /** Set when the policy held its batch back for more arrivals while a worker was idle. */
  held?: boolean;
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
  /** Padded APIs: how much padding one batch may carry (requests beyond it wait for the next). */
  padding?: PaddingBound;
}

/** Requests of one API with one compatibility key, oldest first. */
export interface QueueGroup<J extends BatchJob = BatchJob> {
  readonly api: ApiQueueConfig;
  readonly key: string;
  readonly jobs: J[];
  rows: number;
  /** The jobs' work summed (see BatchJob.work). */
  work: number;
}

export interface InFlightBatch {
  readonly api: string;
  readonly rows: number;
  readonly work: number;
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
  /** `predictedEnd`: when the policy expects the answer (clock ms), when it predicts one. */
  | { ok: true; predictedEnd?: number }
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
  /**
   * Whether a lone request on an idle server (nothing running or queued, arrivals one per I/O turn
   * of late) goes to a worker in the tick it arrived instead of at the end of the turn; it records
   * nothing on the jobs. Absent: every request waits for the turn's decision.
   */
  startsAlone?(group: QueueGroup, view: SchedulerView): boolean;
  /** Jobs to refuse now, after they were queued (only peers that shed late use it). */
  shed?(group: QueueGroup, view: SchedulerView): BatchJob[];
  /** A batch finished (see BatchObservation). */
  observe(api: string, batch: BatchObservation): void;
  /**
   * An admitted job was answered at `answeredAt` (clock ms, the answer written): the policy may
   * learn how far its prediction (`job.predictedEnd`) was off.
   */
  answered?(job: BatchJob, answeredAt: number): void;
  /** How much admission stretches its predictions now (0: as predicted), for the metrics. */
  stretch?(api: string): number;
  /** Predicted duration of a batch (ms) of `rows` rows and `work` elements (rows when absent). */
  predict(api: string, rows: number, work?: number): number;
}

/** What one finished batch cost, for the policy to learn from. */
export interface BatchObservation {
  rows: number;
  /** Its jobs' work summed (rows when the jobs carry none). */
  work: number;
  requests: number;
  /** What it cost the worker (or dispatch to results when the runner does not say). */
  durationMs: number;
  /** The newest job's queueing time. */
  waitMs: number;
  /** The rest of its round trip (messages, the HTTP thread getting to the result), when known. */
  transitMs?: number;
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
