/**
 * The padding bound: one long request among many short ones does not pad them all to its length. A
 * batch's padded positions stay within twice what its requests need alone and its padded inputs
 * within --max-padded-batch-bytes (a single request larger than that still runs, alone); lengths
 * within 2x of each other still batch whole; every answer equals the request run alone. Batches run
 * in-process on a real ONNX Runtime session of the example sequence model, and what each batch
 * allocated is read from the tensors the model received (the mask the runtime fills marks the real
 * positions).
 */
import ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { sequenceModel } from '../../../examples/sequence-models.js';
import { PaddedBatch } from '../../../runtime/batching/padding-bound.js';
import { type BatchJob, systemClock } from '../../../runtime/batching/types.js';
import { Inference, type InferenceOptions } from '../../../runtime/inference.js';
import { createLogger } from '../../../runtime/log.js';
import { type LoadedApi, loadService } from '../../../runtime/service/load.js';
import type { BatchingConfig } from '../../../src/build/bentofile-schema.js';
import type { Tensor, TensorMap } from '../../../src/shared/service.js';
import { tempHome, writeBento } from '../../support/bento-fixture.js';

const PADDING: NonNullable<BatchingConfig['padding']> = {
  inputs: { input_ids: { axis: 1, value: 0 } },
  mask: 'attention_mask',
  outputs: { token_scores: 1 },
};
/** input_ids and attention_mask, int64 each: bytes per row and position of the padded inputs. */
const POSITION_BYTES = 16;

/** What one batch handed to the model: its padded shape and the positions its mask marks as real. */
interface SeenBatch {
  rows: number;
  length: number;
  real: number;
  bytes: number;
}

type Answer = { logits: Float32Array; token_scores: Float32Array; shape: number[] };

let session: ort.InferenceSession;
let loaded: LoadedApi;
let bucketed: LoadedApi;

beforeAll(async () => {
  const home = await tempHome();
  const bento = await writeBento(home, {
    models: [{ name: 'seq', onnx: sequenceModel() }],
    apis: [
      {
        name: 'embed',
        model: 'seq',
        batching: { max_batch_size: 64, max_latency_ms: 60_000 },
        bentofile: { padding: PADDING },
      },
      {
        name: 'bucketed',
        model: 'seq',
        batching: { max_batch_size: 64, max_latency_ms: 60_000 },
        bentofile: { padding: { ...PADDING, buckets: [16, 32, 64, 128] } },
      },
    ],
  });
  const service = await loadService(bento.dir);
  loaded = service.apis.find((a) => a.api.name === 'embed')!;
  bucketed = service.apis.find((a) => a.api.name === 'bucketed')!;
  session = await ort.InferenceSession.create(loaded.model.onnxPath);
}, 60_000);

const toOrt = (t: Tensor) => new ort.Tensor(t.dtype as 'int64', t.data as BigInt64Array, t.shape);

async function runOrt(inputs: TensorMap): Promise<TensorMap> {
  const feeds = Object.fromEntries(Object.entries(inputs).map(([name, t]) => [name, toOrt(t)]));
  const results = await session.run(feeds);
  return Object.fromEntries(
    Object.entries(results).map(([name, t]) => [
      name,
      { dtype: 'float32', shape: [...t.dims], data: t.data as Float32Array } satisfies Tensor,
    ]),
  );
}

/** An Inference on one in-process ORT session, recording every batch the model received. */
function inference(
  api: LoadedApi,
  config: Partial<InferenceOptions['config']> = {},
): { inference: Inference; seen: SeenBatch[] } {
  const seen: SeenBatch[] = [];
  const inference = new Inference({
    apis: [api],
    config: { maxRequestBytes: 32 * 1024 * 1024, ...config },
    workers: 1,
    runner: {
      async run(_model, inputs) {
        const [rows, length] = inputs['input_ids']!.shape as [number, number];
        const mask = inputs['attention_mask']!.data as BigInt64Array;
        const bytes = (inputs['input_ids']!.data as BigInt64Array).byteLength + mask.byteLength;
        seen.push({ rows, length, real: mask.reduce((n, v) => n + Number(v), 0), bytes });
        return { outputs: await runOrt(inputs), runMs: 1, serviceMs: 1, transitMs: 0 };
      },
    },
    metrics: { request() {}, batch() {}, reject() {}, missedDeadline() {} },
    log: createLogger('error', () => {}),
    clock: systemClock,
  });
  return { inference, seen };
}

/** One row of `length` token ids, deterministic. */
function request(seed: number, length: number): TensorMap {
  const data = BigInt64Array.from({ length }, (_, k) => BigInt((seed * 31 + k * 13) % 1000));
  return { input_ids: { dtype: 'int64', shape: [1, length], data } };
}

/**
 * Submits every request in one turn, then drains: every batch goes out at once, cut by the
 * scheduler's own rule (the policy's timing aside), in the order it would send them.
 */
async function submitAll(inf: Inference, api: string, requests: TensorMap[]): Promise<Answer[]> {
  const jobs = requests.map((inputs) => inf.submit(api, { ...inputs }, systemClock.now()));
  await inf.scheduler.drain();
  return Promise.all(
    jobs.map(async (job) => {
      const { outputs } = await job.result;
      return {
        logits: outputs['logits']!.data as Float32Array,
        token_scores: outputs['token_scores']!.data as Float32Array,
        shape: outputs['token_scores']!.shape,
      };
    }),
  );
}

/** The request run alone through ORT, with a mask of ones. */
async function alone(inputs: TensorMap): Promise<Answer> {
  const ids = inputs['input_ids']!;
  const mask = {
    dtype: 'int64',
    shape: ids.shape,
    data: new BigInt64Array(ids.data.length).fill(1n),
  } as Tensor;
  const out = await runOrt({ input_ids: ids, attention_mask: mask });
  return {
    logits: out['logits']!.data as Float32Array,
    token_scores: out['token_scores']!.data as Float32Array,
    shape: out['token_scores']!.shape,
  };
}

/** numpy's allclose at float32 precision: the places where `got` is not close to `want`. */
function notClose(got: Float32Array, want: Float32Array): number[] {
  expect(got.length).toBe(want.length);
  return [...got].flatMap((g, i) => (Math.abs(g - want[i]!) <= 1e-5 + 1e-5 * Math.abs(want[i]!) ? [] : [i]));
}

async function expectAnswersAlone(requests: TensorMap[], answers: Answer[]): Promise<void> {
  for (let i = 0; i < requests.length; i++) {
    const want = await alone(requests[i]!);
    expect(answers[i]!.shape).toEqual(want.shape);
    // Per position: exactly the same; pooled over the padded axis: up to float rounding.
    expect([...answers[i]!.token_scores]).toEqual([...want.token_scores]);
    expect(notClose(answers[i]!.logits, want.logits)).toEqual([]);
  }
}

const LONG = 4000;
/** One request of LONG tokens among 63 of 8-16 tokens (within 2x of each other). */
const hostileMix = (longAt: number) =>
  Array.from({ length: 64 }, (_, i) => request(i, i === longAt ? LONG : 8 + (i % 9)));

describe('one long request among 63 short ones', () => {
  it.each([0, 31])('pads no batch past twice its real positions (the long one at %i)', async (longAt) => {
    const requests = hostileMix(longAt);
    const { inference: inf, seen } = inference(loaded);
    const answers = await submitAll(inf, 'embed', requests);
    expect(seen.reduce((n, b) => n + b.rows, 0)).toBe(64);
    for (const batch of seen) expect(batch.rows * batch.length).toBeLessThanOrEqual(2 * batch.real);
    // The long request takes at most one short one along; the short ones batch together.
    const long = seen.find((b) => b.length === LONG)!;
    expect(long.rows).toBeLessThanOrEqual(2);
    expect(seen.length).toBeLessThanOrEqual(3);
    expect(Math.max(...seen.map((b) => b.bytes))).toBeLessThanOrEqual(2 * LONG * POSITION_BYTES);
    await expectAnswersAlone(requests, answers);
  });

  it("under the policy's own timing too: every request answered, no batch past the bound", async () => {
    const { inference: inf, seen } = inference(loaded);
    const requests = [...hostileMix(5), ...hostileMix(40)];
    const jobs = requests.map((inputs) => inf.submit('embed', inputs, systemClock.now()));
    await Promise.all(jobs.map((j) => j.result));
    expect(seen.reduce((n, b) => n + b.rows, 0)).toBe(128);
    for (const batch of seen) expect(batch.rows * batch.length).toBeLessThanOrEqual(2 * batch.real);
  });

  it('without the bound (the baseline), pads all 64 to the long one', async () => {
    const { inference: inf, seen } = inference(loaded, {
      maxPaddedBatchBytes: 2 ** 48,
      maxPaddingRatio: Number.POSITIVE_INFINITY,
    });
    await submitAll(inf, 'embed', hostileMix(0));
    expect(seen).toHaveLength(1);
    expect(seen[0]!.bytes).toBe(64 * LONG * POSITION_BYTES);
  });
});

describe('requests whose lengths are within 2x of each other', () => {
  it('batch whole, as before the bound', async () => {
    const lengths = Array.from({ length: 64 }, (_, i) => 50 + ((i * 37) % 51));
    const requests = lengths.map((n, i) => request(i, n));
    const { inference: inf, seen } = inference(loaded);
    const answers = await submitAll(inf, 'embed', requests);
    expect(seen.map((b) => b.rows)).toEqual([64]);
    expect(seen[0]!.length).toBe(Math.max(...lengths));
    expect(Math.min(...lengths)).toBe(50);
    await expectAnswersAlone(requests, answers);
  });

  it('with buckets, count against their own bucket: lengths 1-16 pad to 16 in one batch', async () => {
    const requests = Array.from({ length: 32 }, (_, i) => request(i, 1 + (i % 16)));
    const { inference: inf, seen } = inference(bucketed);
    await submitAll(inf, 'bucketed', requests);
    expect(seen.map((b) => [b.rows, b.length])).toEqual([[32, 16]]);
  });
});

describe('--max-padding-ratio', () => {
  it('lets a batch pad more: at 4, 8 requests of 100 tokens and 24 of 10 batch whole; at 2 they do not', async () => {
    // Padded to 100: 3200 positions for the 1040 sent, about 3x.
    const requests = Array.from({ length: 32 }, (_, i) => request(i, i % 4 ? 10 : 100));
    const wide = inference(loaded, { maxPaddingRatio: 4 });
    await submitAll(wide.inference, 'embed', requests);
    expect(wide.seen.map((b) => b.rows)).toEqual([32]);
    const narrow = inference(loaded);
    await submitAll(narrow.inference, 'embed', requests);
    expect(narrow.seen.length).toBeGreaterThan(1);
    for (const batch of narrow.seen) expect(batch.rows * batch.length).toBeLessThanOrEqual(2 * batch.real);
  });
});

describe('the byte cap of a padded batch', () => {
  it('splits batches at --max-padded-batch-bytes and runs a larger request alone', async () => {
    const cap = 16 * 100 * POSITION_BYTES;
    const requests = [request(99, 2000), ...Array.from({ length: 48 }, (_, i) => request(i, 100))];
    const { inference: inf, seen } = inference(loaded, { maxPaddedBatchBytes: cap });
    const answers = await submitAll(inf, 'embed', requests);
    expect(seen.map((b) => [b.rows, b.length])).toEqual([
      [1, 2000],
      [16, 100],
      [16, 100],
      [16, 100],
    ]);
    for (const batch of seen) if (batch.rows > 1) expect(batch.bytes).toBeLessThanOrEqual(cap);
    await expectAnswersAlone(requests.slice(0, 3), answers.slice(0, 3));
  });

  it('defaults to 8 x the request body limit', () => {
    const { inference: inf } = inference(loaded, { maxRequestBytes: 1000 });
    expect(inf.api('embed').queue.padding?.maxBytes).toBe(8000);
  });
});

describe('the mask the runtime fills', () => {
  it('is filled when batching is off too, from the rows and length measured once', async () => {
    const { inference: inf, seen } = inference(loaded, { batching: false });
    const requests = [request(1, 7), request(2, 3)];
    const answers = await submitAll(inf, 'embed', requests);
    expect(seen.map((b) => [b.rows, b.length, b.real])).toEqual([
      [1, 7, 7],
      [1, 3, 3],
    ]);
    await expectAnswersAlone(requests, answers);
  });

  it('is refused when sent with other rows than the ids', () => {
    const { inference: inf } = inference(loaded);
    const inputs = request(1, 4);
    inputs['attention_mask'] = { dtype: 'int64', shape: [2, 4], data: new BigInt64Array(8).fill(1n) };
    expect(() => inf.submit('embed', inputs, systemClock.now())).toThrow(
      /"attention_mask": 2 rows along its batch axis 0, but "input_ids" has 1/,
    );
  });
});

describe('PaddedBatch', () => {
  const bound = { ratio: 2, maxBytes: 1000, padTo: (n: number) => n };
  const job = (length: number, rows = 1): BatchJob => ({
    api: 'a',
    key: '',
    rows,
    length,
    positionBytes: 1,
    arrival: 0,
    deadline: 1,
    state: 'queued',
  });

  it('takes any first request, then only what keeps the batch within the ratio and the bytes', () => {
    const batch = new PaddedBatch(bound);
    expect(batch.add(job(5000))).toBe(true);
    expect(batch.add(job(10))).toBe(false);
    const short = new PaddedBatch(bound);
    expect([10, 20, 11, 5, 300].map((n) => short.add(job(n)))).toEqual([true, true, true, true, false]);
    expect(short.paddedBytes).toBe(4 * 20);
    const rows = new PaddedBatch(bound);
    expect([job(100, 4), job(100, 6), job(100, 1)].map((j) => rows.add(j))).toEqual([true, true, false]);
  });
});
