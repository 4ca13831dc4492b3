/**
 * Warm-up holds a bounded amount of memory: a bento whose sample is large and whose max batch is
 * large warms up on the batch sizes that fit, not on thousands of copies of its sample.
 */
import { describe, expect, it } from 'vitest';
import { AdaptivePolicy } from '../../../runtime/batching/adaptive-policy.js';
import { systemClock } from '../../../runtime/batching/types.js';
import type { ApiRuntime } from '../../../runtime/inference.js';
import { createLogger } from '../../../runtime/log.js';
import { warmUp } from '../../../runtime/warmup.js';

describe('warm-up memory', () => {
  it('skips the batch sizes whose inputs would pass its memory bound', async () => {
    const side = 1024; // one row: 3 x 1024 x 1024 float32 elements, 12 MiB (24 MiB counted at 8 bytes)
    const image = { name: 'image', dtype: 'float32', shape: [-1, 3, side, side] };
    const api = {
      loaded: {
        api: {
          name: 'detect',
          input: [image],
          warmup: { shapes: { image: [1, 3, side, side] }, fill: 0.5 },
        },
        model: { tag: 'm:1' },
        signature: { batchable: true, batch_dim: 0 },
      },
      queue: { name: 'detect', maxBatchRows: 4096, maxLatencyMs: 600_000, batching: true, maxQueueRows: 1e6 },
      layout: { inputs: [{ name: 'image', spec: image, axis: 0 }], outputs: [], padded: false },
    } as unknown as ApiRuntime;
    const rowsRun: number[] = [];
    await warmUp({
      apis: [api],
      runner: {
        run: async (_model, inputs) => {
          rowsRun.push(inputs['image']!.shape[0]!);
          return { outputs: {}, runMs: 1, serviceMs: 1, transitMs: 0 };
        },
      },
      policy: new AdaptivePolicy(),
      workers: 1,
      clock: systemClock,
      log: createLogger('error'),
    });
    // 24 MiB a row: 256 MiB holds 10 rows, so sizes 1, 2, 4 and 8 and nothing larger.
    expect(Math.max(...rowsRun)).toBe(8);
    expect(new Set(rowsRun)).toEqual(new Set([1, 2, 4, 8]));
  });
});
