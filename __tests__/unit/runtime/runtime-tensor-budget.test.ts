/**
 * The budget of decoded tensors queued or running: many large requests at once with a small budget
 * get some 503s with Retry-After and the rest their correct answers; one larger than the whole
 * budget is served alone; the bytes go back exactly once however a job ends (answered, failed,
 * cancelled by a timeout or a client leaving, shed), so the gauge returns to 0. Batches run
 * in-process on a real ONNX Runtime session of the example iris model; the runner holds each batch
 * until the test lets it go, so what is queued at once is the test's to decide, not the timing's.
 */
import ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BatchPolicy } from '../../../runtime/batching/types.js';
import { systemClock } from '../../../runtime/batching/types.js';
import { HttpError } from '../../../runtime/errors.js';
import { Inference, type InferenceOptions } from '../../../runtime/inference.js';
import { createLogger } from '../../../runtime/log.js';
import { type LoadedApi, loadService } from '../../../runtime/service/load.js';
import { TensorBudget, tensorBytes } from '../../../runtime/tensor-budget.js';
import type { TensorMap } from '../../../src/shared/service.js';
import { post, type ServerProcess, startServer, tempHome, writeBento } from '../../support/bento-fixture.js';
import { irisModel, mlpModel } from '../../support/onnx-fixture.js';

let session: ort.InferenceSession;
let batched: LoadedApi;
let single: LoadedApi;

beforeAll(async () => {
  const home = await tempHome();
  const bento = await writeBento(home, {
    models: [{ name: 'iris', onnx: irisModel() }],
    apis: [
      { name: 'classify', model: 'iris', batching: { max_batch_size: 4096, max_latency_ms: 60_000 } },
      { name: 'alone', model: 'iris', batching: { enabled: false, max_latency_ms: 60_000 } },
    ],
  });
  const service = await loadService(bento.dir);
  batched = service.apis.find((a) => a.api.name === 'classify')!;
  single = service.apis.find((a) => a.api.name === 'alone')!;
  session = await ort.InferenceSession.create(batched.model.onnxPath);
}, 60_000);

async function runOrt(inputs: TensorMap): Promise<TensorMap> {
  const feeds = Object.fromEntries(
    Object.entries(inputs).map(([name, t]) => [
      name,
      new ort.Tensor('float32', t.data as Float32Array, t.shape),
    ]),
  );
  const results = await session.run(feeds);
  return Object.fromEntries(
    Object.entries(results).map(([name, t]) => [
      name,
      { dtype: t.type as 'float32', shape: [...t.dims], data: t.data as Float32Array },
    ]),
  );
}

/** `rows` rows of iris features, deterministic per seed. */
function request(seed: number, rows: number): TensorMap {
  const data = Float32Array.from({ length: rows * 4 }, (_, k) => ((seed * 7 + k * 13) % 80) / 10);
  return { input: { dtype: 'float32', shape: [rows, 4], data } };
}

/** A runner on the real session whose batches wait for `open()`; `fail` makes the next batch throw. */
function gatedRunner() {
  let release!: () => void;
  let gate = new Promise<void>((r) => {
    release = r;
  });
  const state = { batches: 0, fail: false };
  return {
    state,
    open: () => release(),
    close: () => {
      gate = new Promise<void>((r) => {
        release = r;
      });
    },
    runner: {
      async run(_model: string, inputs: TensorMap) {
        state.batches++;
        await gate;
        if (state.fail) throw new Error('the worker died');
        return { outputs: await runOrt(inputs), runMs: 1, serviceMs: 1, transitMs: 0 };
      },
    },
  };
}

function inference(
  api: LoadedApi,
  runner: InferenceOptions['runner'],
  config: Partial<InferenceOptions['config']>,
  extra: { policy?: BatchPolicy; onLimit?: InferenceOptions['onLimit']; rejected?: string[] } = {},
): Inference {
  return new Inference({
    apis: [api],
    config: { maxRequestBytes: 32 * 1024 * 1024, ...config },
    workers: 1,
    runner,
    metrics: {
      request() {},
      batch() {},
      reject: (_api, reason) => extra.rejected?.push(reason),
      missedDeadline() {},
    },
    log: createLogger('error', () => {}),
    clock: systemClock,
    ...(extra.policy ? { policy: extra.policy } : {}),
    ...(extra.onLimit ? { onLimit: extra.onLimit } : {}),
  });
}

const ROWS = 800;
/** One request's tensors: 800 rows x 4 float32. */
const REQUEST_BYTES = ROWS * 4 * 4;

describe('many large requests at once with a small budget', () => {
  it('refuses some 503 with Retry-After, answers the rest correctly, and gives every byte back', async () => {
    const gate = gatedRunner();
    const rejected: string[] = [];
    const limits: Array<[string, number]> = [];
    // Batching: a request counts twice (its inputs and their copy in the batch), so five fit.
    const budget = 10 * REQUEST_BYTES;
    const inf = inference(
      batched,
      gate.runner,
      { maxTensorBytesInFlight: budget },
      { rejected, onLimit: (key, limit) => limits.push([key, limit]) },
    );
    const requests = Array.from({ length: 20 }, (_, i) => request(i, ROWS));
    const admitted: Array<{ i: number; job: ReturnType<Inference['submit']> }> = [];
    const refused: HttpError[] = [];
    requests.forEach((inputs, i) => {
      try {
        admitted.push({ i, job: inf.submit('classify', { ...inputs }, systemClock.now()) });
      } catch (err) {
        refused.push(err as HttpError);
      }
    });
    expect(admitted).toHaveLength(5);
    expect(inf.tensors.inFlight).toBe(budget);
    expect(refused).toHaveLength(15);
    for (const err of refused) {
      expect(err).toBeInstanceOf(HttpError);
      expect(err.status).toBe(503);
      expect(err.headers['retry-after']).toBe('1');
      expect(err.message).not.toMatch(/--[a-z]/);
    }
    expect(rejected).toEqual(Array(15).fill('tensor_budget'));
    expect(limits[0]).toEqual(['maxTensorBytesInFlight', budget]);

    gate.open();
    for (const { i, job } of admitted) {
      const { outputs } = await job.result;
      const want = await runOrt(requests[i]!);
      for (const name of Object.keys(want)) expect([...outputs[name]!.data]).toEqual([...want[name]!.data]);
    }
    expect(inf.tensors.inFlight).toBe(0);
    // With the bytes back, the next request is admitted.
    const again = inf.submit('classify', request(99, ROWS), systemClock.now());
    await again.result;
    expect(inf.tensors.inFlight).toBe(0);
  });

  it('counts a non-batching API once per request', async () => {
    const gate = gatedRunner();
    const inf = inference(single, gate.runner, { maxTensorBytesInFlight: 3 * REQUEST_BYTES });
    const jobs = [0, 1, 2].map((i) => inf.submit('alone', request(i, ROWS), systemClock.now()));
    expect(() => inf.submit('alone', request(3, ROWS), systemClock.now())).toThrow(/retry after 1 s/);
    gate.open();
    await Promise.all(jobs.map((j) => j.result));
    expect(inf.tensors.inFlight).toBe(0);
  });
});

describe('a request larger than the whole budget', () => {
  it('is served alone when nothing else is held, and refused 503 while something is', async () => {
    const gate = gatedRunner();
    const inf = inference(batched, gate.runner, { maxTensorBytesInFlight: REQUEST_BYTES });
    const small = inf.submit('classify', request(1, 10), systemClock.now());
    expect(() => inf.submit('classify', request(2, ROWS), systemClock.now())).toThrow(
      expect.objectContaining({ status: 503 }),
    );
    gate.open();
    await small.result;
    expect(inf.tensors.inFlight).toBe(0);
    const big = request(3, ROWS);
    const job = inf.submit('classify', { ...big }, systemClock.now());
    expect(inf.tensors.inFlight).toBe(2 * REQUEST_BYTES);
    const { outputs } = await job.result;
    const want = await runOrt(big);
    for (const name of Object.keys(want)) expect([...outputs[name]!.data]).toEqual([...want[name]!.data]);
    expect(inf.tensors.inFlight).toBe(0);
  });
});

describe('the bytes go back exactly once however a job ends', () => {
  it('a failed batch', async () => {
    const gate = gatedRunner();
    gate.state.fail = true;
    const inf = inference(batched, gate.runner, { maxTensorBytesInFlight: 10 * REQUEST_BYTES });
    const jobs = [0, 1, 2].map((i) => inf.submit('classify', request(i, ROWS), systemClock.now()));
    gate.open();
    for (const job of jobs) await expect(job.result).rejects.toMatchObject({ status: 500 });
    expect(inf.tensors.inFlight).toBe(0);
  });

  it('cancelled while queued (a timeout, a client gone), and cancelled again or after running', async () => {
    const gate = gatedRunner();
    const policy = holding();
    const inf = inference(batched, gate.runner, { maxTensorBytesInFlight: 10 * REQUEST_BYTES }, { policy });
    const first = inf.submit('classify', request(0, ROWS), systemClock.now());
    const second = inf.submit('classify', request(1, ROWS), systemClock.now());
    expect(second.state).toBe('queued');
    expect(inf.tensors.inFlight).toBe(4 * REQUEST_BYTES);
    policy.go = true;
    expect(inf.cancel(second)).toBe(true);
    expect(inf.cancel(second)).toBe(false);
    expect(inf.tensors.inFlight).toBe(2 * REQUEST_BYTES);
    // The cancel let the policy send the first; a running job cannot be withdrawn: its bytes go
    // back when its batch settles, once.
    await new Promise((r) => setImmediate(r));
    expect(first.state).toBe('running');
    expect(inf.cancel(first)).toBe(false);
    expect(inf.tensors.inFlight).toBe(2 * REQUEST_BYTES);
    gate.open();
    await first.result;
    expect(inf.tensors.inFlight).toBe(0);
  });

  it('shed after queueing', async () => {
    const gate = gatedRunner();
    const shedAll: BatchPolicy = { ...holding(), shed: (group) => [...group.jobs] };
    const inf = inference(
      batched,
      gate.runner,
      { maxTensorBytesInFlight: 10 * REQUEST_BYTES },
      { policy: shedAll },
    );
    const job = inf.submit('classify', request(0, ROWS), systemClock.now());
    await expect(job.result).rejects.toMatchObject({ status: 503 });
    expect(inf.tensors.inFlight).toBe(0);
  });

  it('refused by admission after taking its bytes', async () => {
    const gate = gatedRunner();
    const inf = inference(
      batched,
      gate.runner,
      { maxTensorBytesInFlight: 10 * REQUEST_BYTES, maxQueueRows: ROWS },
      { policy: holding() },
    );
    inf.submit('classify', request(0, ROWS), systemClock.now());
    expect(() => inf.submit('classify', request(1, ROWS), systemClock.now())).toThrow(/queue is full/);
    expect(inf.tensors.inFlight).toBe(2 * REQUEST_BYTES);
  });
});

/** A policy that admits everything and holds the queue until `go` is set (then sends it at the next event). */
function holding(): BatchPolicy & { go: boolean } {
  const policy = {
    go: false,
    admit: () => ({ ok: true as const }),
    decide: () => (policy.go ? { dispatch: true as const } : { dispatch: false as const }),
    observe() {},
    predict: () => 1,
  };
  return policy;
}

describe('TensorBudget', () => {
  it('measures typed arrays by their bytes and strings by their length', () => {
    expect(tensorBytes({ a: { dtype: 'float32', shape: [2], data: new Float32Array(2) } })).toBe(8);
    expect(tensorBytes({ s: { dtype: 'string', shape: [2], data: ['ab', ''] } })).toBe(4 + 2 * 16);
  });

  it('gives a hold back once', () => {
    const budget = new TensorBudget(10);
    const a = budget.take(6)!;
    expect(budget.take(6)).toBeUndefined();
    a.release();
    a.release();
    expect(budget.inFlight).toBe(0);
    expect(budget.take(20)).toBeDefined();
    expect(budget.take(1)).toBeUndefined();
  });
});

/**
 * Through the bundled runtime (BENTOCI_RUNTIME_SERVER or dist/): the budget comes from the
 * environment, so the same test fails against a build without it. A 200-row request of a 512-wide
 * MLP takes the one worker milliseconds, so twenty sent at once queue behind each other.
 */
describe('the runtime under many large requests', () => {
  const WIDTH = 512;
  const MLP_ROWS = 200;
  const MLP_BYTES = MLP_ROWS * WIDTH * 4;
  let server: ServerProcess;

  beforeAll(async () => {
    const home = await tempHome();
    const bento = await writeBento(home, {
      models: [{ name: 'mlp', onnx: mlpModel({ layers: [WIDTH, 2048, 10] }) }],
      apis: [{ name: 'score', model: 'mlp', batching: { enabled: false, max_latency_ms: 60_000 } }],
    });
    server = await startServer(bento.dir, ['--workers', '1', '--threads', '1'], {
      BENTOCI_MAX_TENSOR_BYTES_IN_FLIGHT: String(3 * MLP_BYTES),
    });
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
  });

  async function tensorBytesInFlight(): Promise<number | undefined> {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    const match = /^bentoci_tensor_bytes_in_flight (\d+)$/m.exec(text);
    return match ? Number(match[1]) : undefined;
  }

  it('refuses some 503 with Retry-After, answers the rest as alone, and the gauge returns to 0', async () => {
    const bodies = Array.from({ length: 20 }, (_, i) => {
      const rows = Array.from({ length: MLP_ROWS }, (_, r) =>
        Array.from({ length: WIDTH }, (_, k) => ((i * 31 + r * 7 + k * 13) % 100) / 100),
      );
      return { input: rows };
    });
    const answers = await Promise.all(bodies.map((body) => post(`${server.url}/score`, body)));
    const refused = answers.filter((a) => a.status === 503);
    const served = answers.flatMap((a, i) => (a.status === 200 ? [i] : []));
    expect(refused.length + served.length).toBe(20);
    expect(refused.length).toBeGreaterThan(0);
    expect(served.length).toBeGreaterThan(0);
    for (const a of refused) {
      expect(a.headers.get('retry-after')).toBe('1');
      expect(a.text).toMatch(/budget/);
      expect(a.text).not.toMatch(/--[a-z]|BENTOCI_/);
    }
    // Each answer served under load equals the same request sent alone.
    for (const i of served.slice(0, 3)) {
      const alone = await post(`${server.url}/score`, bodies[i]);
      expect(alone.status).toBe(200);
      expect(answers[i]!.json).toEqual(alone.json);
    }
    expect(await tensorBytesInFlight()).toBe(0);
    const notices = server.logs.filter(
      (l) =>
        l.msg.startsWith('requests refused at a limit') &&
        String(l['setting']).endsWith('BENTOCI_MAX_TENSOR_BYTES_IN_FLIGHT'),
    );
    expect(notices.length).toBeGreaterThan(0);
  }, 120_000);
});
