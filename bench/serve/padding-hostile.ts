/**
 * The hostile mix of `npm run bench:padding`: rounds of one long request among 63 short ones, sent at
 * once, so that without a bound the whole batch is padded to the long one. Measured two ways:
 *   - in this process, on one ONNX Runtime session, through the runtime's own Inference with its
 *     padding bound (as served) and without it (ratio and byte cap infinite: the behaviour before the
 *     bound), reading what every batch handed the model: its padded inputs' bytes, and the positions
 *     its mask marks as real;
 *   - optionally (--before-server), as two servers' peak resident memory over the same rounds: a
 *     runtime built before the bound against this one.
 */
import { writeFile } from 'node:fs/promises';
import ort from 'onnxruntime-node';
import { systemClock } from '../../runtime/batching/types.js';
import { Inference } from '../../runtime/inference.js';
import { createLogger } from '../../runtime/log.js';
import { loadService } from '../../runtime/service/load.js';
import type { Tensor, TensorMap } from '../../src/shared/service.js';
import { residentKb } from './processes.js';
import { startVariant } from './variants.js';

export const LONG = 8192;
const REQUESTS = 64;

export interface HostileFigures {
  /** The largest batch's padded inputs (input_ids and attention_mask), bytes. */
  peakBytes: number;
  /** Positions handed to the model over positions the requests sent, all batches. */
  paddedOverReal: number;
  batches: number;
  /** Wall time of all rounds. */
  ms: number;
}

/** `rounds` rounds of token counts: one LONG at a random place among 63 of 1-128 (fixed seed). */
export function hostileRounds(rounds: number): number[][] {
  let seed = 777;
  const next = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed;
  };
  return Array.from({ length: rounds }, () => {
    const longAt = next() % REQUESTS;
    return Array.from({ length: REQUESTS }, (_, i) => (i === longAt ? LONG : 1 + (next() % 128)));
  });
}

function ids(length: number, vocab: number, salt: number): BigInt64Array {
  return BigInt64Array.from({ length }, (_, k) => BigInt((salt * 31 + k * 13) % vocab));
}

/** The rounds through the runtime's Inference on one in-process ORT session, bounded or not. */
export async function hostileInProcess(
  bentoDir: string,
  rounds: number[][],
  vocab: number,
  bounded: boolean,
): Promise<HostileFigures> {
  const [loaded] = (await loadService(bentoDir)).apis;
  const session = await ort.InferenceSession.create(loaded!.model.onnxPath);
  let peakBytes = 0;
  let padded = 0;
  let real = 0;
  let batches = 0;
  const inference = new Inference({
    apis: [loaded!],
    // A bound no batch here misses, so nothing is refused and both variants run every request.
    config: {
      maxLatencyMs: 600_000,
      ...(bounded ? {} : { maxPaddedBatchBytes: 2 ** 48, maxPaddingRatio: Number.POSITIVE_INFINITY }),
    },
    workers: 1,
    runner: {
      async run(_model, inputs) {
        const mask = inputs['attention_mask']!.data as BigInt64Array;
        const bytes = (inputs['input_ids']!.data as BigInt64Array).byteLength + mask.byteLength;
        peakBytes = Math.max(peakBytes, bytes);
        padded += mask.length;
        for (const v of mask) real += Number(v);
        batches++;
        const feeds: Record<string, ort.Tensor> = {};
        for (const [name, t] of Object.entries(inputs))
          feeds[name] = new ort.Tensor('int64', t.data as BigInt64Array, t.shape);
        const results = await session.run(feeds);
        const outputs: TensorMap = {};
        for (const [name, t] of Object.entries(results))
          outputs[name] = {
            dtype: 'float32',
            shape: [...t.dims],
            data: t.data as Float32Array,
          } satisfies Tensor;
        return { outputs, runMs: 0, serviceMs: 0, transitMs: 0 };
      },
    },
    metrics: { request() {}, batch() {}, reject() {}, missedDeadline() {} },
    log: createLogger('error', () => {}),
    clock: systemClock,
  });
  const started = performance.now();
  for (const [r, lengths] of rounds.entries()) {
    const jobs = lengths.map((n, i) =>
      inference.submit(
        'embed',
        { input_ids: { dtype: 'int64', shape: [1, n], data: ids(n, vocab, r * REQUESTS + i) } },
        systemClock.now(),
      ),
    );
    await Promise.all(jobs.map((j) => j.result));
  }
  const ms = performance.now() - started;
  await session.release();
  return { peakBytes, paddedOverReal: padded / real, batches, ms };
}

export interface ServerMemory {
  /** Resident memory before the rounds and its peak during them, bytes. */
  before: number;
  peak: number;
  failed: number;
}

/** The rounds as JSON bodies against a served runtime (`server`): its peak resident memory. */
export async function hostileServer(
  server: string,
  dir: string,
  onnx: string,
  rounds: number[][],
  vocab: number,
): Promise<ServerMemory> {
  const proc = await startVariant('A', dir, onnx, { server, boundMs: 600_000, maxBatch: REQUESTS });
  try {
    const pid = proc.child.pid!;
    // Reset the peak to what is resident now (Linux: 5 > clear_refs), after start-up and warm-up.
    await writeFile(`/proc/${pid}/clear_refs`, '5');
    const before = await residentKb(pid, 'VmRSS');
    let failed = 0;
    for (const [r, lengths] of rounds.entries()) {
      const answers = await Promise.all(
        lengths.map(async (n, i) => {
          const body = JSON.stringify({ input_ids: [Array.from(ids(n, vocab, r * REQUESTS + i), Number)] });
          const res = await fetch(`${proc.url}/embed`, {
            method: 'POST',
            body,
            headers: { 'content-type': 'application/json' },
          });
          await res.arrayBuffer();
          return res.status;
        }),
      );
      failed += answers.filter((s) => s !== 200).length;
    }
    return { before: before * 1024, peak: (await residentKb(pid, 'VmHWM')) * 1024, failed };
  } finally {
    await proc.stop();
  }
}
