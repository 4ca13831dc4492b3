/**
 * Warm-up: runs zero-filled batches of growing size (1, 2, 4, ... up to the max batch) on every
 * worker before the runtime reports ready. The first round of each size is discarded (allocation,
 * first-run graph work); the rest seed the batch-time predictor, so the very first requests are
 * already scheduled on measured times instead of a guess.
 */
import type { TensorSpec } from '../src/shared/schemas.js';
import type { Tensor, TensorMap } from '../src/shared/service.js';
import type { BatchPolicy, SchedulerClock } from './batching/types.js';
import type { ApiRuntime, BatchRunner } from './inference.js';
import type { Logger } from './log.js';
import { allocate, elementCount } from './tensors/dtype.js';

/** Rounds per size: at least MIN (the first discarded), more while the size costs under BUDGET_MS. */
const MIN_ROUNDS = 4;
const MAX_ROUNDS = 32;
const BUDGET_MS = 100;

function zeros(spec: TensorSpec, batchDim: number, rows: number, batched: boolean): Tensor {
  // Dynamic dims other than the batch dim get 1: the signature says nothing better.
  const shape = spec.shape.map((d, i) =>
    batched && i === batchDim ? rows : typeof d === 'number' && d > 0 ? d : 1,
  );
  return { dtype: spec.dtype, shape, data: allocate(spec.dtype, elementCount(shape)) };
}

export function warmupSizes(maxRows: number, batching: boolean): number[] {
  if (!batching) return [1];
  const sizes: number[] = [];
  for (let b = 1; b < maxRows; b *= 2) sizes.push(b);
  sizes.push(maxRows);
  return sizes;
}

export async function warmUp(options: {
  apis: Iterable<ApiRuntime>;
  runner: BatchRunner;
  policy: BatchPolicy;
  workers: number;
  clock: SchedulerClock;
  log: Logger;
}): Promise<void> {
  const { runner, policy, workers, clock, log } = options;
  for (const api of options.apis) {
    const { loaded, queue, batchDim } = api;
    const batched = loaded.signature.batchable;
    const timings: Record<string, number> = {};
    try {
      for (const rows of warmupSizes(queue.maxBatchRows, queue.batching)) {
        const sizeStarted = clock.now();
        for (let round = 0; round < MAX_ROUNDS; round++) {
          if (round >= MIN_ROUNDS && clock.now() - sizeStarted > BUDGET_MS) break;
          // One batch per worker at once, as under load, so each worker's session is warm too.
          await Promise.all(
            Array.from({ length: workers }, async () => {
              const inputs: TensorMap = {};
              for (const spec of loaded.api.input) inputs[spec.name] = zeros(spec, batchDim, rows, batched);
              // The same measure the scheduler learns from traffic: what the batch cost the worker.
              const { serviceMs, transitMs } = await runner.run(loaded.model.tag, inputs);
              if (round > 0) policy.observe(queue.name, rows, 1, serviceMs, 0, transitMs);
            }),
          );
        }
        timings[String(rows)] = Number(policy.predict(queue.name, rows).toFixed(3));
        // Bigger batches than the latency bound allows will never be formed; stop measuring.
        if (policy.predict(queue.name, rows) > queue.maxLatencyMs) break;
      }
      log.info('warmed up', {
        api: queue.name,
        predicted_batch_ms: timings,
        batching: queue.batching,
        max_batch_rows: queue.maxBatchRows,
        max_latency_ms: queue.maxLatencyMs,
      });
      if (policy.predict(queue.name, 1) > queue.maxLatencyMs) {
        log.warn(
          'one request takes longer than the latency bound: every request will be refused with 503; raise max_latency_ms',
          {
            api: queue.name,
            predicted_ms: policy.predict(queue.name, 1),
            max_latency_ms: queue.maxLatencyMs,
          },
        );
      }
    } catch (err) {
      log.warn('warm-up failed; batch times will be learned from traffic', {
        api: queue.name,
        error: (err as Error).message,
      });
    }
  }
}
