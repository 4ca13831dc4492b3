/**
 * Batching per input: a recurrent state batched on axis 1 beside a scalar sample rate that the whole
 * batch shares (requests batch only with equal rates), axes read from dimension names only where they
 * make it certain, and given by the user where they do not; each answer equals the request run alone.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stateModel } from '../../../examples/sequence-models.js';
import { inferBatchAxes, resolveBatchAxes } from '../../../src/shared/batch-axes.js';
import { signatureBatching } from '../../../src/shared/batching-report.js';
import type { TensorSpec } from '../../../src/shared/schemas.js';
import {
  post,
  type ServerProcess,
  saveFixtureModel,
  startServer,
  tempHome,
  writeBento,
} from '../../support/bento-fixture.js';
import { bentoci } from '../../support/store-cli.js';

const spec = (name: string, shape: (string | number)[]): TensorSpec => ({ name, dtype: 'float32', shape });

describe('batch axes from the graph', () => {
  it('a name every output and some input carries is the batch axis; inputs without it are shared', () => {
    const axes = inferBatchAxes(
      [spec('input', ['batch', 16]), spec('state', [2, 'batch', 8]), spec('sr', [])],
      [spec('output', ['batch', 1]), spec('stateN', [2, 'batch', 8])],
    );
    expect(axes).toEqual({
      ok: true,
      dimName: 'batch',
      inputs: { input: 0, state: 1, sr: 'shared' },
      outputs: { output: 0, stateN: 1 },
    });
  });

  it('a time-major model batches along its batch name, not along time', () => {
    const axes = inferBatchAxes(
      [spec('x', ['time', 'batch_size', 8])],
      [spec('y', ['time', 'batch_size', 4])],
    );
    expect(axes.ok && axes.inputs).toEqual({ x: 1 });
  });

  it('nothing is certain when dims are unnamed, or two names could each be the batch', () => {
    expect(inferBatchAxes([spec('x', [-1, 8])], [spec('y', [-1, 4])])).toEqual({
      ok: false,
      reason: 'no dimension name is shared by every output and an input, so no batch axis is certain',
    });
    expect(inferBatchAxes([spec('x', ['s0', 's1'])], [spec('y', ['s0', 's1'])])).toEqual({
      ok: false,
      reason: 'the dimension names "s0", "s1" could each be the batch axis',
    });
  });

  it('names the tensor that stops the likeliest name', () => {
    expect(inferBatchAxes([spec('x', ['batch', 8])], [spec('y', ['batch', 4]), spec('n', [-1])])).toEqual({
      ok: false,
      reason: 'output "n" has no "batch" dimension, so it could not be cut back per request',
    });
    expect(inferBatchAxes([spec('x', ['n', 'n'])], [spec('y', ['n', 4])])).toMatchObject({
      reason: '"x" carries the dimension "n" twice, so it is not certain which is the batch',
    });
  });

  it('axes the user gives must exist and be dynamic; outputs cannot be shared', () => {
    const inputs = [spec('x', [-1, 8]), spec('sr', [])];
    const outputs = [spec('y', [-1, 4])];
    expect(resolveBatchAxes(inputs, outputs, { x: 0, sr: 'shared', y: 0 })).toMatchObject({ ok: true });
    expect(resolveBatchAxes(inputs, outputs, { x: 1, sr: 'shared', y: 0 })).toEqual({
      ok: false,
      reason: 'axis 1 of "x" is fixed at 8, so it cannot hold more rows',
    });
    expect(resolveBatchAxes(inputs, outputs, { x: 0, sr: 'shared', y: 'shared' })).toMatchObject({
      reason: 'output "y" cannot be shared: every output is cut back per request',
    });
    expect(resolveBatchAxes(inputs, outputs, { x: 0 })).toMatchObject({
      reason: expect.stringMatching(/no batch axis is certain; input "sr" has no batch axis$/),
    });
    expect(resolveBatchAxes(inputs, outputs, { z: 0 })).toMatchObject({
      reason: '"z" is not an input or output of the model (it has "x", "sr", "y")',
    });
  });
});

describe('a state tensor on axis 1 and a shared scalar, served', () => {
  let home: string;
  let server: ServerProcess;
  let url: string;

  beforeAll(async () => {
    home = await tempHome();
    const bento = await writeBento(home, {
      models: [{ name: 'vad', onnx: stateModel() }],
      apis: [{ name: 'vad', model: 'vad', batching: { max_latency_ms: 2000, max_batch_size: 64 } }],
    });
    server = await startServer(bento.dir, ['--workers', '1']);
    url = `${server.url}/vad`;
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  });

  const request = (i: number, sr: number) => ({
    input: [Array.from({ length: 16 }, (_, k) => Math.sin(i * 7 + k))],
    state: [
      [Array.from({ length: 8 }, (_, k) => (i + k) / 10)],
      [Array.from({ length: 8 }, (_, k) => -k / (i + 1))],
    ],
    sr,
  });

  it('records the axes at save and says so', async () => {
    const saved = await saveFixtureModel(await tempHome(), { name: 'vad', onnx: stateModel() });
    expect(signatureBatching(saved.info.signatures['run']!)).toBe(
      'on: input 0, state 1, sr shared -> output 0, stateN 1',
    );
    const line = server.logs.find((l) => l.msg === 'api');
    expect(line?.['batching']).toBe('on: input 0, state 1, sr shared -> output 0, stateN 1');
  });

  it('batches requests with the same rate, never two rates together, and answers each as alone', async () => {
    const rates = [8000, 16000];
    const alone: unknown[] = [];
    for (let i = 0; i < 24; i++) {
      const res = await post(url, request(i, rates[i % 2]!));
      expect(res.status, res.text).toBe(200);
      alone.push(res.json);
    }
    const before = await batchCount(server.url);
    const together = await Promise.all(
      Array.from({ length: 24 }, (_, i) => post(url, request(i, rates[i % 2]!))),
    );
    const batches = (await batchCount(server.url)) - before;
    for (let i = 0; i < 24; i++) {
      expect(together[i]!.status, together[i]!.text).toBe(200);
      expect(together[i]!.json).toEqual(alone[i]);
    }
    // Two rates: at least two batches; fewer than 24 means requests really shared them.
    expect(batches).toBeGreaterThanOrEqual(2);
    expect(batches).toBeLessThan(24);
  });
});

describe('a model whose dims are unnamed', () => {
  it('is saved not batchable, saying why and what to set; with axes given it batches', async () => {
    const home = await tempHome();
    const unnamed = await saveFixtureModel(home, { name: 'plain', onnx: stateModel({ named: false }) });
    expect(signatureBatching(unnamed.info.signatures['run']!)).toMatch(
      /^off: no dimension name is shared by every output and an input, so no batch axis is certain; set a batch axis per input and output/,
    );
    const given = await saveFixtureModel(home, {
      name: 'given',
      onnx: stateModel({ named: false }),
      batchAxes: { input: 0, state: 1, sr: 'shared', output: 0, stateN: 1 },
    });
    expect(given.info.signatures['run']!.batchable).toBe(true);
    await expect(
      saveFixtureModel(home, { name: 'wrong', onnx: stateModel({ named: false }), batchAxes: { state: 0 } }),
    ).rejects.toThrow(/^batch axes: axis 0 of "state" is fixed at 2, so it cannot hold more rows$/);
  });
});

describe('the CLI', () => {
  it('models save --batch-axis sets axes; models get says whether the model batches and why not', async () => {
    const home = await tempHome();
    const dir = await mkdtemp(join(tmpdir(), 'bentoci-axes-'));
    const file = join(dir, 'vad.onnx');
    await writeFile(file, stateModel({ named: false }));
    const plain = await bentoci(['models', 'save', 'plain', file], { home });
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stderr).toMatch(
      /batching \(run\): off: no dimension name is shared by every output and an input, .* \(bentoci models save --batch-axis NAME=AXIS\|shared\)/,
    );
    const args = ['input=0', 'state=1', 'sr=shared', 'output=0', 'stateN=1'].flatMap((a) => [
      '--batch-axis',
      a,
    ]);
    const given = await bentoci(['models', 'save', 'given', file, ...args], { home });
    expect(given.code, given.stderr).toBe(0);
    const got = await bentoci(['models', 'get', 'given', '--json'], { home });
    expect(JSON.parse(got.stdout.toString()).batching).toEqual({
      run: 'on: input 0, state 1, sr shared -> output 0, stateN 1',
    });
    const bad = await bentoci(['models', 'save', 'bad', file, '--batch-axis', 'state=two'], { home });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(
      /invalid --batch-axis "state=two": expected name=<axis number> or name=shared/,
    );
  });
});

async function batchCount(base: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('bentoci_batch_size_count'));
  return Number(line?.split(' ').at(-1) ?? 0);
}
