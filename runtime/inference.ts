/**
 * From validated tensors to model outputs: one job per request, the batch scheduler in between, and
 * the batch runner that merges inputs along the batch dim, runs them on a worker and splits the
 * outputs back per request. HTTP and KServe handlers both come through here.
 */

import { QUEUE_DEFAULTS, SERVE_DEFAULTS } from '../src/shared/serve-settings.js';
import type { TensorMap } from '../src/shared/service.js';
import { AdaptivePolicy, type AdaptivePolicyOptions } from './batching/adaptive-policy.js';
import type { PaddingBound } from './batching/padding-bound.js';
import { RateEstimator } from './batching/predictor.js';
import { BatchScheduler } from './batching/scheduler.js';
import type {
  Admission,
  ApiQueueConfig,
  BatchCost,
  BatchJob,
  BatchPolicy,
  SchedulerClock,
} from './batching/types.js';
import type { RuntimeConfig } from './config.js';
import { HttpError, OverloadError } from './errors.js';
import type { OnLimit } from './http/limits.js';
import type { Logger } from './log.js';
import type { MetricsSink } from './metrics.js';
import type { LoadedApi } from './service/load.js';
import { TensorBudget, type TensorHold, tensorBytes } from './tensor-budget.js';
import {
  type BatchLayout,
  batchKey,
  batchLayoutOf,
  fillMask,
  lacksMask,
  lengthOf,
  positionBytesOf,
  rowsOf,
} from './tensors/batch-layout.js';
import { type BatchPart, mergeInputs, paddedLength, padTo, splitOutputs } from './tensors/merge.js';
import { validateInputs } from './tensors/validate.js';
import { cleanLine, ModelRunError } from './workers/ort-errors.js';
import type { RunResult } from './workers/pool.js';

export interface JobResult {
  outputs: TensorMap;
  /** Time inside session.run for the whole batch. */
  runMs: number;
}

/** What a request costs the model: its inputs' elements, summed (see BatchJob.work). */
export function inputWork(inputs: TensorMap): number {
  let work = 0;
  for (const name in inputs) work += inputs[name]!.data.length;
  return Math.max(1, work);
}

/**
 * What one request of a failed batch sent, for its 400: the batch's shapes with its own rows and
 * length (a batch only holds requests whose other dims match).
 */
function sent(
  inputs: TensorMap | undefined,
  job: InferenceJob,
  layout: BatchLayout,
  requests: number,
): string {
  if (!inputs) return 'the request';
  const parts = layout.inputs.map(({ name, axis, pad }) => {
    const t = inputs[name]!;
    const shape =
      requests > 1 || pad
        ? t.shape.map((d, i) => (i === axis ? job.rows : i === pad?.axis ? (job.length ?? d) : d))
        : t.shape;
    return `"${name}" ${t.dtype} [${shape.join(', ')}]`;
  });
  return `sent ${parts.join(', ')}`;
}

/** One request's place in the queue, with the promise its handler awaits. */
export class InferenceJob implements BatchJob {
  state: BatchJob['state'] = 'new';
  admittedAt?: number;
  predictedEnd?: number;
  held?: boolean;
  dispatchedAt?: number;
  batchRows?: number;
  batchRequests?: number;
  completedAt?: number;
  /** Its tensors' share of the process's budget: given back when it settles or leaves the queue. */
  hold?: TensorHold;
  readonly result: Promise<JobResult>;
  resolve!: (result: JobResult) => void;
  reject!: (err: Error) => void;

  constructor(
    readonly api: string,
    readonly key: string,
    readonly rows: number,
    readonly work: number,
    readonly arrival: number,
    readonly deadline: number,
    public inputs: TensorMap | undefined,
    /** Its length along the padding axes, when the API pads. */
    readonly length?: number,
    /** Bytes per row and position of its padded inputs, when the API pads (see PaddingBound). */
    readonly positionBytes?: number,
  ) {
    this.result = new Promise<JobResult>((resolve, reject) => {
      this.resolve = (result) => {
        this.hold?.release();
        resolve(result);
      };
      this.reject = (err) => {
        this.hold?.release();
        reject(err);
      };
    });
    // A job whose client left is settled anyway; nobody may be listening.
    this.result.catch(() => {});
  }
}

/** What runs a merged batch: the worker pool in the server, anything with this shape in tests. */
export interface BatchRunner {
  run(model: string, inputs: TensorMap): Promise<RunResult>;
}

export interface ApiRuntime {
  loaded: LoadedApi;
  queue: ApiQueueConfig;
  layout: BatchLayout;
}

/**
 * How much padding a batch may carry relative to its requests padded alone, by default (see
 * PaddingBound): 2 bounds a padded batch's memory, and the model's work over it, to twice what its
 * requests sent, while any mix whose longest request is at most twice its shortest batches whole.
 */
export const PADDING_RATIO = 2;

export interface InferenceOptions {
  apis: readonly LoadedApi[];
  config: Pick<
    RuntimeConfig,
    'batching' | 'maxBatchSize' | 'maxLatencyMs' | 'maxQueueRows' | 'latencyQuantile' | 'lateTarget'
  > & {
    maxRequestBytes?: number;
    /** Bytes of one batch's padded inputs at most (see PaddingBound); 8 x maxRequestBytes when absent. */
    maxPaddedBatchBytes?: number;
    /** Padded positions over those sent, at most (see PaddingBound); PADDING_RATIO when absent. */
    maxPaddingRatio?: number;
    /** Decoded tensor bytes queued or running, all APIs together; 16 x maxRequestBytes when absent. */
    maxTensorBytesInFlight?: number;
  };
  /** Told of each refusal at the tensor budget, so the log can name the setting (runtime/http/limits.ts). */
  onLimit?: OnLimit;
  workers: number;
  runner: BatchRunner;
  metrics: MetricsSink;
  log: Logger;
  clock: SchedulerClock;
  /** The batching policy; bentoci's adaptive one unless a benchmark swaps it. */
  policy?: BatchPolicy;
}

export class Inference {
  readonly apis = new Map<string, ApiRuntime>();
  readonly scheduler: BatchScheduler<InferenceJob>;
  readonly policy: BatchPolicy;
  /** Decoded tensors admitted and not answered yet (see TensorBudget). */
  readonly tensors: TensorBudget;
  private readonly clock: SchedulerClock;
  private readonly answers = new Map<string, RateEstimator>();

  constructor(private readonly options: InferenceOptions) {
    const { config, workers } = options;
    this.clock = options.clock;
    // Sixteen of the largest requests (a batching API's count twice, see submit): room for a full
    // queue of ordinary requests, while a flood of large ones holds at most this much.
    this.tensors = new TensorBudget(
      config.maxTensorBytesInFlight ?? 16 * (config.maxRequestBytes ?? SERVE_DEFAULTS.maxRequestBytes),
    );
    for (const loaded of options.apis) {
      const { api, signature } = loaded;
      const maxBatchRows = config.maxBatchSize ?? api.batching.max_batch_size;
      const batching = config.batching !== false && api.batching.enabled && signature.batchable;
      const layout = batchLayoutOf(loaded);
      this.answers.set(api.name, new RateEstimator());
      this.apis.set(api.name, {
        loaded,
        layout,
        queue: {
          name: api.name,
          maxBatchRows,
          maxLatencyMs: config.maxLatencyMs ?? api.batching.max_latency_ms,
          batching,
          maxQueueRows: config.maxQueueRows ?? api.batching.max_queue_rows ?? maxBatchRows * workers * 64,
          ...(batching && layout.padded ? { padding: this.paddingBound(layout) } : {}),
        },
      });
    }
    // Flags and env apply to every API; bento.yaml per API; then the defaults.
    const perApi: AdaptivePolicyOptions['apis'] = {};
    for (const { api } of options.apis) {
      perApi[api.name] = {
        quantile: config.latencyQuantile ?? api.batching.latency_quantile ?? QUEUE_DEFAULTS.latencyQuantile,
        lateTarget: config.lateTarget ?? api.batching.late_target ?? QUEUE_DEFAULTS.lateTarget,
      };
    }
    this.policy = options.policy ?? new AdaptivePolicy({ apis: perApi, now: options.clock.now });
    this.scheduler = new BatchScheduler<InferenceJob>({
      clock: options.clock,
      policy: this.policy,
      workers,
      apis: [...this.apis.values()].map((a) => a.queue),
      run: (api, jobs) => this.runBatch(api, jobs),
      shed: (job) => {
        options.metrics.reject(job.api, 'shed');
        job.reject(
          new HttpError(503, `API "${job.api}" is overloaded: the request was shed after queueing`, {
            'retry-after': '1',
          }),
        );
      },
    });
  }

  private paddingBound(layout: BatchLayout): PaddingBound {
    const { config } = this.options;
    const maxRequestBytes = config.maxRequestBytes ?? SERVE_DEFAULTS.maxRequestBytes;
    return {
      ratio: config.maxPaddingRatio ?? PADDING_RATIO,
      maxBytes: config.maxPaddedBatchBytes ?? 8 * maxRequestBytes,
      padTo: (length) => padTo(layout, length),
    };
  }

  api(name: string): ApiRuntime {
    const api = this.apis.get(name);
    if (!api) throw new HttpError(404, `no API named "${name}"`);
    return api;
  }

  /**
   * Validates the inputs and queues them; throws HttpError 400 for bad inputs and 503 (with
   * Retry-After) when admission control refuses the request.
   */
  submit(apiName: string, inputs: TensorMap, arrival: number): InferenceJob {
    const runtime = this.api(apiName);
    const { loaded, layout, queue } = runtime;
    const fill = lacksMask(inputs, layout);
    validateInputs(inputs, loaded.api.input, fill ? layout.mask : undefined);
    // Rows and length once: for the batch and for the mask the runtime fills.
    const measured = queue.batching || fill;
    const rows = measured ? rowsOf(inputs, layout.inputs) : 1;
    const length = measured ? lengthOf(inputs, layout) : undefined;
    if (fill) {
      // Nothing else padded gives the mask a length: then it is missing like any other input.
      if (length === undefined) validateInputs(inputs, loaded.api.input);
      else fillMask(inputs, layout, rows, length);
    }
    const key = queue.batching ? batchKey(inputs, layout.inputs) : '';
    const positionBytes = queue.padding ? positionBytesOf(inputs, layout) : undefined;
    const work = inputWork(inputs);
    const deadline = arrival + queue.maxLatencyMs;
    const job = new InferenceJob(
      apiName,
      key,
      queue.batching ? rows : 1,
      work,
      arrival,
      deadline,
      inputs,
      queue.batching ? length : undefined,
      positionBytes,
    );
    // A batching API's request counts twice: its inputs, and their copy in the batch it is
    // concatenated into (held until the batch is answered). A padded batch's padding is bounded
    // apart (see PaddingBound).
    const bytes = tensorBytes(inputs) * (queue.batching ? 2 : 1);
    const hold = this.tensors.take(bytes);
    if (!hold) throw this.budgetFull(apiName, bytes);
    job.hold = hold;
    const admission = this.scheduler.submit(job);
    if (!admission.ok) hold.release();
    this.refuse(apiName, admission);
    return job;
  }

  /** An admitted job's answer was written at `answeredAt`: admission learns how far off it was. */
  answered(job: InferenceJob, answeredAt: number): void {
    this.scheduler.answered(job, answeredAt);
    this.answers.get(job.api)?.add(answeredAt, 1);
  }

  /** Admitted requests answered per millisecond, recently. */
  answerRate(apiName: string, now: number): number {
    return this.answers.get(apiName)?.rate(now) ?? 0;
  }

  /**
   * Before the body is read: the 503 for a request that could not be served in time even if it
   * were the smallest possible, so overload costs a header parse, not a body parse, per refusal.
   */
  precheck(apiName: string, arrival: number): HttpError | undefined {
    const { queue } = this.api(apiName);
    return this.refusal(apiName, this.scheduler.probe(apiName, 1, arrival, arrival + queue.maxLatencyMs));
  }

  private budgetFull(apiName: string, bytes: number): HttpError {
    const { tensors } = this;
    this.options.metrics.reject(apiName, 'tensor_budget');
    this.options.onLimit?.('maxTensorBytesInFlight', tensors.limit);
    return new HttpError(
      503,
      `the server is holding ${tensors.inFlight} bytes of other requests' tensors; this request's ${bytes} would exceed its budget of ${tensors.limit}; retry after 1 s`,
      { 'retry-after': '1' },
    );
  }

  private refuse(apiName: string, admission: Admission): void {
    const refusal = this.refusal(apiName, admission);
    if (refusal) throw refusal;
  }

  private refusal(apiName: string, admission: Admission): HttpError | undefined {
    if (admission.ok) return undefined;
    const { queue } = this.api(apiName);
    this.options.metrics.reject(apiName, admission.reason);
    const seconds = Math.max(1, Math.ceil(admission.retryAfterMs / 1000));
    const why =
      admission.reason === 'queue_full'
        ? `its queue is full (${queue.maxQueueRows} rows)`
        : `it cannot answer within ${queue.maxLatencyMs} ms`;
    return new OverloadError(
      `API "${apiName}" is overloaded: ${why}; retry after ${seconds} s`,
      { 'retry-after': String(seconds) },
      admission.retryAfterMs,
    );
  }

  /** Withdraws a queued job (its tensors' bytes go back); a running one settles with its batch. */
  cancel(job: InferenceJob): boolean {
    const cancelled = this.scheduler.cancel(job);
    if (cancelled) job.hold?.release();
    return cancelled;
  }

  /** Runs one batch; resolves with what it cost the worker (see RunResult.serviceMs), to learn from. */
  private async runBatch(apiName: string, jobs: InferenceJob[]): Promise<BatchCost> {
    const { loaded, layout, queue } = this.api(apiName);
    let inputs: TensorMap | undefined;
    try {
      const parts: BatchPart[] = jobs.map((j) => ({
        inputs: j.inputs!,
        rows: j.rows,
        ...(j.length !== undefined ? { length: j.length } : {}),
      }));
      const length = queue.batching ? paddedLength(parts, layout) : undefined;
      // A lone request runs as sent, unless buckets ask for its length to be rounded up.
      const asSent = jobs.length === 1 && (length === undefined || length === jobs[0]!.length);
      inputs = asSent ? jobs[0]!.inputs! : mergeInputs(parts, layout, length);
      for (const job of jobs) job.inputs = undefined;
      const { outputs, runMs, serviceMs, transitMs } = await this.options.runner.run(
        loaded.model.tag,
        inputs,
      );
      const rows = jobs.reduce((n, j) => n + j.rows, 0);
      this.options.metrics.batch(apiName, rows, runMs / 1000);
      const now = this.clock.now();
      const perJob = asSent ? [outputs] : splitOutputs(outputs, parts, layout, length);
      for (let i = 0; i < jobs.length; i++) {
        jobs[i]!.completedAt = now;
        jobs[i]!.resolve({ outputs: perJob[i]!, runMs });
      }
      return { serviceMs, transitMs };
    } catch (err) {
      const failure = err instanceof ModelRunError ? err.failure : undefined;
      // A request the model refused is the client's error: logged, but not as the server's.
      (failure?.status === 400 ? this.options.log.info : this.options.log.error)('batch failed', {
        api: apiName,
        requests: jobs.length,
        error: err instanceof ModelRunError ? err.detail : (err as Error).message,
      });
      for (const job of jobs) {
        if (failure?.status === 400)
          job.reject(new HttpError(400, `${failure.message} (${sent(inputs, job, layout, jobs.length)})`));
        else
          job.reject(
            new HttpError(500, `inference failed: ${failure?.message ?? cleanLine((err as Error).message)}`),
          );
      }
      throw err;
    }
  }
}
