/**
 * Warm-up: runs batches of growing size (1, 2, 4, ... up to the max batch) on every worker before
 * the runtime reports ready. The first round of each size is discarded (allocation, first-run graph
 * work); the rest seed the batch-time predictor, so the very first requests are already scheduled on
 * measured times instead of a guess. The inputs are the API's warm-up sample when the bento has one,
 * else zeros (warmup-inputs.ts); when warm-up cannot run, one warn line says why and serving goes on.
 */
import type { BatchPolicy, SchedulerClock } from './batching/types.js';
import { type ApiRuntime, type BatchRunner, inputWork } from './inference.js';
import type { Logger } from './log.js';
import { firstLine, warmupInputs } from './warmup-inputs.js';

/** Rounds per size: at least MIN (the first discarded), more while the size costs under BUDGET_MS. */
const MIN_ROUNDS = 4;
const MAX_ROUNDS = 32;
const BUDGET_MS = 100;
/** Input bytes one warm-up round may hold across the workers; an element counts as its largest dtype. */
const WARMUP_BYTES = 256 * 1024 * 1024;
const MAX_ELEMENT_BYTES = 8;

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
    const { loaded, queue } = api;
    const source = await warmupInputs(api);
    if ('skip' in source) {
      log.warn(source.skip, { api: queue.name });
      continue;
    }
    const timings: Record<string, number> = {};
    try {
      // An API that does not batch runs the sample alone, with however many rows it has.
      // Batch sizes whose inputs (on every worker at once) stay within WARMUP_BYTES: a bento that
      // asks for a large sample and a large max batch must not take the host's memory at start-up.
      const rowBytes = (inputWork(source.batch(source.rows)) * MAX_ELEMENT_BYTES) / source.rows;
      const sizes = (queue.batching ? warmupSizes(queue.maxBatchRows, true) : [source.rows]).filter(
        (rows, i) => i === 0 || rows * rowBytes * workers <= WARMUP_BYTES,
      );
      for (const rows of sizes) {
        const sizeStarted = clock.now();
        let work = rows;
        for (let round = 0; round < MAX_ROUNDS; round++) {
          if (round >= MIN_ROUNDS && clock.now() - sizeStarted > BUDGET_MS) break;
          // One batch per worker at once, as under load, so each worker's session is warm too.
          await Promise.all(
            Array.from({ length: workers }, async () => {
              const inputs = source.batch(rows);
              // The same measure the scheduler learns from traffic: what the batch cost the worker.
              work = inputWork(inputs);
              const { serviceMs, transitMs } = await runner.run(loaded.model.tag, inputs);
              if (round > 0)
                policy.observe(queue.name, {
                  rows,
                  work,
                  requests: 1,
                  durationMs: serviceMs,
                  waitMs: 0,
                  ...(transitMs !== undefined ? { transitMs } : {}),
                });
            }),
          );
        }
        const predicted = policy.predict(queue.name, rows, work);
        timings[String(rows)] = Number(predicted.toFixed(3));
        // Bigger batches than the latency bound allows will never be formed; stop measuring.
        if (predicted > queue.maxLatencyMs) break;
      }
      log.info('warmed up', {
        api: queue.name,
        predicted_batch_ms: timings,
        batching: queue.batching,
        max_batch_rows: queue.maxBatchRows,
        max_latency_ms: queue.maxLatencyMs,
      });
      const oneRequest = policy.predict(queue.name, source.rows, inputWork(source.batch(source.rows)));
      if (oneRequest > queue.maxLatencyMs) {
        log.warn(
          'one request takes longer than the latency bound: every request will be refused with 503; raise max_latency_ms',
          {
            api: queue.name,
            predicted_ms: oneRequest,
            max_latency_ms: queue.maxLatencyMs,
          },
        );
      }
    } catch (err) {
      log.warn(source.failure(firstLine(err)), { api: queue.name });
    }
  }
}
