/**
 * Canary runs on the real serving runtime (dist/runtime/server.js) started by the canary itself from
 * the store: models made with examples/models.ts mlpModel, the same weights under two names (an
 * identical candidate), other weights (a wrong candidate), and a bento whose `pre` hook waits (a
 * slower candidate). Requests are generated from the signatures in model.yaml / bento.yaml.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { mlpModel } from '../../../examples/models.js';
import type { ThresholdsInput } from '../../../src/canary/thresholds.js';
import { OptionError } from '../../../src/core/errors.js';
import { type CanaryContext, type CanaryOptionsInput, runCanary } from '../../../src/operations/canary.js';
import { assertRuntimeBuilt, saveFixtureModel, tempHome, writeBento } from '../../support/bento-fixture.js';

let home: string;

beforeAll(async () => {
  assertRuntimeBuilt();
  home = await tempHome();
  await saveFixtureModel(home, { name: 'iris-a', onnx: mlpModel({ layers: [4, 16, 3], seed: 1 }) });
  await saveFixtureModel(home, { name: 'iris-twin', onnx: mlpModel({ layers: [4, 16, 3], seed: 1 }) });
  await saveFixtureModel(home, { name: 'iris-b', onnx: mlpModel({ layers: [4, 16, 3], seed: 2 }) });
  const model = { name: 'iris', onnx: mlpModel({ layers: [4, 16, 3], seed: 1 }) };
  const api = { name: 'classify', model: 'iris', batching: { enabled: false } };
  await writeBento(home, { name: 'svc-fast', models: [model], apis: [api] });
  await writeBento(home, {
    name: 'svc-slow',
    models: [model],
    apis: [api],
    // A `pre` hook that waits: the same predictions, later.
    src: {
      'service.js':
        'export default { apis: { classify: { pre: async (input) => { await new Promise((r) => setTimeout(r, 25)); return input; } } } };\n',
    },
    module: 'service.js',
  });
});

/** The canary operation as the front doors run it, with the thresholds written to a file. */
async function canary(
  baseline: string,
  candidate: string,
  extra: Partial<CanaryOptionsInput> = {},
  t: ThresholdsInput = {},
  context: Partial<CanaryContext> = {},
) {
  const thresholds = join(await tempHome(), 'thresholds.yaml');
  await writeFile(thresholds, JSON.stringify(t));
  return runCanary(
    {
      baseline,
      candidate,
      requests: 80,
      concurrency: 2,
      warmup: 10,
      seed: 1,
      timeout: '10s',
      readyTimeout: '60s',
      thresholds,
      ...extra,
    },
    {
      home,
      registry: {},
      connectDocker: () => Promise.reject(new Error('no images in this test')),
      log: () => undefined,
      warn: () => undefined,
      ...context,
    },
  );
}

describe('canary on the real runtime', () => {
  it('passes the same weights under another name: every prediction agrees', async () => {
    const lines: string[] = [];
    // Latency allowance widened: two runtimes share this machine's two cores with other test files,
    // and this test is about predictions; latency verdicts are covered with injected delays.
    const outcome = await canary(
      'model:iris-a',
      'model:iris-twin',
      {},
      { metrics: { latency: { max_degradation: 0.5 } } },
      { log: (l) => lines.push(l) },
    );
    expect(outcome.samples.agreement).toMatchObject({ compared: 80, agreed: 80 });
    expect(outcome.samples.baseline.errors + outcome.samples.candidate.errors).toBe(0);
    expect(outcome.verdict.verdict).toBe('pass');
    expect(outcome.baseline.description).toMatch(/^model iris-a:/);
    expect(lines.filter((l) => /^canary: started (baseline|candidate) model/.test(l))).toHaveLength(2);
  });

  it('fails a model with other weights, and shadow mode writes each disagreement', async () => {
    const dir = await tempHome();
    const shadowFile = join(dir, 'diffs.jsonl');
    const outcome = await canary('model:iris-a', 'model:iris-b', { shadow: shadowFile });
    const agreement = outcome.verdict.metrics.find((m) => m.name === 'agreement')!;
    expect(agreement.status).toBe('fail');
    expect(outcome.verdict.verdict).toBe('fail');
    const disagreements = outcome.samples.agreement.compared - outcome.samples.agreement.agreed;
    expect(disagreements).toBeGreaterThan(8);
    const lines = (await readFile(shadowFile, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(disagreements);
    expect(lines[0]).toMatchObject({ route: '/predict', reason: expect.stringMatching(/class \d vs \d/) });
    expect(Object.keys(lines[0].baseline)).toEqual(Object.keys(lines[0].candidate));
    expect(JSON.parse(lines[0].request)).toHaveProperty('input');
  });

  it('fails a slower bento (a delaying pre hook) on latency, with identical predictions', async () => {
    const outcome = await canary('bento:svc-fast', 'bento:svc-slow', { requests: 40 });
    const latency = outcome.verdict.metrics.find((m) => m.name === 'latency')!;
    expect(latency.status).toBe('fail');
    expect(latency.candidate! - latency.baseline!).toBeGreaterThan(15);
    expect(outcome.verdict.metrics.find((m) => m.name === 'agreement')?.status).toBe('pass');
    expect(outcome.verdict.verdict).toBe('fail');
  });

  it('stops the sides it started when the run fails after starting them', async () => {
    const lines: string[] = [];
    const missing = join(await tempHome(), 'missing.jsonl');
    const err = await canary(
      'model:iris-a',
      'model:iris-twin',
      { requestsFile: missing },
      {},
      { log: (l) => lines.push(l) },
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OptionError);
    expect((err as OptionError).option).toBe('requestsFile');
    const urls = lines.flatMap((l) => /^canary: started .* on (http:\/\/\S+)$/.exec(l)?.[1] ?? []);
    expect(urls).toHaveLength(2);
    for (const url of urls) await expect(fetch(`${url}/readyz`)).rejects.toThrow();
  });

  it('names a target that is not in the store by its option', async () => {
    const err = await canary('model:iris-a', 'nope:1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OptionError);
    expect((err as OptionError).option).toBe('candidate');
    expect((err as OptionError).message).toMatch(/`candidate` "nope:1": no bento or model/);
  });
});
