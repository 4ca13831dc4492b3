/**
 * An ONNX input whose type has no shape at all has an unknown rank, not rank 0: it is recorded as
 * `shape: null`, accepted at any shape (the model judges it), and shown as such by `models get`, the
 * bento's OpenAPI, the runtime's own OpenAPI and KServe's model metadata (shape [-1]).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApiDocument } from '../../../src/build/openapi.js';
import { readOnnxSummary, signatureOf } from '../../../src/core/onnx-signature.js';
import type { BentoApi } from '../../../src/shared/schemas.js';
import {
  post,
  type ServerProcess,
  saveFixtureModel,
  startServer,
  tempHome,
} from '../../support/bento-fixture.js';
import { bentoci, removeTempDirs, tempDir } from '../../support/store-cli.js';

const { onnx } = onnxProto;
const T = onnx.TensorProto.DataType;

/** `x` float32 of unknown rank (no `shape` field) -> Relu -> `y`; `s` a true scalar, added on. */
function anyRankModel(): Uint8Array {
  const noShape = (name: string) =>
    onnx.ValueInfoProto.create({ name, type: { tensorType: { elemType: T.FLOAT } } });
  const scalar = onnx.ValueInfoProto.create({
    name: 's',
    type: { tensorType: { elemType: T.FLOAT, shape: {} } },
  });
  return onnx.ModelProto.encode(
    onnx.ModelProto.create({
      irVersion: 8,
      opsetImport: [{ domain: '', version: 17 }],
      graph: {
        name: 'any_rank',
        node: [
          onnx.NodeProto.create({ opType: 'Relu', input: ['x'], output: ['r'] }),
          onnx.NodeProto.create({ opType: 'Add', input: ['r', 's'], output: ['y'] }),
        ],
        input: [noShape('x'), scalar],
        output: [noShape('y')],
      },
    }),
  ).finish();
}

let dir: string;
let file: string;

beforeAll(async () => {
  dir = await tempDir('any-rank');
  file = join(dir, 'any_rank.onnx');
  await writeFile(file, anyRankModel());
});

afterAll(removeTempDirs);

describe('reading the signature', () => {
  it('reads no shape as unknown rank (null) and an empty shape as a scalar ([])', async () => {
    const summary = await readOnnxSummary(file);
    expect(summary.inputs).toEqual([
      { name: 'x', dtype: 'float32', shape: null },
      { name: 's', dtype: 'float32', shape: [] },
    ]);
    expect(summary.outputs).toEqual([{ name: 'y', dtype: 'float32', shape: null }]);
    // Nothing says it has a dim 0 to batch along.
    expect(signatureOf(summary).batchable).toBe(false);
  });

  it("shows it as unknown rank in the bento's OpenAPI", async () => {
    const summary = await readOnnxSummary(file);
    const api: BentoApi = {
      name: 'relu',
      route: '/relu',
      model: 'any_rank:v1',
      method: 'run',
      batching: { enabled: false, max_batch_size: 1, max_latency_ms: 100 },
      input: summary.inputs,
      output: summary.outputs,
    };
    const doc = openApiDocument({ title: 'svc', apis: [api], batchDims: {} }) as {
      paths: Record<string, { post: { description: string } }>;
      components: { schemas: Record<string, { properties: Record<string, Record<string, unknown>> }> };
    };
    expect(doc.paths['/relu']!.post.description).toContain('x: float32 (any shape); s: float32 []');
    const x = doc.components.schemas['relu_input']!.properties['x']!;
    expect(x['x-bentoci-tensor']).toEqual({ name: 'x', dtype: 'float32', shape: null });
    expect(x['description']).toBe('float32 tensor of any shape (unknown rank)');
    expect(x['anyOf']).toEqual([expect.objectContaining({ type: 'number' }), { type: 'array' }]);
  });

  it('shows it as unknown rank in `models get`', async () => {
    const home = await tempDir('any-rank-home');
    const saved = await bentoci(['models', 'save', 'any_rank', file], { home });
    expect(saved.code, saved.stderr).toBe(0);
    const got = await bentoci(['models', 'get', 'any_rank', '--json'], { home });
    expect(got.code, got.stderr).toBe(0);
    const info = JSON.parse(got.stdout.toString()) as {
      signatures: { run: { inputs: Array<{ name: string; shape: unknown }> } };
    };
    expect(info.signatures.run.inputs).toEqual([
      { name: 'x', dtype: 'float32', shape: null },
      { name: 's', dtype: 'float32', shape: [] },
    ]);
    const yaml = await bentoci(['models', 'get', 'any_rank'], { home });
    expect(yaml.stdout.toString()).toMatch(/name: x\n\s+dtype: float32\n\s+shape: null/);
  });
});

describe('serving it', () => {
  let server: ServerProcess;

  beforeAll(async () => {
    const home = await tempHome();
    const model = await saveFixtureModel(home, { name: 'any_rank', onnx: anyRankModel() });
    // A generous bound: the cores are shared, and this test is about shapes, not latency.
    server = await startServer(model.dir, ['--workers', '1', '--threads', '1', '--max-latency-ms', '10000']);
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
  });

  it('accepts the input at any shape and answers what the model computes', async () => {
    const cube = Array.from({ length: 1 }, () =>
      Array.from({ length: 16 }, (_, i) => Array.from({ length: 96 }, (_, j) => ((i * 96 + j) % 7) - 3)),
    );
    const res = await post(`${server.url}/predict`, { x: cube, s: 0.5 });
    expect(res.status, res.text).toBe(200);
    expect(res.json).toEqual(cube.map((m) => m.map((row) => row.map((v) => Math.max(0, v) + 0.5))));
    for (const [x, want] of [
      [-2, 0.5],
      [
        [-1, 3],
        [0.5, 3.5],
      ],
    ] as const) {
      const other = await post(`${server.url}/predict`, { x, s: 0.5 });
      expect(other.status, other.text).toBe(200);
      expect(other.json).toEqual(want);
    }
  });

  it('still checks the dtype of the unknown-rank input and the rank of the scalar', async () => {
    const wrongRank = await post(`${server.url}/predict`, { x: [1], s: [0.5] });
    expect(wrongRank.status).toBe(400);
    expect((wrongRank.json as { error: string }).error).toBe(
      'input "s": expected float32 [], got float32 [1]',
    );
  });

  it('says unknown rank in KServe metadata ([-1]) and the runtime OpenAPI', async () => {
    const meta = (await (await fetch(`${server.url}/v2/models/any_rank`)).json()) as {
      inputs: Array<{ name: string; shape: number[] }>;
      outputs: Array<{ name: string; shape: number[] }>;
    };
    expect(meta.inputs).toEqual([
      { name: 'x', datatype: 'FP32', shape: [-1] },
      { name: 's', datatype: 'FP32', shape: [] },
    ]);
    expect(meta.outputs).toEqual([{ name: 'y', datatype: 'FP32', shape: [-1] }]);
    const docs = JSON.stringify(await (await fetch(`${server.url}/docs.json`)).json());
    expect(docs).toContain('float32 of any shape (unknown rank)');
  });

  it('infers through KServe v2 at any shape', async () => {
    const res = await post(`${server.url}/v2/models/any_rank/infer`, {
      inputs: [
        { name: 'x', shape: [2, 1, 2], datatype: 'FP32', data: [-1, 1, 2, -2] },
        { name: 's', shape: [], datatype: 'FP32', data: [1] },
      ],
    });
    expect(res.status, res.text).toBe(200);
    const out = (res.json as { outputs: Array<{ shape: number[]; data: number[] }> }).outputs[0]!;
    expect(out.shape).toEqual([2, 1, 2]);
    expect(out.data).toEqual([1, 2, 3, 1]);
  });
});
