/**
 * Padding: token sequences of different lengths batch together, padded to the longest of the batch
 * (or a bucket) with the mask the runtime fills, and each answer, cut back to its own length, equals
 * the request run alone. The build checks every padding field against the model.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sequenceModel } from '../../../examples/sequence-models.js';
import { resolveApiBatching } from '../../../src/build/batch-layout.js';
import type { BatchingConfig } from '../../../src/build/bentofile-schema.js';
import { openApiDocument } from '../../../src/build/openapi.js';
import { openModelStore } from '../../../src/core/model-store.js';
import {
  post,
  type ServerProcess,
  saveFixtureModel,
  startServer,
  tempHome,
  writeBento,
} from '../../support/bento-fixture.js';

const PADDING: BatchingConfig = {
  padding: {
    inputs: { input_ids: { axis: 1, value: 0 } },
    mask: 'attention_mask',
    outputs: { token_scores: 1 },
  },
};

/** Token ids of one request: rows x length, deterministic. */
const ids = (seed: number, rows: number, length: number) =>
  Array.from({ length: rows }, (_, r) =>
    Array.from({ length }, (_, k) => (seed * 31 + r * 7 + k * 13) % 1000),
  );

/** numpy's allclose at float32's precision: the places where `got` is not close to `want`. */
function notClose(got: number[], want: number[]): string[] {
  expect(got).toHaveLength(want.length);
  return got.flatMap((g, i) =>
    Math.abs(g - want[i]!) <= 1e-5 + 1e-5 * Math.abs(want[i]!) ? [] : [`${i}: ${g} vs ${want[i]}`],
  );
}

async function batchCount(base: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('bentoci_batch_size_count'));
  return Number(line?.split(' ').at(-1) ?? 0);
}

describe.each([
  { name: 'to the longest of the batch', buckets: undefined },
  { name: 'to buckets', buckets: [8, 16, 32, 64] },
])('requests of lengths 1-40 padded $name', ({ buckets }) => {
  let server: ServerProcess;
  let url: string;

  beforeAll(async () => {
    const home = await tempHome();
    const bentofile: BatchingConfig = {
      padding: { ...PADDING.padding!, ...(buckets ? { buckets } : {}) },
    };
    const bento = await writeBento(home, {
      models: [{ name: 'seq', onnx: sequenceModel() }],
      apis: [
        { name: 'embed', model: 'seq', batching: { max_latency_ms: 3000, max_batch_size: 64 }, bentofile },
      ],
    });
    server = await startServer(bento.dir, ['--workers', '1']);
    url = `${server.url}/embed`;
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  });

  it('answers each request as it answers it alone, with outputs cut to its own length', async () => {
    const requests = Array.from({ length: 30 }, (_, i) => {
      const length = 1 + ((i * 17) % 40);
      const rows = 1 + (i % 3);
      const input_ids = ids(i, rows, length);
      // Half send their mask, half leave it to the runtime.
      return i % 2 ? { input_ids, attention_mask: input_ids.map((r) => r.map(() => 1)) } : { input_ids };
    });
    const alone: unknown[] = [];
    for (const body of requests) {
      const res = await post(url, body);
      expect(res.status, res.text).toBe(200);
      alone.push(res.json);
    }
    const before = await batchCount(server.url);
    const together = await Promise.all(requests.map((body) => post(url, body)));
    const batches = (await batchCount(server.url)) - before;
    requests.forEach((body, i) => {
      const res = together[i]!;
      expect(res.status, res.text).toBe(200);
      const answer = res.json as { logits: number[][]; token_scores: number[][] };
      expect(answer.token_scores).toHaveLength(body.input_ids.length);
      expect(answer.token_scores[0]).toHaveLength(body.input_ids[0]!.length);
      // Per position: exactly the same. Pooled over the padded axis: the same up to float rounding,
      // since ORT's reductions may add the (zero) padding in another order.
      const single = alone[i] as typeof answer;
      expect(answer.token_scores).toEqual(single.token_scores);
      expect(notClose(answer.logits.flat(), single.logits.flat())).toEqual([]);
    });
    // Fewer batches than requests: some ran together, padded (their lengths all differ).
    expect(batches).toBeLessThan(requests.length);
  });

  it('refuses padded inputs of one request that differ in length, naming both', async () => {
    const res = await post(url, { input_ids: ids(1, 1, 5), attention_mask: [[1, 1, 1]] });
    expect(res.status).toBe(400);
    expect((res.json as { error: string }).error).toBe(
      'input "attention_mask" is 3 long along axis 1, but "input_ids" is 5; padded inputs of one request must be equally long',
    );
  });
});

describe('a bento.yaml whose padding the build would refuse', () => {
  it.each([
    [{ inputs: { nope: { axis: 1, value: 0 } } }, 'names "nope", which is not an input'],
    [{ inputs: { input_ids: { axis: 0, value: 0 } } }, 'pads "input_ids" along its batch axis'],
    [
      { inputs: { input_ids: { axis: 1, value: 0 } }, mask: 'attention_mask' },
      'mask "attention_mask" is not a padded input',
    ],
  ])('is refused at start: %j', async (padding, message) => {
    const home = await tempHome();
    const bento = await writeBento(home, {
      models: [{ name: 'seq', onnx: sequenceModel() }],
      apis: [{ name: 'embed', model: 'seq', batching: { padding } }],
    });
    await expect(startServer(bento.dir)).rejects.toThrow(
      `API "embed": batching.padding ${message}; rebuild the bento`,
    );
  });
});

describe('the build checks padding against the model', () => {
  let signature: Awaited<ReturnType<typeof saveFixtureModel>>['info']['signatures'][string];
  beforeAll(async () => {
    const home = await tempHome();
    await saveFixtureModel(home, { name: 'seq', onnx: sequenceModel() });
    signature = (await openModelStore(home).get({ name: 'seq', version: 'latest' })).info.signatures['run']!;
  });
  const resolve = (padding: NonNullable<BatchingConfig['padding']>) => () =>
    resolveApiBatching({ padding }, signature, 'seq:1', (...keys) => `apis[0].${keys.join('.')}`);

  it('the OpenAPI document does not require the mask the runtime fills', () => {
    const batching = resolve(PADDING.padding!)();
    const api = {
      name: 'embed',
      route: '/embed',
      model: 'seq:1',
      method: 'run',
      batching: { enabled: true, max_batch_size: 8, max_latency_ms: 100, padding: batching.padding! },
      input: batching.input,
      output: batching.output,
    };
    const doc = openApiDocument({ title: 't', apis: [api], batchDims: { embed: 0 } }) as {
      components: { schemas: Record<string, { oneOf?: { required?: string[] }[]; required?: string[] }> };
    };
    expect(doc.components.schemas['embed_input']!.required).toEqual(['input_ids']);
  });

  it('records what the runtime needs, with the mask padded with 0', () => {
    expect(resolve(PADDING.padding!)().padding).toEqual({
      inputs: { input_ids: { axis: 1, value: 0 }, attention_mask: { axis: 1, value: 0 } },
      mask: 'attention_mask',
      outputs: { token_scores: 1 },
    });
  });

  it.each([
    [
      { inputs: { input_ids: { axis: 0 } } },
      /padding.inputs.input_ids.axis: axis 0 of "input_ids" is its batch axis: pad along another$/,
    ],
    [{ inputs: { input_ids: { axis: 2 } } }, /"input_ids" has rank 2, so it has no axis 2$/],
    [
      { inputs: { ids: { axis: 1 } } },
      /padding.inputs.ids: "ids" is not an input of the model \(inputs: "input_ids", "attention_mask"\)$/,
    ],
    [{ inputs: { input_ids: { axis: 1, value: 0.5 } } }, /"input_ids" is int64: pad with a whole number$/],
    [
      { inputs: { input_ids: { axis: 1 } }, outputs: { logits: 1 } },
      /padding.outputs.logits: axis 1 of "logits" is fixed at 4, so it cannot be padded$/,
    ],
    [{ inputs: { input_ids: { axis: 1 } }, mask: 'nope' }, /padding.mask: "nope" is not an input/],
  ])('refuses %j', (padding, message) => {
    expect(resolve(padding as NonNullable<BatchingConfig['padding']>)).toThrow(message);
  });
});
