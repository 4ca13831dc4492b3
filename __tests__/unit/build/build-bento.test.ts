import { spawnSync } from 'node:child_process';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildBento } from '../../../src/build/build.js';
import { openBentoStore } from '../../../src/core/bento-store.js';
import { openModelStore, saveModel } from '../../../src/core/model-store.js';
import type { BentoInfo } from '../../../src/shared/schemas.js';
import { bentoFile, exampleCopy, homeWithModels, MODEL_TIME, project } from '../../build-support.js';
import { tempDir } from '../../support/store-cli.js';

describe('bentoci build', () => {
  let home: string;
  beforeAll(async () => {
    home = await homeWithModels();
  });

  it('builds the example project into a bento with pinned models, resolved APIs and its files', async () => {
    const { bento, reused } = await buildBento({ home, context: await exampleCopy() });
    expect(reused).toBe(false);
    const info = bento.info;
    expect(info.name).toBe('iris_classifier');
    expect(info.bentoci_version).toMatch(/^\d+\.\d+\.\d+/);
    expect(Date.parse(info.creation_time)).toBeGreaterThan(Date.parse('2024-01-01'));
    const models = openModelStore(home);
    const iris = await models.get('iris:v1');
    const two = await models.get('two_inputs:v1');
    expect(info.models).toEqual([
      {
        tag: 'iris:v1',
        module: 'onnx',
        digest: iris.info.digest,
        size: iris.info.size,
        path: 'models/iris/v1',
      },
      {
        tag: 'two_inputs:v1',
        module: 'onnx',
        digest: two.info.digest,
        size: two.info.size,
        path: 'models/two_inputs/v1',
      },
    ]);
    expect(info.service).toEqual({
      name: 'iris_classifier',
      apis: [
        {
          name: 'predict',
          route: '/predict',
          model: 'iris:v1',
          method: 'run',
          batching: { enabled: true, max_batch_size: 64, max_latency_ms: 50 },
          input: iris.info.signatures['run']!.inputs,
          output: iris.info.signatures['run']!.outputs,
        },
        {
          name: 'score',
          route: '/score',
          model: 'two_inputs:v1',
          method: 'run',
          batching: { enabled: true, max_batch_size: 32, max_latency_ms: 50 },
          input: two.info.signatures['run']!.inputs,
          output: two.info.signatures['run']!.outputs,
        },
      ],
    });
    expect(info.labels).toEqual({ owner: 'ml-team', project: 'iris' });
    expect(info.envs).toEqual([{ name: 'IRIS_SPECIES', value: 'setosa,versicolor,virginica' }]);
    expect(info.docker).toEqual({ distro: 'debian' });
    expect(info.files.map((f) => f.path)).toEqual([
      'apis/openapi.yaml',
      'bentofile.lock.yaml',
      'env/docker/Dockerfile',
      'models/iris/v1/iris.onnx',
      'models/iris/v1/model.yaml',
      'models/two_inputs/v1/model.yaml',
      'models/two_inputs/v1/two_inputs.onnx',
      'src/README.md',
      'src/src/service.ts',
    ]);
    // Models are hard links into the model store (same filesystem), not copies.
    const [linked, original] = await Promise.all([
      stat(join(bento.dir, 'models/iris/v1/iris.onnx')),
      stat(join(iris.dir, 'iris.onnx')),
    ]);
    expect(linked.ino).toBe(original.ino);
    // The lock file carries what the runtime and containerize act on, so the digest covers it.
    expect(await bentoFile(bento.dir, 'bentofile.lock.yaml')).toEqual({
      service: info.service,
      models: info.models,
      envs: info.envs,
      node: info.node,
      docker: info.docker,
    });
    const store = openBentoStore(home);
    expect(await store.verify(bento)).toEqual([]);
    expect((await store.get('iris_classifier')).tag).toEqual(bento.tag);
  });

  it('records every bentofile field', async () => {
    const extra = join(await tempDir('build-extra'), 'vocab.txt');
    await writeFile(extra, 'a\nb\n');
    await saveModel(openModelStore(home), { tag: 'vocab:v1', source: extra, creationTime: MODEL_TIME });
    const bentofile = `service:
  name: all_fields_svc
  description: from the service
  labels: { team: ml, owner: service }
  apis:
    - name: predict
      route: /v1/predict
      model: iris:v1
      method: run
      batching: { enabled: false, max_batch_size: 8, max_latency_ms: 2.5 }
    - name: score
      model: two_inputs
name: all_fields
description: "file: ./DESCRIPTION.md"
labels: { owner: ml-team }
models: [{ tag: "iris:v1" }, vocab]
include: ["src/**", "config/*.json", DESCRIPTION.md]
exclude: ["**/*.test.ts"]
envs:
  - { name: LOG_LEVEL, value: debug }
  - { name: WORKERS, value: "2" }
node: { packages: [lodash@4.17.21], lockfile: package-lock.json }
docker:
  distro: ubuntu
  cuda_version: "12.4"
  system_packages: [curl, libgomp1]
  setup_script: scripts/setup.sh
  env: { OMP_NUM_THREADS: "1", A_FIRST: "x" }
  dockerfile_template: Dockerfile.template
`;
    const dir = await project({
      'bentofile.yaml': bentofile,
      '.bentoignore': '# not shipped\nsrc/secret.txt\n*.tmp\n',
      'DESCRIPTION.md': '# All fields\n',
      'src/app.ts': 'export const x = 1;\n',
      'src/app.test.ts': 'test\n',
      'src/secret.txt': 'secret\n',
      'src/cache.tmp': 'tmp\n',
      'src/nested/util.ts': 'export {};\n',
      'config/a.json': '{}\n',
      'config/b.yaml': 'no: 1\n',
      'other.txt': 'not included\n',
      'src/node_modules/dep/index.js': 'never\n',
      'package-lock.json': '{"lockfileVersion": 3}\n',
      'scripts/setup.sh': '#!/bin/sh\necho setup\n',
      'Dockerfile.template': '{% extends bento_base_template %}\n',
    });
    const { bento } = await buildBento({ home, context: dir, labels: { owner: 'cli', stage: 'dev' } });
    const info = bento.info;
    expect(info.name).toBe('all_fields');
    expect(info.description).toBe('# All fields\n');
    expect(info.labels).toEqual({ owner: 'cli', stage: 'dev', team: 'ml' });
    expect(Object.keys(info.labels)).toEqual(['owner', 'stage', 'team']);
    expect(info.service.name).toBe('all_fields_svc');
    expect(info.service.apis.map(({ input: _i, output: _o, ...api }) => api)).toEqual([
      {
        name: 'predict',
        route: '/v1/predict',
        model: 'iris:v1',
        method: 'run',
        batching: { enabled: false, max_batch_size: 8, max_latency_ms: 2.5 },
      },
      // Defaults: route /<name>, method run, batching enabled as the signature is batchable.
      {
        name: 'score',
        route: '/score',
        model: 'two_inputs:v1',
        method: 'run',
        batching: { enabled: true, max_batch_size: 64, max_latency_ms: 100 },
      },
    ]);
    expect(info.models.map((m) => [m.tag, m.module])).toEqual([
      ['iris:v1', 'onnx'],
      ['two_inputs:v1', 'onnx'],
      ['vocab:v1', 'files'],
    ]);
    expect(info.envs).toEqual([
      { name: 'LOG_LEVEL', value: 'debug' },
      { name: 'WORKERS', value: '2' },
    ]);
    expect(info.node).toEqual({ packages: ['lodash@4.17.21'], lockfile: 'env/node/package-lock.json' });
    expect(info.docker).toEqual({
      distro: 'ubuntu',
      cuda_version: '12.4.1',
      system_packages: ['curl', 'libgomp1'],
      setup_script: 'env/docker/setup_script',
      env: { A_FIRST: 'x', OMP_NUM_THREADS: '1' },
      dockerfile_template: 'env/docker/Dockerfile.template',
    });
    expect(info.files.map((f) => f.path).filter((p) => !p.startsWith('models/'))).toEqual([
      'apis/openapi.yaml',
      'bentofile.lock.yaml',
      'env/docker/Dockerfile',
      'env/docker/Dockerfile.template',
      'env/docker/setup_script',
      'env/node/package-lock.json',
      'src/DESCRIPTION.md',
      'src/config/a.json',
      'src/src/app.ts',
      'src/src/nested/util.ts',
    ]);
    expect(await readFile(join(bento.dir, 'env/docker/setup_script'), 'utf8')).toBe(
      '#!/bin/sh\necho setup\n',
    );
    expect(await readFile(join(bento.dir, 'models/vocab/v1/vocab.txt'), 'utf8')).toBe('a\nb\n');

    // A base image instead of a CUDA version.
    await writeFile(
      join(dir, 'bentofile.yaml'),
      bentofile.replace('cuda_version: "12.4"', 'base_image: "debian:bookworm-slim"'),
    );
    const other = await buildBento({ home, context: dir });
    expect(other.bento.info.docker.base_image).toBe('debian:bookworm-slim');
    expect(other.bento.info.docker.cuda_version).toBeUndefined();
  });

  it('bundles a service module with hooks and reads the APIs it declares', async () => {
    const dir = await exampleCopy();
    const { bento } = await buildBento({ home, context: dir, bentofile: join(dir, 'bentofile.hooks.yaml') });
    const info: BentoInfo = bento.info;
    expect(info.name).toBe('iris_hooks');
    expect(info.description).toBe('Iris species names from four flower measurements');
    expect(info.service.module).toBe('service.mjs:svc');
    expect(info.service.apis.map((a) => [a.name, a.route, a.model, a.batching])).toEqual([
      ['predict', '/predict', 'iris:v1', { enabled: true, max_batch_size: 64, max_latency_ms: 10 }],
      ['score', '/score', 'two_inputs:v1', { enabled: true, max_batch_size: 64, max_latency_ms: 100 }],
    ]);
    // The bundle is self-contained ESM the runtime can import, with the hooks in it.
    const mod = (await import(join(bento.dir, 'src', 'service.mjs'))) as {
      svc: { apis: Record<string, { pre?: (t: unknown) => unknown; post?: (t: unknown) => unknown }> };
    };
    const out = mod.svc.apis['predict']!.post!({
      probabilities: { dtype: 'float32', shape: [1, 3], data: new Float32Array([0.1, 0.7, 0.2]) },
    });
    expect(out).toMatchObject({ species: ['versicolor'] });
    // A post hook decides the response body, so the document does not promise the tensor.
    const doc = (await bentoFile(bento.dir, 'apis/openapi.yaml')) as {
      components: { schemas: Record<string, unknown> };
    };
    expect(doc.components.schemas['predict_output']).toEqual({
      description: "Whatever the service's post hook for predict returns",
    });
    expect(doc.components.schemas['score_output']).toMatchObject({ type: 'array' });
    // No temporary file is left beside the module.
    expect(await readdir(join(dir, 'src'))).toEqual(['service.ts']);
  });

  it('bundles what the module imports, CommonJS included, into one file', async () => {
    const dir = await project({
      'bentofile.yaml': 'service: "src/service.ts:svc"\ninclude: ["src/*.ts"]\n',
      'src/service.ts': [
        "import { where } from './lib.cjs';",
        "import { threshold } from './settings.ts';",
        "export const svc = { name: 'bundled', description: typeof where + ' ' + threshold, apis: { predict: { model: 'iris:v1' } } };",
      ].join('\n'),
      'src/lib.cjs': "module.exports = { where: __dirname, path: require('node:path').sep };\n",
      'src/settings.ts': 'export const threshold: number = 0.5;\n',
    });
    const { bento } = await buildBento({ home, context: dir });
    expect(bento.info.description).toBe('string 0.5');
    expect(bento.info.files.map((f) => f.path).filter((p) => p.startsWith('src/'))).toEqual([
      'src/service.mjs',
      'src/src/service.ts',
      'src/src/settings.ts',
    ]);
    // Plain Node, as the runtime loads it (vitest's module runner would supply __dirname itself).
    const url = pathToFileURL(join(bento.dir, 'src', 'service.mjs')).href;
    const node = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const m = await import(${JSON.stringify(url)}); process.stdout.write(m.svc.description);`,
      ],
      { encoding: 'utf8' },
    );
    expect(node.stderr).toBe('');
    expect(node.stdout).toBe('string 0.5');
  });
});
