/**
 * Every action run through GitHub's own local runner for JavaScript actions (@github/local-action),
 * on the bundles the action.yml files point at (dist/, or $BENTOCI_TEST_ACTIONS_DIST): it imports
 * the entry and calls its `run()`, so this fails when an entry does not export one, when it runs on
 * import, or when a failure is not reported through the exit code. bento-build on the iris example,
 * containerize with the Docker engine, push to a real registry (read back with skopeo), the canary
 * against loopback services, the root action; a bad input through the bundle and through the source
 * entry with local-action's stand-in `core`. Last, a service-module bento built by the action from a
 * copy of dist/ with no esbuild resolvable, as from an action's checkout.
 * Docker and the registry fail (not skip) the test under CI=true when missing.
 */
import { spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { irisModel, twoInputModel } from '../../../examples/models.js';
import { NODE_IMAGE } from '../../../src/containerize/distro.js';
import { type Job, newJob, parseCommandFile, repoPath } from '../../support/action-harness.js';
import { ensureBaseImages } from '../../support/base-images.js';
import { type Service, startService } from '../../support/canary-service.js';
import { type DockerFixture, missingDocker, startDocker } from '../../support/docker.js';
import {
  type LocalActionResult,
  pinnedDist,
  removePinnedDist,
  runLocalAction,
} from '../../support/local-action.js';
import {
  missingTool,
  REGISTRY_BIN,
  type RegistryFixture,
  SKOPEO_BIN,
  skopeo,
  startRegistry,
} from '../../support/registry.js';

const MODELS = 'iris=iris/models/iris.onnx\ntwo_inputs=iris/models/two_inputs.onnx';
const noDocker = missingDocker();
const noRegistry = missingTool(REGISTRY_BIN, SKOPEO_BIN);
const jobs: Job[] = [];

/** A job whose workspace holds examples/iris with the models examples/generate-models.ts writes. */
async function irisJob(env: Record<string, string> = {}): Promise<Job> {
  const job = await newJob(env);
  jobs.push(job);
  await cp(repoPath('examples', 'iris'), join(job.workspace, 'iris'), {
    recursive: true,
    filter: (src) => !src.includes(`${join('iris', 'models')}`),
  });
  await mkdir(join(job.workspace, 'iris', 'models'));
  await writeFile(join(job.workspace, 'iris', 'models', 'iris.onnx'), irisModel());
  await writeFile(join(job.workspace, 'iris', 'models', 'two_inputs.onnx'), twoInputModel());
  return job;
}

const entry = (name: string) => join(pinnedDist(), `${name}.js`);

function ran(result: LocalActionResult): LocalActionResult {
  // local-action found run() and called it (it prints this banner, then the action's log).
  expect(result.log).toContain('Running Action');
  expect(result.log).not.toContain('does not export a run() function');
  return result;
}

function ok(result: LocalActionResult): LocalActionResult {
  ran(result);
  expect(
    result.annotations.filter((a) => a.level === 'error'),
    result.log,
  ).toEqual([]);
  expect(result.exitCode, result.log).toBe(0);
  return result;
}

let built: LocalActionResult;
let buildJob: Job;

beforeAll(async () => {
  pinnedDist();
  buildJob = await irisJob();
  built = await runLocalAction('actions/bento-build', entry('bento-build'), buildJob, {
    context: 'iris',
    models: MODELS,
    version: 'v1',
  });
}, 300_000);

afterAll(async () => {
  await Promise.all(jobs.map((j) => j.cleanup()));
  removePinnedDist();
});

describe('actions through @github/local-action', () => {
  it('bento-build builds the iris example', () => {
    ok(built);
    expect(built.outputs['tag']).toBe('iris_classifier:v1');
    expect(built.outputs['digest']).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(built.outputs['models']).toMatch(/^iris:\S+@sha256:[0-9a-f]{64}\ntwo_inputs:\S+@sha256:/);
    expect(built.summary).toContain('bentoci build');
    expect(built.summary).toContain('iris_classifier:v1');
  });

  it('a bad input fails the step: exit code, an annotation naming the input, the summary', async () => {
    const result = ran(
      await runLocalAction('actions/bento-build', entry('bento-build'), await irisJob(), {
        context: 'iris',
        'export-to': 'bucket',
      }),
    );
    expect(result.exitCode).not.toBe(0);
    const error = result.annotations.find((a) => a.level === 'error');
    expect(error?.properties['title']).toBe('Invalid input "export-to" (bento-build)');
    expect(error?.message).toMatch(/"bucket" is not one of: cache/);
    expect(result.summary).toMatch(/invalid inputs.*export-to/);
  }, 120_000);

  it('with local-action stand-in core (the source entry), a bad input fails the same way', async () => {
    const result = ran(
      await runLocalAction(
        'actions/bento-build',
        repoPath('src', 'actions', 'entries', 'bento-build.ts'),
        await irisJob(),
        { context: 'iris', 'export-to': 'bucket' },
      ),
    );
    expect(result.exitCode, result.log).not.toBe(0);
    expect(result.log).not.toMatch(/TypeError/);
    expect(result.log).toContain('::error title=Invalid input "export-to" (bento-build)::');
    expect(result.summary).toMatch(/invalid inputs.*export-to/);
  }, 120_000);

  it('the root action builds in one step', async () => {
    const result = ok(
      await runLocalAction('.', entry('pipeline'), await irisJob(), {
        context: 'iris',
        models: MODELS,
        version: 'v2',
        containerize: 'false',
        push: 'false',
      }),
    );
    expect(result.outputs['tag']).toBe('iris_classifier:v2');
    expect(result.summary).toContain('bentoci pipeline');
  }, 180_000);

  it('bento-canary passes a candidate that answers as the baseline does', async () => {
    const services: Service[] = await Promise.all([
      startService({ weights: [1, -1, 0.5], delayMs: 1 }),
      startService({ weights: [1, -1, 0.5], delayMs: 1 }),
    ]);
    try {
      const job = await newJob();
      jobs.push(job);
      const lines = Array.from({ length: 20 }, (_, i) =>
        JSON.stringify({ body: { input: [[i / 7, 1, -i / 9, 0.25]] }, route: '/predict' }),
      );
      await writeFile(join(job.workspace, 'requests.jsonl'), `${lines.join('\n')}\n`);
      const result = ok(
        await runLocalAction('actions/bento-canary', entry('bento-canary'), job, {
          baseline: services[0]!.url,
          candidate: services[1]!.url,
          'requests-file': 'requests.jsonl',
        }),
      );
      expect(result.outputs).toMatchObject({ verdict: 'pass', passed: 'true' });
      expect(result.summary).toContain('bento-canary: pass');
    } finally {
      await Promise.all(services.map((s) => s.close()));
    }
  }, 180_000);
});

describe.skipIf(noRegistry)(
  `bento-push through local-action${noRegistry ? ` (skipped: ${noRegistry})` : ''}`,
  () => {
    let registry: RegistryFixture;
    beforeAll(async () => {
      registry = await startRegistry();
    });
    afterAll(() => registry?.stop());

    it('pushes the built bento; skopeo reads it under the digest the outputs report', async () => {
      ok(built);
      const result = ok(
        await runLocalAction('actions/bento-push', entry('bento-push'), buildJob, {
          bento: 'iris_classifier:v1',
          registry: `${registry.host}/team/iris-bento`,
          insecure: 'true',
        }),
      );
      expect(result.outputs['pushed-refs']).toContain(`${registry.host}/team/iris-bento:v1`);
      const raw = await skopeo([
        'inspect',
        '--raw',
        '--tls-verify=false',
        `docker://${registry.host}/team/iris-bento:v1`,
      ]);
      const { createHash } = await import('node:crypto');
      expect(`sha256:${createHash('sha256').update(raw).digest('hex')}`).toBe(
        result.outputs['artifact-digest'],
      );
    }, 180_000);
  },
);

describe.skipIf(noDocker)(
  `bento-containerize through local-action${noDocker ? ` (skipped: ${noDocker})` : ''}`,
  () => {
    let engine: DockerFixture;
    const image = `bentoci-local-action-test/iris:${process.pid}`;
    beforeAll(async () => {
      engine = await startDocker();
      await ensureBaseImages(engine.docker, [NODE_IMAGE]);
    }, 600_000);
    afterAll(async () => {
      await engine?.docker
        .getImage(image)
        .remove({ force: true })
        .catch(() => undefined);
      await engine?.stop();
    }, 60_000);

    it('builds the image of the built bento', async () => {
      ok(built);
      const result = ok(
        await runLocalAction(
          'actions/bento-containerize',
          entry('bento-containerize'),
          buildJob,
          { bento: 'iris_classifier:v1', tags: image },
          { DOCKER_HOST: engine.host },
        ),
      );
      expect(result.outputs['image-tags']).toBe(image);
      expect((await engine.docker.getImage(image).inspect()).Id).toBe(result.outputs['image-id']);
    }, 600_000);
  },
);

/** A directory with no node_modules above it: the temp dir, unless someone linked one there. */
function dirWithoutEsbuild(): string {
  for (const dir of [tmpdir(), '/var/tmp', '/dev/shm']) {
    try {
      createRequire(join(dir, 'probe.js')).resolve('esbuild');
    } catch {
      return dir;
    }
  }
  throw new Error('esbuild resolves from every temp directory here (a node_modules above them)');
}

describe('a service-module bento, built by the action with no esbuild installed', () => {
  it('bundles with the esbuild-wasm copy in dist/, to the same bundle as native esbuild', async () => {
    // The runner's way: `node <checkout>/dist/bento-build.js`, in a checkout without node_modules.
    const root = await mkdtemp(join(dirWithoutEsbuild(), 'bentoci-checkout-'));
    try {
      await cp(pinnedDist(), join(root, 'dist'), { recursive: true });
      expect(() => createRequire(join(root, 'dist', 'x.js')).resolve('esbuild')).toThrow();
      const job = await newJob();
      jobs.push(job);
      // The project, too, is where no esbuild resolves.
      const workspace = join(root, 'work');
      await cp(repoPath('examples', 'iris'), join(workspace, 'iris'), { recursive: true });
      await mkdir(join(workspace, 'iris', 'models'), { recursive: true });
      await writeFile(join(workspace, 'iris', 'models', 'iris.onnx'), irisModel());
      await writeFile(join(workspace, 'iris', 'models', 'two_inputs.onnx'), twoInputModel());
      const output = join(job.temp, 'output');
      await writeFile(output, '');
      const env = {
        PATH: process.env['PATH'] ?? '',
        HOME: job.root,
        GITHUB_WORKSPACE: workspace,
        GITHUB_OUTPUT: output,
        RUNNER_TEMP: job.temp,
        BENTOCI_HOME: job.home,
        INPUT_CONTEXT: 'iris',
        INPUT_BENTOFILE: 'iris/bentofile.hooks.yaml',
        INPUT_MODELS: MODELS,
        INPUT_VERSION: 'wasm',
      };
      const { code, log } = await new Promise<{ code: number; log: string }>((done, reject) => {
        const child = spawn(process.execPath, [join(root, 'dist', 'bento-build.js')], {
          cwd: workspace,
          env,
        });
        let text = '';
        child.stdout.on('data', (c: Buffer) => {
          text += c.toString();
        });
        child.stderr.on('data', (c: Buffer) => {
          text += c.toString();
        });
        child.on('error', reject);
        child.on('close', (c) => done({ code: c ?? 1, log: text }));
      });
      expect(code, log).toBe(0);
      expect(parseCommandFile(await readFile(output, 'utf8'))['tag']).toBe('iris_hooks:wasm');
      const wasmBundle = await readFile(
        join(job.home, 'bentos', 'iris_hooks', 'wasm', 'src', 'service.mjs'),
        'utf8',
      );
      expect(wasmBundle).toContain('export {');

      // The same bento through local-action on the copy inside this package: native esbuild.
      const native = await irisJob();
      ok(
        await runLocalAction('actions/bento-build', entry('bento-build'), native, {
          context: 'iris',
          bentofile: 'iris/bentofile.hooks.yaml',
          models: MODELS,
          version: 'native',
        }),
      );
      const nativeBundle = await readFile(
        join(native.home, 'bentos', 'iris_hooks', 'native', 'src', 'service.mjs'),
        'utf8',
      );
      expect(wasmBundle).toBe(nativeBundle);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  }, 300_000);
});
