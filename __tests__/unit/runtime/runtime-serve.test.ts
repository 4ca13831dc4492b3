/**
 * The bundled runtime (dist/runtime/server.js) serving a hand-written bento with real ONNX Runtime
 * workers: predictions equal to ONNX Runtime run on each request alone, every body form, bad inputs,
 * KServe v2, metrics parsed as Prometheus text, hooks, and the model-entry mode.
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import type { StoredBento } from '../../../src/core/bento-store.js';
import {
  post,
  SERVER,
  type ServerProcess,
  saveFixtureModel,
  startServer,
  tempHome,
  writeBento,
} from '../../support/bento-fixture.js';
import { doubleIntModel, irisModel, rowSumModel, twoInputModel } from '../../support/onnx-fixture.js';

const HOOKS = `
export const svc = {
  apis: {
    labelled: {
      pre(input, ctx) {
        ctx.state.set('scale', 2);
        const x = input.input;
        return { input: { ...x, data: x.data.map((v) => v / 2) } };
      },
      post(output, ctx) {
        const p = output.probabilities;
        const width = p.shape[1];
        const labels = [];
        for (let r = 0; r < p.shape[0]; r++) {
          const row = Array.from(p.data.slice(r * width, (r + 1) * width));
          labels.push(row.indexOf(Math.max(...row)));
        }
        return { labels, scale: ctx.state.get('scale') };
      },
    },
  },
};
`;

let bento: StoredBento;
let server: ServerProcess;
const sessions = new Map<string, ort.InferenceSession>();

/** ONNX Runtime in this process on one request alone: the unbatched reference. */
async function reference(
  model: string,
  feeds: Record<string, ort.Tensor>,
): Promise<Record<string, ort.Tensor>> {
  let session = sessions.get(model);
  if (!session) {
    const ref = bento.info.models.find((m) => m.tag.startsWith(`${model}:`))!;
    session = await ort.InferenceSession.create(join(bento.dir, ref.path, `${model}.onnx`));
    sessions.set(model, session);
  }
  return session.run(feeds) as Promise<Record<string, ort.Tensor>>;
}

function rows(n: number, width: number, seed: number): number[][] {
  return Array.from({ length: n }, (_, r) =>
    Array.from({ length: width }, (_, c) => Math.fround(Math.sin(seed * 7.1 + r * 3.3 + c) * 4)),
  );
}

beforeAll(async () => {
  const home = await tempHome();
  bento = await writeBento(home, {
    models: [
      { name: 'iris', onnx: irisModel() },
      { name: 'two', onnx: twoInputModel() },
      { name: 'rowsum', onnx: rowSumModel() },
      { name: 'ints', onnx: doubleIntModel() },
    ],
    apis: [
      { name: 'classify', model: 'iris', batching: { max_batch_size: 64, max_latency_ms: 500 } },
      { name: 'labelled', model: 'iris' },
      { name: 'score', model: 'two' },
      { name: 'rowsum', model: 'rowsum' },
      { name: 'double', model: 'ints' },
    ],
    src: { 'service.js': HOOKS },
    module: 'service.js:svc',
  });
  server = await startServer(bento.dir, ['--max-request-bytes', '4096', '--workers', '1', '--threads', '1']);
});

afterAll(async () => {
  await server?.stop();
});

describe('runtime: predictions', () => {
  it('answers batched requests with exactly what ONNX Runtime gives each request alone', async () => {
    const inputs = Array.from({ length: 48 }, (_, i) => rows(1 + (i % 3), 4, i));
    const answers = await Promise.all(inputs.map((x) => post(`${server.url}/classify`, x)));
    let batchedWithOthers = 0;
    for (let i = 0; i < inputs.length; i++) {
      const answer = answers[i]!;
      expect(answer.status).toBe(200);
      if (Number(answer.headers.get('x-batch-requests')) > 1) batchedWithOthers++;
      const x = inputs[i]!;
      const alone = await reference('iris', {
        input: new ort.Tensor('float32', Float32Array.from(x.flat()), [x.length, 4]),
      });
      const expected = Array.from(alone['probabilities']!.data as Float32Array);
      expect((answer.json as number[][]).flat()).toEqual(expected);
    }
    // The burst really was merged: otherwise this test would prove nothing about batching.
    expect(batchedWithOthers).toBeGreaterThan(0);
  });

  it('takes several named inputs of different dtypes, and integer outputs', async () => {
    const features = rows(2, 4, 3);
    const bucket = [[5], [-2]];
    const answer = await post(`${server.url}/score`, { features, bucket });
    expect(answer.status).toBe(200);
    const alone = await reference('two', {
      features: new ort.Tensor('float32', Float32Array.from(features.flat()), [2, 4]),
      bucket: new ort.Tensor('int64', BigInt64Array.from([5n, -2n]), [2, 1]),
    });
    expect((answer.json as number[][]).flat()).toEqual(Array.from(alone['score']!.data as Float32Array));
    const ints = await post(`${server.url}/double`, [[1, -2, 3]]);
    expect(ints.json).toEqual([[2, -4, 6]]);
  });

  it('batches requests with different trailing dims only with their own kind, and answers each right', async () => {
    const inputs = Array.from({ length: 30 }, (_, i) => rows(1 + (i % 2), i % 3 === 0 ? 3 : 5, i));
    const answers = await Promise.all(inputs.map((x) => post(`${server.url}/rowsum`, { x })));
    for (let i = 0; i < inputs.length; i++) {
      expect(answers[i]!.status).toBe(200);
      const sums = inputs[i]!.map((r) => [Math.fround(r.reduce((a, b) => Math.fround(a + b), 0))]);
      const got = answers[i]!.json as number[][];
      expect(got.length).toBe(sums.length);
      for (let r = 0; r < sums.length; r++) expect(got[r]![0]).toBeCloseTo(sums[r]![0]!, 4);
    }
  });

  it('reads octet-stream and .npy bodies and answers in .npy or raw bytes when asked', async () => {
    const x = rows(2, 4, 9);
    const json = await post(`${server.url}/classify`, x);
    const raw = Buffer.from(Float32Array.from(x.flat()).buffer);
    const binary = await post(`${server.url}/classify`, raw, {
      'content-type': 'application/octet-stream',
      'x-tensor-dtype': 'float32',
      'x-tensor-shape': '2,4',
    });
    expect(binary.json).toEqual(json.json);
    const header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 4), }";
    const padded = header.padEnd(64 - 10 - 1, ' ') + '\n';
    const npyHead = Buffer.alloc(10);
    Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]).copy(npyHead);
    npyHead.writeUInt16LE(padded.length, 8);
    const npy = Buffer.concat([npyHead, Buffer.from(padded, 'latin1'), raw]);
    const viaNpy = await post(`${server.url}/classify`, npy, { 'content-type': 'application/x-npy' });
    expect(viaNpy.json).toEqual(json.json);
    const res = await fetch(`${server.url}/classify`, {
      method: 'POST',
      body: JSON.stringify(x),
      headers: { 'content-type': 'application/json', accept: 'application/octet-stream' },
    });
    expect(res.headers.get('x-tensor-shape')).toBe('2,3');
    expect(Array.from(new Float32Array(await res.arrayBuffer()))).toEqual((json.json as number[][]).flat());
  });

  it('runs the service hooks around the model', async () => {
    const x = rows(3, 4, 4);
    const answer = await post(`${server.url}/labelled`, x);
    expect(answer.status).toBe(200);
    const halved = x.flat().map((v) => Math.fround(v / 2));
    const probs = (
      await reference('iris', { input: new ort.Tensor('float32', Float32Array.from(halved), [3, 4]) })
    )['probabilities']!.data as Float32Array;
    const labels = [0, 1, 2].map((r) => {
      const row = Array.from(probs.slice(r * 3, r * 3 + 3));
      return row.indexOf(Math.max(...row));
    });
    expect(answer.json).toEqual({ labels, scale: 2 });
  });
});

describe('runtime: bad requests', () => {
  it('answers each bad input with a 4xx that names the problem, and keeps serving', async () => {
    const url = `${server.url}/classify`;
    const cases: Array<[unknown, Record<string, string>, number, RegExp]> = [
      [
        [[1, 2, 'x', 4]],
        {},
        400,
        /input "input": expected float32 numbers, got the string "x" at \[0\]\[2\]/,
      ],
      [[[1, 2, 3]], {}, 400, /input "input": expected float32 \[batch, 4\], got float32 \[1, 3\]/],
      [[1, 2, 3, 4], {}, 400, /input "input": expected float32 \[batch, 4\], got float32 \[4\]/],
      ['[[1,2,3,4]', {}, 400, /the body is not valid JSON/],
      [{ nope: [[1, 2, 3, 4]] }, {}, 400, /input "nope" is not an input of this API/],
      [
        Buffer.from(new Int32Array(4).buffer),
        { 'content-type': 'application/octet-stream', 'x-tensor-dtype': 'int32', 'x-tensor-shape': '1,4' },
        400,
        /expected float32 \[batch, 4\], got int32 \[1, 4\]/,
      ],
      [
        Buffer.alloc(8),
        { 'content-type': 'application/octet-stream', 'x-tensor-dtype': 'float32', 'x-tensor-shape': '1,4' },
        400,
        /body has 8 bytes but float32 \[1, 4\] needs 16/,
      ],
      [JSON.stringify(rows(200, 4, 1)), {}, 413, /larger than the limit of 4096 bytes/],
      ['[[1,2,3,4]]', { 'content-type': 'image/png' }, 415, /unsupported content-type/],
    ];
    for (const [body, headers, status, message] of cases) {
      const answer = await post(url, body, headers);
      expect(answer.status, String(message)).toBe(status);
      expect((answer.json as { error: string }).error).toMatch(message);
    }
    expect((await post(`${server.url}/nowhere`, [])).status).toBe(404);
    expect((await fetch(url)).status).toBe(405);
    const good = await post(url, [[5.1, 3.5, 1.4, 0.2]]);
    expect(good.status).toBe(200);
    expect((good.json as number[][])[0]).toHaveLength(3);
  });
});

describe('runtime: KServe v2', () => {
  it('answers health, metadata and infer like the API route', async () => {
    expect(await (await fetch(`${server.url}/v2/health/live`)).json()).toEqual({ live: true });
    expect((await fetch(`${server.url}/v2/health/ready`)).status).toBe(200);
    const meta = (await (await fetch(`${server.url}/v2/models/classify`)).json()) as Record<string, unknown>;
    expect(meta).toMatchObject({
      name: 'classify',
      platform: 'onnxruntime_onnx',
      inputs: [{ name: 'input', datatype: 'FP32', shape: [-1, 4] }],
    });
    expect((await fetch(`${server.url}/v2/models/classify/ready`)).status).toBe(200);
    const x = rows(2, 4, 12);
    const viaApi = await post(`${server.url}/classify`, x);
    const viaV2 = await post(`${server.url}/v2/models/classify/infer`, {
      id: 'req-1',
      inputs: [{ name: 'input', shape: [2, 4], datatype: 'FP32', data: x.flat() }],
    });
    expect(viaV2.status).toBe(200);
    expect(viaV2.json).toEqual({
      model_name: 'classify',
      model_version: (meta['versions'] as string[])[0],
      id: 'req-1',
      outputs: [
        { name: 'probabilities', datatype: 'FP32', shape: [2, 3], data: (viaApi.json as number[][]).flat() },
      ],
    });
    const wrongType = await post(`${server.url}/v2/models/classify/infer`, {
      inputs: [{ name: 'input', shape: [1, 4], datatype: 'INT32', data: [1, 2, 3, 4] }],
    });
    expect(wrongType.status).toBe(400);
    expect((wrongType.json as { error: string }).error).toBe(
      'input "input": expected datatype FP32, got INT32',
    );
    const wrongCount = await post(`${server.url}/v2/models/classify/infer`, {
      inputs: [{ name: 'input', shape: [2, 4], datatype: 'FP32', data: [1, 2, 3, 4] }],
    });
    expect((wrongCount.json as { error: string }).error).toBe(
      'input "input": shape [2, 4] needs 8 elements, data has 4',
    );
    expect((await fetch(`${server.url}/v2/models/nope`)).status).toBe(404);
  });
});

/** A Prometheus text-format (0.0.4) parser: enough to check every line of what we expose. */
function parsePrometheus(
  text: string,
): Map<string, Array<{ labels: Record<string, string>; value: number }>> {
  const samples = new Map<string, Array<{ labels: Record<string, string>; value: number }>>();
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    if (line.startsWith('#')) {
      const m = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
      if (!m) throw new Error(`bad comment line: ${line}`);
      if (m[1] === 'TYPE') {
        expect(['counter', 'gauge', 'histogram', 'summary', 'untyped']).toContain(m[3]);
        types.set(m[2]!, m[3]!);
      }
      continue;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (-?[0-9.eE+-]+|NaN|[+-]Inf)(?: -?\d+)?$/.exec(line);
    if (!m) throw new Error(`bad sample line: ${line}`);
    const labels: Record<string, string> = {};
    const labelText = m[2] ?? '';
    const labelRe = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(?:,|$)/gy;
    let consumed = 0;
    for (let lm = labelRe.exec(labelText); lm; lm = labelRe.exec(labelText)) {
      labels[lm[1]!] = lm[2]!.replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
      consumed = labelRe.lastIndex;
    }
    if (consumed !== labelText.length) throw new Error(`bad labels: ${line}`);
    const value =
      m[3] === '+Inf' ? Number.POSITIVE_INFINITY : m[3] === '-Inf' ? Number.NEGATIVE_INFINITY : Number(m[3]);
    const list = samples.get(m[1]!) ?? [];
    list.push({ labels, value });
    samples.set(m[1]!, list);
  }
  return samples;
}

describe('runtime: operations endpoints', () => {
  it('exposes metrics that parse as Prometheus text and add up', async () => {
    await post(`${server.url}/classify`, [[1, 2, 3, 4]]);
    await post(`${server.url}/classify`, [[1, 2, 3]]);
    const res = await fetch(`${server.url}/metrics`);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const metrics = parsePrometheus(await res.text());
    const requests = metrics.get('bentoci_requests_total')!;
    const count = (status: string) =>
      requests.find((s) => s.labels['api'] === 'classify' && s.labels['status'] === status)?.value ?? 0;
    expect(count('200')).toBeGreaterThan(48);
    expect(count('400')).toBeGreaterThan(0);
    // Histogram: cumulative buckets, +Inf equals the count, per API and status.
    const buckets = metrics
      .get('bentoci_request_duration_seconds_bucket')!
      .filter((s) => s.labels['api'] === 'classify' && s.labels['status'] === '200');
    for (let i = 1; i < buckets.length; i++)
      expect(buckets[i]!.value).toBeGreaterThanOrEqual(buckets[i - 1]!.value);
    const inf = buckets.find((b) => b.labels['le'] === '+Inf')!.value;
    const latencyCount = metrics
      .get('bentoci_request_duration_seconds_count')!
      .find((s) => s.labels['api'] === 'classify' && s.labels['status'] === '200')!.value;
    expect(inf).toBe(latencyCount);
    expect(latencyCount).toBe(count('200'));
    const batchCount = metrics
      .get('bentoci_batch_size_count')!
      .find((s) => s.labels['api'] === 'classify')!.value;
    const batchRows = metrics
      .get('bentoci_batch_size_sum')!
      .find((s) => s.labels['api'] === 'classify')!.value;
    expect(batchCount).toBeGreaterThan(0);
    expect(batchCount).toBeLessThan(count('200'));
    expect(batchRows).toBeGreaterThan(batchCount);
    expect(
      metrics.get('bentoci_inference_duration_seconds_count')!.find((s) => s.labels['api'] === 'classify')!
        .value,
    ).toBe(batchCount);
    expect(
      metrics
        .get('bentoci_queue_depth')!
        .map((s) => s.labels['api'])
        .sort(),
    ).toEqual(['classify', 'double', 'labelled', 'rowsum', 'score']);
    expect(metrics.get('bentoci_in_flight_requests')![0]!.value).toBe(0);
  });

  it('serves health, readiness and the bento OpenAPI document', async () => {
    expect(await (await fetch(`${server.url}/healthz`)).json()).toEqual({ status: 'ok' });
    expect((await fetch(`${server.url}/livez`)).status).toBe(200);
    expect(await (await fetch(`${server.url}/readyz`)).json()).toEqual({ status: 'ready' });
    const docs = await (await fetch(`${server.url}/docs.json`)).json();
    expect(docs).toEqual(YAML.parse(await readFile(join(bento.dir, 'apis', 'openapi.yaml'), 'utf8')));
  });

  it('writes structured JSON logs', () => {
    const ready = server.logs.find((l) => l.msg === 'ready')!;
    expect(ready.level).toBe('info');
    expect(typeof ready['time']).toBe('string');
    expect(ready['apis']).toContain('POST /classify');
    expect(server.logs.filter((l) => l.level === 'raw')).toEqual([]);
  });
});

describe('runtime: start-up', () => {
  it('serves a model store entry as one API at /predict', async () => {
    const home = await tempHome();
    const model = await saveFixtureModel(home, { name: 'iris', onnx: irisModel() });
    const modelServer = await startServer(model.dir);
    try {
      const answer = await post(`${modelServer.url}/predict`, [[5.1, 3.5, 1.4, 0.2]]);
      expect(answer.status).toBe(200);
      expect((answer.json as number[][])[0]).toHaveLength(3);
      expect((await fetch(`${modelServer.url}/v2/models/iris`)).status).toBe(200);
    } finally {
      expect(await modelServer.stop()).toBe(0);
    }
  });

  it('refuses CUDA where there is none, bad settings and bad directories, in one line each', async () => {
    const run = (args: string[], env: Record<string, string> = {}) =>
      new Promise<{ code: number | null; out: string }>((resolve) => {
        const child = spawn(process.execPath, [SERVER, ...args], {
          env: { ...process.env, ...env },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let out = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
        });
        child.on('exit', (code) => resolve({ code, out }));
      });
    const lastError = (out: string) =>
      JSON.parse(out.trim().split('\n').at(-1)!) as { level: string; msg: string };
    const cuda = await run([bento.dir, '--port', '0', '--provider', 'cuda']);
    expect(cuda.code).toBe(1);
    expect(lastError(cuda.out)).toMatchObject({
      level: 'error',
      msg: expect.stringMatching(/execution provider "cuda" was requested but .*use --provider cpu/),
    });
    const workers = await run([bento.dir, '--port', '0'], { BENTOCI_WORKERS: 'many' });
    expect(lastError(workers.out).msg).toBe('invalid BENTOCI_WORKERS "many": expected a whole number 1-1024');
    const layout = await run([bento.dir, '--port', '0', '--workers', '64', '--threads', '64']);
    expect(lastError(layout.out).msg).toMatch(
      /--workers 64 x --threads 64 needs 4096 cores but this machine has \d+/,
    );
    const missing = await run([join(bento.dir, 'nope'), '--port', '0']);
    expect(lastError(missing.out).msg).toMatch(/is neither a bento \(no bento.yaml\) nor a model entry/);
  });
});
