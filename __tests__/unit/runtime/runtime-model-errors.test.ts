/**
 * Failures inside the model: a request the model refuses (a conv smaller than its kernel, a reshape
 * of an indivisible size, two inputs whose rows differ, a gather index out of range) answers 400 in
 * one clean line; a failure of the runtime answers 500 in a short one; and ONNX Runtime's own log
 * never reaches stderr raw. Each pattern of the classifier is read from a real ORT run here.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import onnxProto from 'onnx-proto';
import ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convModel } from '../../../examples/models.js';
import { systemClock } from '../../../runtime/batching/types.js';
import { HttpError } from '../../../runtime/errors.js';
import { Inference } from '../../../runtime/inference.js';
import { createLogger } from '../../../runtime/log.js';
import type { LoadedApi } from '../../../runtime/service/load.js';
import { classifyRunError, cleanLine } from '../../../runtime/workers/ort-errors.js';
import { WorkerPool } from '../../../runtime/workers/pool.js';
import type { StoredBento } from '../../../src/core/bento-store.js';
import { post, type ServerProcess, startServer, tempHome, writeBento } from '../../support/bento-fixture.js';
import { encode, valueInfo } from '../../support/onnx-fixture.js';

const { onnx } = onnxProto;
const T = onnx.TensorProto.DataType;

/** `x` float32 [n] -> [n/3, 3]: n must divide by 3. */
const reshapeModel = () =>
  encode({
    name: 'triples',
    node: [onnx.NodeProto.create({ opType: 'Reshape', input: ['x', 'to'], output: ['y'] })],
    initializer: [onnx.TensorProto.create({ name: 'to', dims: [2], dataType: T.INT64, int64Data: [-1, 3] })],
    input: [valueInfo('x', T.FLOAT, ['n'])],
    output: [valueInfo('y', T.FLOAT, ['m', 3])],
  });

/** `a` [4, n] + `b` [4, m]: n and m must be equal (not batchable: the dynamic dim is not first). */
const pairModel = () =>
  encode({
    name: 'pair',
    node: [onnx.NodeProto.create({ opType: 'Add', input: ['a', 'b'], output: ['sum'] })],
    input: [valueInfo('a', T.FLOAT, [4, 'n']), valueInfo('b', T.FLOAT, [4, 'm'])],
    output: [valueInfo('sum', T.FLOAT, [4, 'k'])],
  });

/** Rows of a 3x2 table by index: an index outside [-3, 2] is out of range. */
const lookupModel = () =>
  encode({
    name: 'lookup',
    node: [onnx.NodeProto.create({ opType: 'Gather', input: ['table', 'ids'], output: ['rows'] })],
    initializer: [
      onnx.TensorProto.create({
        name: 'table',
        dims: [3, 2],
        dataType: T.FLOAT,
        floatData: [1, 2, 3, 4, 5, 6],
      }),
    ],
    input: [valueInfo('ids', T.INT64, ['n'])],
    output: [valueInfo('rows', T.FLOAT, ['n', 2])],
  });

/** A [n, 3] input, to hit ORT's own checks of the feeds (dims, rank, dtype). */
const fixedModel = () =>
  encode({
    name: 'fixed',
    node: [onnx.NodeProto.create({ opType: 'Relu', input: ['x'], output: ['y'] })],
    input: [valueInfo('x', T.FLOAT, ['n', 3])],
    output: [valueInfo('y', T.FLOAT, ['n', 3])],
  });

/** A zero-filled tensor at a shape: the values do not matter to these failures. */
const zeros = (dims: number[]) =>
  new ort.Tensor('float32', new Float32Array(dims.reduce((a, b) => a * b, 1)), dims);

/** ORT's message for a run, as the worker sees it. */
async function ortMessage(model: Uint8Array, feeds: Record<string, ort.Tensor>): Promise<string> {
  const session = await ort.InferenceSession.create(model, { logSeverityLevel: 4 });
  try {
    await session.run(feeds);
  } catch (err) {
    return (err as Error).message;
  } finally {
    await session.release();
  }
  throw new Error('the run was expected to fail');
}

/** One clean line: no ORT source path, no newline. */
function expectClean(message: string): void {
  expect(message).not.toMatch(/onnxruntime_src|\n|Non-zero status code/);
  expect(message.length).toBeLessThan(400);
}

describe('ORT failures, classified from real runs', () => {
  it('a dim the graph fixes is named with the input, the dim, what the model expects and what came', async () => {
    const raw = await ortMessage(fixedModel(), { x: zeros([2, 4]) });
    expect(raw).toContain('Got invalid dimensions for input: x');
    expect(classifyRunError(raw)).toEqual({
      status: 400,
      message: 'input "x": the model expects dim 1 to be 3, got 4',
    });
  });

  it('a rank the graph fixes', async () => {
    const failure = classifyRunError(await ortMessage(fixedModel(), { x: zeros([2, 3, 1]) }));
    expect(failure).toEqual({ status: 400, message: 'input "x": the model expects rank 2, got rank 3' });
  });

  it('a dtype the graph does not take', async () => {
    const raw = await ortMessage(fixedModel(), { x: new ort.Tensor('int32', new Int32Array(6), [2, 3]) });
    expect(classifyRunError(raw)).toEqual({
      status: 400,
      message: 'an input has dtype int32 where the model expects float',
    });
  });

  it('a conv smaller than its kernel', async () => {
    const failure = classifyRunError(await ortMessage(convModel(), { input: zeros([1, 3, 2, 2]) }));
    expect(failure.status).toBe(400);
    expect(failure.message).toMatch(
      /^the model's Conv node .*rejected the request: Invalid input shape: \{2,2\}$/,
    );
  });

  it('a reshape of an indivisible size, without the source path and failed condition', async () => {
    const raw = await ortMessage(reshapeModel(), { x: zeros([4]) });
    expect(raw).toContain('/onnxruntime_src/');
    const failure = classifyRunError(raw);
    expect(failure).toEqual({
      status: 400,
      message:
        "the model's Reshape node rejected the request: The input tensor cannot be reshaped to the requested shape. Input shape:{4}, requested shape:{-1,3}",
    });
  });

  it('two inputs whose sizes do not broadcast', async () => {
    const failure = classifyRunError(await ortMessage(pairModel(), { a: zeros([4, 2]), b: zeros([4, 3]) }));
    expect(failure).toEqual({
      status: 400,
      message:
        "the model's Add node rejected the request: Attempting to broadcast an axis by a dimension other than 1. 2 by 3",
    });
  });

  it('an index out of range', async () => {
    const ids = new ort.Tensor('int64', new BigInt64Array([0n, 7n]), [2]);
    const failure = classifyRunError(await ortMessage(lookupModel(), { ids }));
    expect(failure).toEqual({
      status: 400,
      message:
        "the model's Gather node rejected the request: indices element out of data bounds, idx=7 must be within the inclusive range [-3,2]",
    });
  });

  it('a failure of the runtime (an allocation ORT cannot make) is 500, in one short line', async () => {
    const model = encode({
      name: 'huge',
      node: [onnx.NodeProto.create({ opType: 'ConstantOfShape', input: ['shape'], output: ['y'] })],
      input: [valueInfo('shape', T.INT64, [3])],
      output: [valueInfo('y', T.FLOAT, ['a', 'b', 'c'])],
    });
    const shape = new ort.Tensor('int64', new BigInt64Array([100000n, 100000n, 100000n]), [3]);
    const failure = classifyRunError(await ortMessage(model, { shape }));
    expect(failure).toEqual({
      status: 500,
      message:
        "the model's ConstantOfShape node failed: Failed to allocate memory for requested buffer of size 4000000000000000",
    });
  });

  it('an unknown message is 500, cleaned to one line', () => {
    const failure = classifyRunError('something\nbroke at /onnxruntime_src/a/b.cc:12 here');
    expect(failure).toEqual({ status: 500, message: 'something broke at here' });
    expect(cleanLine('x'.repeat(1000)).length).toBe(300);
  });
});

describe('a worker that dies during a run', () => {
  it('answers 500 with a short message naming the worker', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bentoci-dying-worker-'));
    const workerFile = join(dir, 'worker.mjs');
    // A worker that loads nothing and exits on its first run, as a crash in native code would.
    await writeFile(
      workerFile,
      `import { parentPort } from 'node:worker_threads';
parentPort.postMessage({ type: 'ready', models: {} });
parentPort.on('message', () => process.exit(7));`,
    );
    const log = createLogger('error', () => {});
    const pool = await WorkerPool.start({
      workerUrl: pathToFileURL(workerFile),
      count: 1,
      init: { models: [], provider: 'cpu', threads: 1, spinning: false, ortLogLevel: 'fatal' },
      log,
    });
    const loaded = {
      api: {
        name: 'predict',
        route: '/predict',
        model: 'm:1',
        method: 'run',
        batching: { enabled: false, max_batch_size: 1, max_latency_ms: 5000 },
        input: [{ name: 'x', dtype: 'float32', shape: [1] }],
        output: [],
      },
      model: { tag: 'm:1' },
      signature: { batchable: false, batch_dim: 0, inputs: [], outputs: [] },
    } as unknown as LoadedApi;
    const inference = new Inference({
      apis: [loaded],
      config: { batching: false },
      workers: 1,
      runner: pool,
      metrics: { request() {}, batch() {}, reject() {}, missedDeadline() {} },
      log,
      clock: systemClock,
    });
    try {
      const job = inference.submit(
        'predict',
        { x: { dtype: 'float32', shape: [1], data: new Float32Array(1) } },
        systemClock.now(),
      );
      const err = await job.result.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(HttpError);
      expect((err as HttpError).status).toBe(500);
      expect((err as HttpError).message).toBe(
        'inference failed: inference worker 0 exited with code 7 during the run; it is restarted',
      );
    } finally {
      await pool.close();
    }
  });
});

describe('the runtime answering requests the model refuses', () => {
  let home: string;
  let bento: StoredBento;
  let server: ServerProcess;

  beforeAll(async () => {
    home = await tempHome();
    bento = await writeBento(home, {
      models: [
        { name: 'conv', onnx: convModel() },
        { name: 'triples', onnx: reshapeModel() },
        { name: 'pair', onnx: pairModel() },
        { name: 'lookup', onnx: lookupModel() },
      ],
      apis: [
        { name: 'conv', model: 'conv' },
        { name: 'triples', model: 'triples' },
        { name: 'pair', model: 'pair' },
        { name: 'lookup', model: 'lookup' },
      ],
    });
    // The conv warm-up with zero-filled 1x1 inputs fails inside ORT too: its log must stay quiet.
    server = await startServer(bento.dir, ['--workers', '1', '--threads', '1', '--max-latency-ms', '10000']);
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
  });

  const bad = async (api: string, body: unknown) => {
    const res = await post(`${server.url}/${api}`, body);
    expect(res.status, res.text).toBe(400);
    const error = (res.json as { error: string }).error;
    expectClean(error);
    return error;
  };

  it('a conv smaller than its kernel: 400 naming the node, the reason and what came', async () => {
    const image = [
      [
        [0, 0],
        [0, 0],
      ],
      [
        [0, 0],
        [0, 0],
      ],
      [
        [0, 0],
        [0, 0],
      ],
    ];
    expect(await bad('conv', [image])).toMatch(
      /^the model's Conv node .*rejected the request: Invalid input shape: \{2,2\} \(sent "input" float32 \[1, 3, 2, 2\]\)$/,
    );
    // The same API still serves an image it can take.
    const big = Array.from({ length: 3 }, () => Array.from({ length: 6 }, () => new Array(6).fill(0.5)));
    expect((await post(`${server.url}/conv`, [big])).status).toBe(200);
  });

  it('a reshape of an indivisible size', async () => {
    expect(await bad('triples', [1, 2, 3, 4])).toBe(
      `the model's Reshape node rejected the request: The input tensor cannot be reshaped to the requested shape. Input shape:{4}, requested shape:{-1,3} (sent "x" float32 [4])`,
    );
    const ok = await post(`${server.url}/triples`, [1, 2, 3, 4, 5, 6]);
    expect(ok.json).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
  });

  it('two inputs whose sizes differ', async () => {
    const a = Array.from({ length: 4 }, () => [1, 2]);
    const b = Array.from({ length: 4 }, () => [1, 2, 3]);
    expect(await bad('pair', { a, b })).toBe(
      `the model's Add node rejected the request: Attempting to broadcast an axis by a dimension other than 1. 2 by 3 (sent "a" float32 [4, 2], "b" float32 [4, 3])`,
    );
  });

  it('an index out of range', async () => {
    expect(await bad('lookup', [0, 7])).toMatch(
      /^the model's Gather node rejected the request: indices element out of data bounds, idx=7/,
    );
    expect((await post(`${server.url}/lookup`, [2, 0])).json).toEqual([
      [5, 6],
      [1, 2],
    ]);
  });

  it("keeps ORT's log off stderr, while the failures reach the JSON log", async () => {
    // Give the process a moment to flush whatever ORT might have written.
    await new Promise((r) => setTimeout(r, 200));
    const stderr = server.stderr();
    expect(stderr).not.toContain('\u001b[');
    expect(stderr).not.toMatch(/onnxruntime|\[E:|\[W:/);
    expect(server.logs.some((l) => l.level === 'raw')).toBe(false);
    const failed = server.logs.filter((l) => l.msg === 'batch failed');
    expect(failed.length).toBeGreaterThanOrEqual(4);
    expect(failed.every((l) => l.level === 'info')).toBe(true);
    expect(server.logs.some((l) => l.level === 'warn' && /warm-up/.test(l.msg))).toBe(true);
  });

  it('--ort-log-level is checked like every setting', async () => {
    await expect(startServer(bento.dir, ['--ort-log-level', 'loud'])).rejects.toThrow(
      /invalid --ort-log-level "loud": expected verbose, info, warning, error or fatal/,
    );
  });
});
