/**
 * Warm-up from representative inputs (bentofile `apis[].warmup`): bentos built with a sample file
 * (.json, .npz stored and deflated) or shapes and a fill are served by the bundled runtime, whose
 * "warmed up" line shows batch times of the sample's size; a conv net that zero-filled 1x1 inputs
 * cannot run still becomes ready and serves, with one warn line saying why warm-up failed; and the
 * build refuses samples that leave the context or do not fit the API, naming the field.
 */
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { convModel } from '../../../examples/models.js';
import { encodeNpy } from '../../../runtime/tensors/binary.js';
import { buildBento } from '../../../src/build/build.js';
import { openModelStore, saveModel } from '../../../src/core/model-store.js';
import type { Tensor } from '../../../src/shared/service.js';
import { expectBuildError, MODEL_TIME, project } from '../../build-support.js';
import { type LogLine, post, type ServerProcess, startServer } from '../../support/bento-fixture.js';
import { floatTensor, npz } from '../../support/npz.js';
import { tempDir } from '../../support/store-cli.js';

/** A nested-array form of a tensor, as a client would POST it. */
function nested(tensor: Tensor): unknown {
  const data = tensor.data as Float32Array;
  let offset = 0;
  const walk = (depth: number): unknown =>
    depth === tensor.shape.length
      ? data[offset++]
      : Array.from({ length: tensor.shape[depth]! }, () => walk(depth + 1));
  return walk(0);
}

const BATCHING = '      batching: { max_batch_size: 8, max_latency_ms: 2000 }\n';
const bentofile = (model: string, warmup = '') =>
  `service:\n  name: vision\n  apis:\n    - name: classify\n      model: ${model}\n${BATCHING}${warmup}`;

const servers: ServerProcess[] = [];
async function serve(dir: string): Promise<ServerProcess> {
  const server = await startServer(dir, ['--workers', '1', '--threads', '1']);
  servers.push(server);
  return server;
}

const warnings = (logs: LogLine[]) => logs.filter((l) => l.level === 'warn');
const warmedUp = (logs: LogLine[]) => {
  const line = logs.find((l) => l.msg === 'warmed up');
  expect(line, `no "warmed up" line in ${JSON.stringify(logs)}`).toBeDefined();
  return line!['predicted_batch_ms'] as Record<string, number>;
};

describe('warm-up with representative inputs', () => {
  let home: string;
  const sample = floatTensor([1, 3, 256, 256]);

  beforeAll(async () => {
    home = await tempDir('warmup-home');
    const models = await tempDir('warmup-models');
    const store = openModelStore(home);
    // conv: two unpadded 3x3 convs, so inputs under 5x5 fail; conv_pad: padded, any size runs.
    for (const [tag, bytes] of [
      ['conv:v1', convModel()],
      ['conv_pad:v1', convModel({ padding: true })],
    ] as const) {
      const file = join(models, `${tag.split(':')[0]}.onnx`);
      await writeFile(file, bytes);
      await saveModel(store, { tag, source: file, creationTime: MODEL_TIME });
    }
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
  });

  async function build(files: Record<string, string | Uint8Array>) {
    const context = await project({});
    for (const [rel, content] of Object.entries(files)) {
      await mkdir(join(context, rel, '..'), { recursive: true });
      await writeFile(join(context, rel), content);
    }
    return (await buildBento({ home, context })).bento;
  }

  it('warms up with a sample file (.json, .npz stored and deflated): batch times of 256x256 images, not 1x1', async () => {
    const zeroFilled = await build({ 'bentofile.yaml': bentofile('conv_pad:v1') });
    const baseline = await serve(zeroFilled.dir);
    const zeroMs = warmedUp(baseline.logs)['8']!;
    expect(warnings(baseline.logs)).toEqual([]);

    const variants: Array<[string, string | Uint8Array]> = [
      ['samples/classify.json', JSON.stringify({ input: nested(sample) })],
      ['samples/classify.npz', npz({ input: sample }, 'stored')],
      ['samples/classify.npz', npz({ input: sample }, 'deflated')],
    ];
    for (const [rel, content] of variants) {
      const bento = await build({
        'bentofile.yaml': bentofile('conv_pad:v1', `      warmup: { file: ${rel} }\n`),
        [rel]: content,
      });
      // Carried in the bento under warmup/, covered by its digest, and recorded in bento.yaml.
      const carried = `warmup/classify${rel.slice(rel.lastIndexOf('.'))}`;
      expect(bento.info.service.apis[0]!.warmup).toEqual({ file: carried });
      const entry = bento.info.files.find((f) => f.path === carried);
      expect(entry, `${carried} is not in the bento's file digests`).toBeDefined();
      expect(Buffer.compare(await readFile(join(bento.dir, carried)), Buffer.from(content))).toBe(0);
      const stored = YAML.parse(await readFile(join(bento.dir, 'bento.yaml'), 'utf8'));
      expect(stored.service.apis[0].warmup).toEqual({ file: carried });

      const server = await serve(bento.dir);
      expect(warnings(server.logs), rel).toEqual([]);
      const sampleMs = warmedUp(server.logs)['8']!;
      // 256x256 images cost the conv net thousands of times what 1x1 ones do; allow for a noisy machine.
      expect(sampleMs, `${rel}: ${sampleMs} ms against ${zeroMs} ms zero-filled`).toBeGreaterThan(
        Math.max(5 * zeroMs, 10),
      );
      expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
      const answer = await post(`${server.url}/classify`, { input: nested(sample) });
      expect(answer.status).toBe(200);
      await server.stop();
    }
  });

  it('a model that zero-filled inputs cannot run: ready anyway, serves, and one warn line says why', async () => {
    const bento = await build({ 'bentofile.yaml': bentofile('conv:v1') });
    const server = await serve(bento.dir);
    const warned = warnings(server.logs);
    expect(warned, JSON.stringify(warned)).toHaveLength(1);
    expect(warned[0]!.msg).toMatch(
      /^warm-up of API "classify" failed with zero-filled inputs \(dims input \[1, 3, 1, 1\]\): .*Conv.*; set apis\[\]\.warmup in bentofile\.yaml to warm up with real inputs; batch times will be learned from traffic$/,
    );
    expect(warned[0]!.msg).not.toContain('\n');
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    const answer = await post(`${server.url}/classify`, { input: nested(floatTensor([1, 3, 16, 16])) });
    expect(answer.status, answer.text).toBe(200);
    // A single output comes back as its nested array: one row of 4 logits.
    expect((answer.json as number[][])[0]).toHaveLength(4);
    await server.stop();
  });

  it('the same model warms up from shapes and a fill value, without a failure line', async () => {
    const bento = await build({
      'bentofile.yaml': bentofile(
        'conv:v1',
        '      warmup: { shapes: { input: [1, 3, 16, 16] }, fill: 0.5 }\n',
      ),
    });
    expect(bento.info.service.apis[0]!.warmup).toEqual({ shapes: { input: [1, 3, 16, 16] }, fill: 0.5 });
    const server = await serve(bento.dir);
    expect(warnings(server.logs)).toEqual([]);
    expect(Object.keys(warmedUp(server.logs))).toEqual(['1', '2', '4', '8']);
    await server.stop();
  });

  it('a sample that the model refuses: one warn line naming the file, and serving goes on', async () => {
    // 4x4 images fit the signature (any height and width) but not two unpadded 3x3 convs.
    const bento = await build({
      'bentofile.yaml': bentofile('conv:v1', '      warmup: { file: small.npy }\n'),
      'small.npy': encodeNpy(floatTensor([1, 3, 4, 4])),
    });
    const server = await serve(bento.dir);
    const warned = warnings(server.logs);
    expect(warned, JSON.stringify(warned)).toHaveLength(1);
    expect(warned[0]!.msg).toMatch(
      /^warm-up of API "classify" failed with the sample warmup\/classify\.npy \(input \[1, 3, 4, 4\]\): .+; fix apis\[\]\.warmup\.file in bentofile\.yaml; batch times will be learned from traffic$/,
    );
    const answer = await post(`${server.url}/classify`, { input: nested(floatTensor([2, 3, 8, 8])) });
    expect(answer.status, answer.text).toBe(200);
    await server.stop();
  });

  it('a sample damaged after the build: one warn line saying what is wrong with it, and serving goes on', async () => {
    const bento = await build({
      'bentofile.yaml': bentofile('conv_pad:v1', '      warmup: { file: s.npz }\n'),
      's.npz': npz({ input: floatTensor([1, 3, 8, 8]) }, 'deflated'),
    });
    const carried = join(bento.dir, 'warmup', 'classify.npz');
    const bytes = await readFile(carried);
    await writeFile(carried, bytes.subarray(0, bytes.length - 10));
    const server = await serve(bento.dir);
    const warned = warnings(server.logs);
    expect(warned, JSON.stringify(warned)).toHaveLength(1);
    expect(warned[0]!.msg).toMatch(
      /^warm-up of API "classify" cannot use the sample warmup\/classify\.npz: \.npz archive: no end of central directory record.*; fix apis\[\]\.warmup\.file in bentofile\.yaml; batch times will be learned from traffic$/,
    );
    expect(server.logs.some((l) => l.msg === 'warmed up')).toBe(false);
    const answer = await post(`${server.url}/classify`, { input: nested(floatTensor([1, 3, 8, 8])) });
    expect(answer.status, answer.text).toBe(200);
    await server.stop();
  });

  describe('the build refuses samples with one line naming apis[i].warmup and the fix', () => {
    const refuse = async (files: Record<string, string | Uint8Array>, message: RegExp) => {
      const context = await project({});
      for (const [rel, content] of Object.entries(files)) {
        await mkdir(join(context, rel, '..'), { recursive: true });
        await writeFile(join(context, rel), content);
      }
      return expectBuildError({ home, context }, message);
    };
    const withWarmup = (warmup: string) => bentofile('conv:v1', `      warmup: ${warmup}\n`);

    it('a file outside the build context, by path or through a symlink', async () => {
      await refuse(
        { 'bentofile.yaml': withWarmup('{ file: ../outside.npz }') },
        /^bentofile.yaml:7:23: service.apis\[0\].warmup.file: "..\/outside.npz" is outside the build context .+: copy the file into the project and name it relative to it$/,
      );
      const outside = join(await tempDir('warmup-outside'), 'secret.npz');
      await writeFile(outside, npz({ input: sample }));
      const context = await project({ 'bentofile.yaml': withWarmup('{ file: samples/linked.npz }') });
      await mkdir(join(context, 'samples'));
      await symlink(outside, join(context, 'samples', 'linked.npz'));
      await expectBuildError(
        { home, context },
        /^bentofile.yaml:7:23: service.apis\[0\].warmup.file: "samples\/linked.npz" leads through a symbolic link to .+secret.npz, outside the build context .+: copy the file into the project instead of linking it$/,
      );
      await refuse(
        { 'bentofile.yaml': withWarmup('{ file: samples/missing.json }') },
        /service.apis\[0\].warmup.file: "samples\/missing.json" not found in .+: create the sample or fix the path$/,
      );
    });

    it('a sample whose array is named after no input', async () => {
      await refuse(
        {
          'bentofile.yaml': withWarmup('{ file: s.npz }'),
          's.npz': npz({ image: sample }, 'deflated'),
        },
        /^bentofile.yaml:7:23: service.apis\[0\].warmup.file: "s.npz" does not fit API "classify": array "image" is not an input of this API \(inputs: "input"\) \(inputs: input float32 \[batch, 3, height, width\]\); fix the sample$/,
      );
      await refuse(
        { 'bentofile.yaml': withWarmup('{ shapes: { image: [1, 3, 8, 8] } }') },
        /^bentofile.yaml:7:\d+: service.apis\[0\].warmup.shapes: "image" is not an input of this API/,
      );
    });

    it('a sample of the wrong rank or dtype', async () => {
      await refuse(
        {
          'bentofile.yaml': withWarmup('{ file: s.json }'),
          's.json': JSON.stringify({ input: [[1, 2, 3]] }),
        },
        /^bentofile.yaml:7:23: service.apis\[0\].warmup.file: "s.json" does not fit API "classify": input "input": expected float32 \[batch, 3, height, width\], got float32 \[1, 3\]/,
      );
      await refuse(
        {
          'bentofile.yaml': withWarmup('{ file: s.npy }'),
          's.npy': encodeNpy({ dtype: 'float64', shape: [1, 3, 8, 8], data: new Float64Array(192) }),
        },
        /service.apis\[0\].warmup.file: "s.npy" does not fit API "classify": input "input": expected float32 \[batch, 3, height, width\], got float64 \[1, 3, 8, 8\]/,
      );
      await refuse(
        { 'bentofile.yaml': withWarmup('{ shapes: { input: [1, 3, 8] } }') },
        /service.apis\[0\].warmup.shapes: input "input": expected float32 \[batch, 3, height, width\], got float32 \[1, 3, 8\].*: give each input a shape its signature accepts$/,
      );
    });

    it('both or neither of file and shapes, and a fill with a file', async () => {
      await refuse(
        { 'bentofile.yaml': withWarmup('{ fill: 1 }') },
        /service.apis\[0\].warmup: set either file .+ or shapes/,
      );
      await refuse(
        { 'bentofile.yaml': withWarmup('{ file: s.npy, fill: 1 }'), 's.npy': encodeNpy(sample) },
        /service.apis\[0\].warmup.fill: fill goes with shapes; a sample file carries its own values: remove fill$/,
      );
    });
  });
});
