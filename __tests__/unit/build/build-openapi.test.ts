import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { buildBento } from '../../../src/build/build.js';
import { bodySchema, openApiDocument } from '../../../src/build/openapi.js';
import { bentoFile, exampleCopy, homeWithModels } from '../../build-support.js';

describe('apis/openapi.yaml', () => {
  let home: string;
  beforeAll(async () => {
    home = await homeWithModels();
  });

  it('writes an openapi.yaml whose request and response bodies fit the models', async () => {
    const { bento } = await buildBento({ home, context: await exampleCopy() });
    const doc = (await bentoFile(bento.dir, 'apis/openapi.yaml')) as {
      openapi: string;
      paths: Record<
        string,
        { post?: { requestBody: { content: Record<string, { schema: { $ref: string } }> } }; get?: unknown }
      >;
      components: { schemas: Record<string, Record<string, unknown>> };
    };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(['/predict', '/score', '/healthz', '/readyz', '/metrics']);
    const schemaOf = (ref: string) =>
      z.fromJSONSchema(doc.components.schemas[ref.split('/').at(-1)!] as never);
    const request = (route: string) =>
      schemaOf(doc.paths[route]!.post!.requestBody.content['application/json']!.schema.$ref);
    const response = (api: string) => schemaOf(`#/components/schemas/${api}_output`);

    // iris: input float32 [batch, 4] -> probabilities float32 [batch, 3].
    const predict = request('/predict');
    const rows = [
      [5.1, 3.5, 1.4, 0.2],
      [6.7, 3.0, 5.2, 2.3],
    ];
    expect(predict.safeParse(rows).success).toBe(true);
    expect(predict.safeParse({ input: rows }).success).toBe(true);
    expect(predict.safeParse([[5.1, 3.5, 1.4]]).success).toBe(false);
    expect(predict.safeParse([[5.1, 3.5, 1.4, 0.2, 1]]).success).toBe(false);
    expect(predict.safeParse([]).success).toBe(false);
    expect(predict.safeParse([['a', 3.5, 1.4, 0.2]]).success).toBe(false);
    const irisOut = await run(bento.dir, 'models/iris/v1/iris.onnx', { input: tensor('float32', rows) });
    expect(response('predict').safeParse(irisOut['probabilities']).success).toBe(true);
    expect(response('predict').safeParse([[0.1, 0.9]]).success).toBe(false);

    // two_inputs: {features: float32 [batch, 4], bucket: int64 [batch, 1]} -> score float32 [batch, 1].
    const score = request('/score');
    const body = { features: rows, bucket: [[1], [2]] };
    expect(score.safeParse(body).success).toBe(true);
    expect(score.safeParse({ features: rows, bucket: [['9007199254740993'], [2]] }).success).toBe(true);
    expect(score.safeParse({ features: rows }).success).toBe(false);
    expect(score.safeParse({ ...body, bucket: [[1.5], [2]] }).success).toBe(false);
    expect(score.safeParse({ ...body, extra: [[1]] }).success).toBe(false);
    expect(score.safeParse(rows).success).toBe(false);
    const twoOut = await run(bento.dir, 'models/two_inputs/v1/two_inputs.onnx', {
      features: tensor('float32', rows),
      bucket: tensor('int64', body.bucket),
    });
    expect(response('score').safeParse(twoOut['score']).success).toBe(true);

    // Every schema records the tensor it describes, taken from the signature.
    const signatures = bento.info.service.apis.flatMap((a) => [...a.input, ...a.output]);
    const recorded = JSON.stringify(doc.components.schemas);
    for (const spec of signatures)
      expect(recorded).toContain(JSON.stringify({ name: spec.name, dtype: spec.dtype, shape: spec.shape }));
  });
});

describe('tensor schemas', () => {
  const accepts = (schema: object, value: unknown) =>
    z.fromJSONSchema(schema as never).safeParse(value).success;

  it('gives each dtype its JSON element type and range', () => {
    const one = (dtype: string, shape: (number | string)[] = [2]) =>
      bodySchema([{ name: 'x', dtype: dtype as never, shape }], 'input');
    expect(accepts(one('uint8'), [0, 255])).toBe(true);
    expect(accepts(one('uint8'), [0, 256])).toBe(false);
    expect(accepts(one('int8'), [-128, 1])).toBe(true);
    expect(accepts(one('int8'), [-129, 1])).toBe(false);
    expect(accepts(one('int32'), [1.5, 1])).toBe(false);
    expect(accepts(one('bool'), [true, 0])).toBe(true);
    expect(accepts(one('bool'), [true, 2])).toBe(false);
    expect(accepts(one('string'), ['a', 'b'])).toBe(true);
    expect(accepts(one('string'), ['a', 1])).toBe(false);
    expect(accepts(one('uint64'), ['18446744073709551615', 1])).toBe(true);
    expect(accepts(one('uint64'), ['-1', 1])).toBe(false);
    expect(accepts(one('float16'), [0.5, 1])).toBe(true);
    // A scalar, and dynamic dims (named or -1) with no bound.
    expect(accepts(one('float32', []), 3.5)).toBe(true);
    expect(accepts(one('float32', []), [3.5])).toBe(false);
    expect(accepts(one('float32', [-1, 'n']), [[1], [2, 3]])).toBe(true);
    expect(accepts(one('float32', [-1, 'n']), [])).toBe(true);
    // Responses may carry null for NaN and infinities; requests may not.
    expect(accepts(bodySchema([{ name: 'y', dtype: 'float32', shape: [1] }], 'output'), [null])).toBe(true);
    expect(accepts(bodySchema([{ name: 'y', dtype: 'float32', shape: [1] }], 'input'), [null])).toBe(false);
  });

  it('describes outputs as an object when there are several, and hooks as open', () => {
    const api = {
      name: 'multi',
      route: '/multi',
      model: 'm:v1',
      method: 'run',
      batching: { enabled: false, max_batch_size: 1, max_latency_ms: 1 },
      input: [{ name: 'x', dtype: 'float32' as const, shape: [2] }],
      output: [
        { name: 'a', dtype: 'float32' as const, shape: [2] },
        { name: 'b', dtype: 'int64' as const, shape: [] },
      ],
    };
    const doc = openApiDocument({ title: 't', apis: [api], batchDims: {}, preHooks: new Set(['multi']) }) as {
      components: { schemas: Record<string, object> };
      paths: Record<
        string,
        { post: { description: string; responses: Record<string, { content?: object }> } }
      >;
    };
    const output = doc.components.schemas['multi_output']!;
    expect(accepts(output, { a: [1, 2], b: 3 })).toBe(true);
    expect(accepts(output, [1, 2])).toBe(false);
    expect(doc.paths['/multi']!.post.description).toContain('pre hook runs before the input is checked');
    // .npy and octet-stream carry one tensor, so an API with two outputs offers JSON and .npz only.
    expect(Object.keys(doc.paths['/multi']!.post.responses['200']!.content!)).toEqual([
      'application/json',
      'application/x-npz',
    ]);
  });
});

function tensor(dtype: 'float32' | 'int64', rows: number[][]): ort.Tensor {
  const flat = rows.flat();
  const data = dtype === 'int64' ? BigInt64Array.from(flat.map(BigInt)) : Float32Array.from(flat);
  return new ort.Tensor(dtype, data, [rows.length, rows[0]!.length]);
}

/** Runs a model from the bento with ONNX Runtime and returns its outputs as nested arrays. */
async function run(
  bentoDir: string,
  model: string,
  feeds: Record<string, ort.Tensor>,
): Promise<Record<string, unknown>> {
  const session = await ort.InferenceSession.create(join(bentoDir, model));
  try {
    const outputs = await session.run(feeds);
    return Object.fromEntries(
      Object.entries(outputs).map(([name, t]) => {
        const [rows = 0, cols = 0] = t.dims;
        const data = Array.from(t.data as Float32Array);
        return [name, Array.from({ length: rows }, (_, r) => data.slice(r * cols, (r + 1) * cols))];
      }),
    );
  } finally {
    await session.release();
  }
}
