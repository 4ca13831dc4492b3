/**
 * The model store's contract: ONNX signatures read from the model, label filters, `latest` that
 * follows deletes, version prefixes, and damage that `models verify` reports and export refuses.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportEntry } from '../../../src/core/archive/export.js';
import { IntegrityError, NotFoundError, UsageError } from '../../../src/core/errors.js';
import { manifestOf, sha256File } from '../../../src/core/files.js';
import { openModelStore, saveModel } from '../../../src/core/model-store.js';
import { readOnnxSummary } from '../../../src/core/onnx-signature.js';
import {
  assertCliBuilt,
  bentoci,
  removeTempDirs,
  snapshot,
  tempDir,
  writeExampleModels,
} from '../../support/store-cli.js';

let work: string;
let models: { iris: string; twoInputs: string };

beforeAll(async () => {
  work = await tempDir('store-entries');
  models = await writeExampleModels(work);
});

afterAll(removeTempDirs);

async function filesModel(dir: string, bytes = 4096): Promise<string> {
  await mkdir(join(dir, 'weights'), { recursive: true });
  await writeFile(join(dir, 'weights', 'layer.bin'), Buffer.alloc(bytes, 3));
  await writeFile(join(dir, 'vocab.txt'), 'a\nb\nc\n');
  return dir;
}

describe('ONNX signatures', () => {
  it('reads names, dtypes and shapes of the iris classifier into model.yaml', async () => {
    const store = openModelStore(await tempDir('onnx-iris'));
    const saved = await saveModel(store, { tag: 'iris', source: models.iris });
    expect(saved.info.module).toBe('onnx');
    expect(saved.info.entrypoint).toBe('iris.onnx');
    expect(saved.info.signatures).toEqual({
      run: {
        batchable: true,
        batch_dim: 0,
        inputs: [{ name: 'input', dtype: 'float32', shape: ['batch', 4], batch_axis: 0 }],
        outputs: [{ name: 'probabilities', dtype: 'float32', shape: ['batch', 3], batch_axis: 0 }],
      },
    });
    expect(saved.info.context.framework_versions).toMatchObject({ onnx_ir: '8', 'opset.ai.onnx': '17' });
    const yaml = await readFile(join(saved.dir, 'model.yaml'), 'utf8');
    expect(yaml).toContain('name: probabilities');
  });

  it('reads two named inputs of different dtypes, without taking weights for inputs', async () => {
    const summary = await readOnnxSummary(models.twoInputs);
    expect(summary.inputs).toEqual([
      { name: 'features', dtype: 'float32', shape: ['batch', 4] },
      { name: 'bucket', dtype: 'int64', shape: ['batch', 1] },
    ]);
    expect(summary.outputs).toEqual([{ name: 'score', dtype: 'float32', shape: ['batch', 1] }]);
    const store = openModelStore(await tempDir('onnx-two'));
    const saved = await saveModel(store, { tag: 'two', source: models.twoInputs, batchable: false });
    expect(saved.info.signatures['run']).toMatchObject({ batchable: false, batch_dim: 0 });
  });

  it('refuses a file named .onnx that is not a model, pointing at --module files', async () => {
    const fake = join(work, 'fake.onnx');
    await writeFile(fake, 'not a protobuf at all, just text');
    const home = await tempDir('onnx-fake');
    const err = await saveModel(openModelStore(home), { tag: 'fake', source: fake }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(/fake\.onnx is not a readable ONNX model .*`module: files`/);
    expect(await openModelStore(home).list()).toEqual([]);
    // The failed save cleaned up after itself instead of leaving work for the next sweep.
    expect((await snapshot(home)).staging).toEqual([]);
  });
});

describe('list with label filters', () => {
  it('keeps entries whose labels match every --label, oldest first', async () => {
    assertCliBuilt();
    const home = await tempDir('labels');
    const store = openModelStore(home);
    const src = await filesModel(await tempDir('labels-src'));
    const save = (tag: string, labels: Record<string, string>) =>
      saveModel(store, { tag, source: src, labels });
    await save('iris:a1', { stage: 'prod', team: 'vision' });
    await save('iris:b2', { stage: 'candidate', team: 'vision' });
    await save('other:c3', { stage: 'prod', team: 'nlp' });

    const tags = async (labels: Record<string, string>, name?: string) =>
      (await store.list({ labels, ...(name ? { name } : {}) })).map((e) => `${e.tag.name}:${e.tag.version}`);
    expect(await tags({})).toEqual(['iris:a1', 'iris:b2', 'other:c3']);
    expect(await tags({ stage: 'prod' })).toEqual(['iris:a1', 'other:c3']);
    expect(await tags({ stage: 'prod', team: 'vision' })).toEqual(['iris:a1']);
    expect(await tags({ stage: 'prod' }, 'iris')).toEqual(['iris:a1']);
    expect(await tags({ stage: 'gone' })).toEqual([]);

    const run = await bentoci(
      ['models', 'list', '--label', 'team=vision', '--label', 'stage=candidate', '--json'],
      { home },
    );
    expect(run.code, run.stderr).toBe(0);
    expect((JSON.parse(run.stdout.toString()) as Array<{ tag: string }>).map((e) => e.tag)).toEqual([
      'iris:b2',
    ]);
    const bad = await bentoci(['models', 'list', '--label', 'novalue'], { home });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('invalid --label "novalue": expected key=value');
  });
});

describe('latest and delete', () => {
  it('latest moves to the newest remaining version, and goes with the last one', async () => {
    const home = await tempDir('latest');
    const store = openModelStore(home);
    const src = await filesModel(await tempDir('latest-src'));
    const v = [];
    for (let i = 0; i < 3; i++) v.push((await saveModel(store, { tag: 'iris', source: src })).tag.version);
    const latest = async () => (await store.resolve('iris')).version;
    expect(await latest()).toBe(v[2]);

    await store.delete(`iris:${v[2]}`);
    expect(await latest()).toBe(v[1]);
    await store.delete(`iris:${v[0]}`);
    expect(await latest()).toBe(v[1]);
    await store.delete(`iris:${v[1]}`);
    await expect(store.resolve('iris')).rejects.toBeInstanceOf(NotFoundError);
    expect(existsSync(join(home, 'models', 'iris'))).toBe(false);
  });

  it('deleting a name removes every version; other names are untouched', async () => {
    const home = await tempDir('delete-name');
    const store = openModelStore(home);
    const src = await filesModel(await tempDir('delete-name-src'));
    await saveModel(store, { tag: 'iris:v1', source: src });
    await saveModel(store, { tag: 'iris:v2', source: src });
    await saveModel(store, { tag: 'keep:v1', source: src });
    expect((await store.delete('iris')).map((t) => t.version).sort()).toEqual(['v1', 'v2']);
    expect((await store.list()).map((e) => e.tag.name)).toEqual(['keep']);
    expect(await readdir(join(home, 'models'))).not.toContain('iris');
  });

  it('a saved tag is immutable unless --force', async () => {
    const store = openModelStore(await tempDir('immutable'));
    const src = await filesModel(await tempDir('immutable-src'));
    await saveModel(store, { tag: 'iris:v1', source: src });
    await expect(saveModel(store, { tag: 'iris:v1', source: models.iris })).rejects.toThrow(
      'model iris:v1 already exists: saved tags are immutable (use `force` to replace it)',
    );
    const replaced = await saveModel(store, { tag: 'iris:v1', source: models.iris, force: true });
    expect(replaced.info.module).toBe('onnx');
    expect(await store.verify(await store.get('iris:v1'))).toEqual([]);
  });
});

describe('version prefixes', () => {
  it('a unique prefix resolves; an ambiguous one lists the candidates', async () => {
    assertCliBuilt();
    const home = await tempDir('prefix');
    const store = openModelStore(home);
    const src = await filesModel(await tempDir('prefix-src'));
    for (const version of ['abc1', 'abc2', 'xyz9'])
      await saveModel(store, { tag: `iris:${version}`, source: src });
    expect((await store.resolve('iris:xy')).version).toBe('xyz9');
    expect((await store.resolve('iris:abc1')).version).toBe('abc1');
    await expect(store.resolve('iris:abc')).rejects.toThrow(
      'model tag iris:abc is ambiguous: it matches iris:abc1, iris:abc2',
    );
    await expect(store.resolve('iris:q')).rejects.toBeInstanceOf(NotFoundError);

    const run = await bentoci(['models', 'get', 'iris:abc'], { home });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /^error: model tag iris:abc is ambiguous: it matches iris:abc[12], iris:abc[12]\n$/,
    );
  });
});

describe('damaged entries', () => {
  it('models verify reports a digest mismatch and a missing file, and exits 1', async () => {
    assertCliBuilt();
    const home = await tempDir('damaged');
    const store = openModelStore(home);
    const src = await filesModel(await tempDir('damaged-src'));
    const modified = await saveModel(store, { tag: 'iris:v1', source: src });
    const missing = await saveModel(store, { tag: 'iris:v2', source: src });
    await saveModel(store, { tag: 'fine:v1', source: src });

    const ok = await bentoci(['models', 'verify'], { home });
    expect(ok.code, ok.stderr).toBe(0);

    const layer = join(modified.dir, 'weights', 'layer.bin');
    const bytes = await readFile(layer);
    bytes[100] = 42;
    await writeFile(layer, bytes);
    await rm(join(missing.dir, 'vocab.txt'));

    const run = await bentoci(['models', 'verify'], { home });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('iris:v1: DAMAGED: weights/layer.bin modified');
    expect(run.stderr).toContain('iris:v2: DAMAGED: vocab.txt missing');
    expect(run.stderr).toContain('fine:v1: ok');
    expect(run.stderr.trim().split('\n').at(-1)).toMatch(
      /^error: 2 of 3 entries are damaged \(iris:v1, iris:v2\)/,
    );

    const one = await bentoci(['models', 'verify', 'iris:v1', '--json'], { home });
    expect(one.code).toBe(1);
    expect(JSON.parse(one.stdout.toString())).toEqual([
      { tag: 'iris:v1', problems: [{ path: 'weights/layer.bin', problem: 'modified' }] },
    ]);
  });

  it('models verify reports an entry whose model.yaml is gone or invalid, which list cannot show', async () => {
    const home = await tempDir('damaged-info');
    const store = openModelStore(home);
    const src = await filesModel(await tempDir('damaged-info-src'));
    const gone = await saveModel(store, { tag: 'iris:v1', source: src });
    const invalid = await saveModel(store, { tag: 'iris:v2', source: src });
    await saveModel(store, { tag: 'fine:v1', source: src });
    await rm(join(gone.dir, 'model.yaml'));
    await writeFile(join(invalid.dir, 'model.yaml'), 'name: [unclosed\n');

    const run = await bentoci(['models', 'verify', '--json'], { home });
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout.toString())).toEqual([
      { tag: 'fine:v1', problems: [] },
      { tag: 'iris:v1', problems: [{ path: 'model.yaml', problem: 'unreadable' }] },
      { tag: 'iris:v2', problems: [{ path: 'model.yaml', problem: 'unreadable' }] },
    ]);
    expect(run.stderr.trim().split('\n').at(-1)).toMatch(
      /^error: 2 of 3 entries are damaged \(iris:v1, iris:v2\)/,
    );
  });

  it('a damaged entry is never exported silently', async () => {
    const home = await tempDir('damaged-export');
    const store = openModelStore(home);
    const saved = await saveModel(store, {
      tag: 'iris:v1',
      source: await filesModel(await tempDir('de-src')),
    });
    const layer = join(saved.dir, 'weights', 'layer.bin');
    const bytes = await readFile(layer);
    bytes[0] = 9;
    await writeFile(layer, bytes);
    const out = join(await tempDir('damaged-export-out'), 'iris.bentomodel');
    const err = await exportEntry(store, 'iris:v1', out, { log: () => undefined }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IntegrityError);
    expect((err as Error).message).toMatch(/layer\.bin does not match its recorded sha256 .* not exported/);
    expect(existsSync(out)).toBe(false);
    expect(await readdir(join(out, '..'))).toEqual([]);
  });
});

describe('manifestOf', () => {
  it('takes digests hashed while staging for files of the same size, and hashes the rest', async () => {
    const dir = join(work, 'manifest-of');
    await mkdir(join(dir, 'sub'), { recursive: true });
    await writeFile(join(dir, 'a.bin'), 'aaaa');
    await writeFile(join(dir, 'sub', 'b.bin'), 'bb');
    const claimed = `${'1'.repeat(64)}`;
    const files = await manifestOf(
      dir,
      undefined,
      new Map([
        ['a.bin', { path: 'a.bin', sha256: claimed, size: 4 }],
        // A size that does not match what is on disk: the claim is not used.
        ['sub/b.bin', { path: 'sub/b.bin', sha256: claimed, size: 3 }],
      ]),
    );
    expect(files).toEqual([
      { path: 'a.bin', sha256: claimed, size: 4 },
      { path: 'sub/b.bin', sha256: await sha256File(join(dir, 'sub', 'b.bin')), size: 2 },
    ]);
    // Files the claims do not mention are listed and hashed as always.
    await writeFile(join(dir, 'c.bin'), 'c');
    expect((await manifestOf(dir, undefined, new Map())).map((f) => f.path)).toEqual([
      'a.bin',
      'c.bin',
      'sub/b.bin',
    ]);
  });
});
