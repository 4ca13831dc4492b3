/**
 * The example bento's image, built through the real engine: it serves what in-process ONNX Runtime
 * computes, runs as a non-root user, keeps its model layers across a code-only change, applies a
 * dockerfile_template, and its CUDA variant builds on the cuda-named base.
 * Needs a Docker engine (DOCKER_HOST, or dockerd as root): fails under CI=true without one.
 */
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { irisModel, twoInputModel } from '../../../examples/models.js';
import { containerize } from '../../../src/containerize/containerize.js';
import type { StoredBento } from '../../../src/core/bento-store.js';
import {
  type ContainerizeFixture,
  exampleBento,
  exec,
  layersByStep,
  runImage,
  setUpContainerize,
  TEST_CUDA,
  waitReady,
} from '../../support/containerize-fixture.js';
import { missingDocker } from '../../support/docker.js';

const skip = missingDocker();
const FLOWERS = [
  [5.1, 3.5, 1.4, 0.2],
  [6.7, 3.0, 5.2, 2.3],
  [5.9, 3.0, 4.2, 1.5],
];

describe.skipIf(skip)(`containerize with a real engine${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let fx: ContainerizeFixture;
  let bento: StoredBento;
  const image = `bentoci-test/iris:${process.pid}`;
  const log: string[] = [];

  beforeAll(async () => {
    fx = await setUpContainerize();
    bento = await exampleBento(fx, { name: 'iris' });
    const result = await containerize(bento, { tags: [image], runtime: fx.runtime, log: (l) => log.push(l) });
    expect(result.tags).toEqual([image]);
  }, 300_000);

  afterAll(async () => {
    await fx?.docker
      .getImage(image)
      .remove()
      .catch(() => undefined);
    await fx?.cleanup();
  }, 60_000);

  it('streams the build as step lines', () => {
    expect(log.some((l) => /^Step 1\/\d+ : ARG NODE_IMAGE=/.test(l))).toBe(true);
    expect(log.some((l) => /^Step \d+\/\d+ : RUN .*npm ci --omit=dev/.test(l))).toBe(true);
  });

  it('serves the predictions in-process ONNX Runtime makes, as a non-root user', async () => {
    // The example's 5-10 ms latency bounds make the runtime shed requests on a busy two-core machine;
    // this test is about what the image computes, so it relaxes them.
    const running = await runImage(fx.docker, image, { BENTOCI_MAX_LATENCY_MS: '5000' });
    try {
      await waitReady(running);
      const base = `http://127.0.0.1:${running.port}`;
      const predict = await fetch(`${base}/predict`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(FLOWERS),
      });
      expect(predict.status, await predict.clone().text()).toBe(200);
      const served = (await predict.json()) as number[][];
      const score = await fetch(`${base}/score`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ features: FLOWERS, bucket: [[1], [2], [3]] }),
      });
      expect(score.status, await score.clone().text()).toBe(200);
      const scored = (await score.json()) as number[][];

      const iris = await ort.InferenceSession.create(irisModel());
      const expected = (
        await iris.run({ input: new ort.Tensor('float32', Float32Array.from(FLOWERS.flat()), [3, 4]) })
      )['probabilities']!;
      const two = await ort.InferenceSession.create(twoInputModel());
      const expectedScore = (
        await two.run({
          features: new ort.Tensor('float32', Float32Array.from(FLOWERS.flat()), [3, 4]),
          bucket: new ort.Tensor('int64', BigInt64Array.from([1n, 2n, 3n]), [3, 1]),
        })
      )['score']!;
      expect(served.flat().length).toBe(9);
      for (const [i, v] of served.flat().entries())
        expect(v).toBeCloseTo((expected.data as Float32Array)[i]!, 5);
      for (const [i, v] of scored.flat().entries())
        expect(v).toBeCloseTo((expectedScore.data as Float32Array)[i]!, 5);

      const inspect = await fx.docker.getImage(image).inspect();
      expect(inspect.Config.User).toBe('10001:10001');
      expect((await exec(running.container, ['id', '-u'])).trim()).toBe('10001');
      expect(Object.keys(inspect.Config.ExposedPorts ?? {})).toEqual(['3000/tcp']);
      expect(
        (inspect.Config as { Healthcheck?: { Test?: string[] } }).Healthcheck?.Test?.slice(0, 3),
      ).toEqual(['CMD', '/usr/local/bin/node', '-e']);
      // Only this platform's ORT binaries, no npm cache, no build CA.
      const bin = await exec(running.container, [
        'ls',
        '/opt/bentoci/runtime/node_modules/onnxruntime-node/bin/napi-v6',
        '/opt/bentoci/runtime',
      ]);
      expect(bin).toMatch(/napi-v6:\nlinux\n/);
      expect(bin).not.toContain('build-ca.crt');
      expect(
        await exec(running.container, [
          'ls',
          '/opt/bentoci/runtime/node_modules/onnxruntime-node/bin/napi-v6/linux',
        ]),
      ).toBe(`${process.arch}\n`);
    } finally {
      await running.stop();
    }
  }, 120_000);

  it('labels the image with the bento version, provenance and the bento labels', async () => {
    const labels = (await fx.docker.getImage(image).inspect()).Config.Labels ?? {};
    expect(labels['org.opencontainers.image.version']).toBe(bento.info.version);
    expect(labels['org.opencontainers.image.title']).toBe('iris_classifier');
    expect(labels['org.opencontainers.image.created']).toBe(new Date(bento.info.creation_time).toISOString());
    expect(labels['org.opencontainers.image.revision'] ?? '').toMatch(/^([0-9a-f]{40})?$/);
    expect(labels['bentoci.bento']).toBe(`iris_classifier:${bento.info.version}`);
    expect(labels['owner']).toBe('ml-team');
    expect(labels['project']).toBe('iris');
  });

  it('reuses the model layers after a code-only change', async () => {
    const changed = await exampleBento(fx, {
      name: 'iris-readme',
      files: { 'README.md': '# iris\nA changed README.\n' },
    });
    expect(changed.info.version).not.toBe(bento.info.version);
    expect(changed.info.models).toEqual(bento.info.models);
    const second = `bentoci-test/iris:${process.pid}-readme`;
    await containerize(changed, { tags: [second], runtime: fx.runtime });
    const before = await layersByStep(fx.docker, image);
    const after = await layersByStep(fx.docker, second);
    const layerOf = (layers: typeof before, path: string) =>
      layers.find((l) => l.step.includes(` in ${path}`))?.layer;
    for (const model of bento.info.models) {
      const path = `/home/bentoci/bento/${model.path}/`;
      expect(layerOf(before, path), model.path).toBeDefined();
      expect(layerOf(after, path)).toBe(layerOf(before, path));
    }
    expect(layerOf(after, '/opt/bentoci/runtime/node_modules/')).toBe(
      layerOf(before, '/opt/bentoci/runtime/node_modules/'),
    );
    expect(after.at(-1)!.step).toMatch(/ in \/home\/bentoci\/bento\/ *$/);
    expect(after.at(-1)!.layer).not.toBe(before.at(-1)!.layer);
    await fx.docker.getImage(second).remove();
  }, 180_000);

  it('applies the blocks a dockerfile_template overrides', async () => {
    const template = [
      '{% extends bento_base_template %}',
      '{% block SETUP_BENTO_COMPONENTS %}',
      '{{ super() }}',
      'RUN echo "made by the template for {{ bento.name }}" > /template-marker',
      '{% endblock %}',
      '{% block SETUP_BENTO_ENTRYPOINT %}',
      'ENV TEMPLATE_APPLIED=yes',
      '{{ super() }}',
      '{% endblock %}',
    ].join('\n');
    const templated = await exampleBento(fx, {
      name: 'iris-template',
      bentofile: { docker: { distro: 'debian', dockerfile_template: 'Dockerfile.template' } },
      files: { 'Dockerfile.template': template },
    });
    const tag = `bentoci-test/iris:${process.pid}-template`;
    await containerize(templated, { tags: [tag], runtime: fx.runtime });
    const inspect = await fx.docker.getImage(tag).inspect();
    expect(inspect.Config.Env).toContain('TEMPLATE_APPLIED=yes');
    expect(inspect.Config.User).toBe('10001:10001');
    const running = await runImage(fx.docker, tag);
    try {
      await waitReady(running);
      expect(await exec(running.container, ['cat', '/template-marker'])).toBe(
        'made by the template for iris_classifier\n',
      );
    } finally {
      await running.stop();
      await fx.docker.getImage(tag).remove();
    }
  }, 180_000);

  it('builds the CUDA variant on the cuda-named base; without a GPU it stops in words, and runs on CPU when told', async () => {
    const cuda = await exampleBento(fx, {
      name: 'iris-cuda',
      bentofile: { docker: { distro: 'debian', cuda_version: TEST_CUDA } },
    });
    const tag = `bentoci-test/iris:${process.pid}-cuda`;
    // The CUDA provider's libraries come from NuGet, which this machine cannot reach.
    await containerize(cuda, {
      tags: [tag],
      runtime: fx.runtime,
      buildArgs: { ONNXRUNTIME_NODE_INSTALL: 'skip' },
    });
    const inspect = await fx.docker.getImage(tag).inspect();
    expect(inspect.Config.Env).toContain('BENTOCI_PROVIDER=cuda');
    const noGpu = await runImage(fx.docker, tag);
    try {
      const state = (await noGpu.container.wait()) as { StatusCode: number };
      expect(state.StatusCode).toBe(1);
      expect(await noGpu.logs()).toMatch(/execution provider \\?"cuda\\?" was requested/);
    } finally {
      await noGpu.stop();
    }
    const onCpu = await runImage(fx.docker, tag, { BENTOCI_PROVIDER: 'cpu' });
    try {
      await waitReady(onCpu);
    } finally {
      await onCpu.stop();
      await fx.docker.getImage(tag).remove();
    }
  }, 180_000);
});
