/**
 * Models and bentos between jobs through the Actions cache: each "job" has its own workspace, temp
 * dir and store home, and the actions run from dist/ as the runner runs them. @actions/cache is the
 * real library; the cache service is a local fixture of its public protocol with blobs in Azurite.
 */
import { readdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openModelStore } from '../../../src/core/model-store.js';
import {
  type Job,
  newJob,
  runActionStep,
  type StepResult,
  writeProject,
} from '../../support/action-harness.js';
import { type CacheServiceFixture, startCacheService } from '../../support/cache-service.js';

let service: CacheServiceFixture;
const jobs: Job[] = [];

async function job(): Promise<Job> {
  const j = await newJob(service.env);
  jobs.push(j);
  await writeProject(j);
  return j;
}

function ok(result: StepResult): StepResult {
  const log = result.stdout + result.stderr;
  expect(
    result.annotations.filter((a) => a.level === 'error'),
    log,
  ).toEqual([]);
  expect(result.exitCode, log).toBe(0);
  return result;
}

beforeAll(async () => {
  service = await startCacheService();
});

afterAll(async () => {
  await Promise.all(jobs.map((j) => j.cleanup()));
  await service?.close();
});

describe('export-to / import-from: cache', () => {
  let trained: StepResult;

  beforeAll(async () => {
    // Job A: a training job saves the model and hands it on.
    trained = ok(
      await runActionStep(
        'actions/bento-build',
        { models: 'iris=project/models/iris.onnx', build: 'false', 'export-to': 'cache' },
        await job(),
      ),
    );
  });

  it('saves the model under a key made of its tag and digest', () => {
    const [ref] = trained.outputs['models']!.split('\n');
    const match = /^iris:([0-9a-z]{16})@sha256:([0-9a-f]{64})$/.exec(ref!);
    expect(match, ref).not.toBeNull();
    const key = `bentoci-model-iris:${match![1]}@${match![2]!.slice(0, 12)}`;
    expect(service.entries().map((e) => e.key)).toContain(key);
    expect(trained.summary).toContain(`| export | model \`iris:${match![1]}\` | \`${key}\` | saved |`);
    expect(trained.outputs['tag']).toBe('');
  });

  it('gives job B exactly the model job A saved, and builds from it', async () => {
    const b = await job();
    const modelRef = trained.outputs['models']!;
    const built = ok(
      await runActionStep(
        'actions/bento-build',
        { context: 'project', 'import-from': 'cache', 'import-models': modelRef, 'export-to': 'cache' },
        b,
      ),
    );
    // The bento carries the very model (tag and digest) job A saved.
    expect(built.outputs['models']).toBe(modelRef);
    const [tag, digest] = modelRef.split('@') as [string, string];
    const model = await openModelStore(b.home).get(tag);
    expect(model.info.digest).toBe(digest);
    expect(built.summary).toContain('| import | model');
    expect(built.summary).toContain('| restored |');
    expect(built.outputs['cache-key']).toBe(
      `bentoci-bento-${built.outputs['tag']}@${built.outputs['digest']!.slice('sha256:'.length, 'sha256:'.length + 12)}`,
    );
    // Nothing of the transfer is left in the workspace.
    expect(await readdir(b.workspace)).toEqual(['project']);
  });

  it('restores the newest model of a name through the restore-key prefix', async () => {
    const b = await job();
    const built = ok(
      await runActionStep(
        'actions/bento-build',
        { context: 'project', 'import-from': 'cache', 'import-models': 'iris' },
        b,
      ),
    );
    expect(built.outputs['models']).toBe(trained.outputs['models']);
    expect(built.stdout).toContain('Cache hit for restore-key: bentoci-model-iris:');
  });

  it('fails clearly on a miss, naming the key, instead of building something else', async () => {
    const b = await job();
    const [tag] = trained.outputs['models']!.split('@');
    const other = `sha256:${'0'.repeat(64)}`;
    const result = await runActionStep(
      'actions/bento-build',
      { context: 'project', 'import-from': 'cache', 'import-models': `${tag}@${other}` },
      b,
    );
    expect(result.exitCode).toBe(1);
    const errors = result.annotations.filter((a) => a.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.properties['title']).toMatch(
      /^Import model .* from the Actions cache failed \(bento-build\)$/,
    );
    expect(errors[0]!.message).toContain(
      `is not in the Actions cache (key bentoci-model-${tag}@000000000000)`,
    );
    expect(result.stdout).not.toContain('::group::Build bento');
    expect(await openModelStore(b.home).list()).toEqual([]);
  });

  it('keeps one cache entry per content: saving and exporting the same model again is not an error', async () => {
    // model.yaml's creation time is part of the digest: SOURCE_DATE_EPOCH fixes it, so the same file
    // saved under the same tag in another run is the same entry, with the same key.
    const save = async () =>
      ok(
        await runActionStep(
          'actions/bento-build',
          { models: 'iris:same=project/models/iris.onnx', build: 'false', 'export-to': 'cache' },
          await job(),
          { env: { SOURCE_DATE_EPOCH: '1700000000' } },
        ),
      );
    expect((await save()).summary).toContain('| saved |');
    const again = await save();
    expect(again.summary).toContain('| already cached |');
    expect(service.entries().filter((e) => e.key.startsWith('bentoci-model-iris:same@'))).toHaveLength(1);
  });

  it('checks the runtime token (the fixture is a real gate)', async () => {
    const b = await newJob({ ...service.env, ACTIONS_RUNTIME_TOKEN: 'wrong' });
    jobs.push(b);
    await writeProject(b);
    const result = await runActionStep(
      'actions/bento-build',
      { 'import-from': 'cache', 'import-models': 'iris', build: 'false' },
      b,
    );
    expect(result.exitCode).toBe(1);
    expect(
      result.annotations.some(
        (a) => a.level === 'warning' && /401|unauthenticated|Unauthorized/i.test(a.message),
      ),
    ).toBe(true);
    expect(result.annotations.find((a) => a.level === 'error')!.message).toContain(
      'is not in the Actions cache',
    );
  });
});
