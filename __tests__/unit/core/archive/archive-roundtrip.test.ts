/**
 * `bentoci models export|import` end to end between two store homes, through every transport: a
 * file, a pipe (stdout -> stdin) and an http:// URL served by a local node:http server.
 */
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportEntry } from '../../../../src/core/archive/export.js';
import { importArchive } from '../../../../src/core/archive/import.js';
import { openBentoStore } from '../../../../src/core/bento-store.js';
import { UsageError } from '../../../../src/core/errors.js';
import { openModelStore, saveModel } from '../../../../src/core/model-store.js';
import { readMembers } from '../../../support/archive-build.js';
import {
  assertCliBuilt,
  bentoci,
  cliPath,
  collect,
  removeTempDirs,
  snapshot,
  spawnCli,
  tempDir,
  writeExampleModels,
} from '../../../support/store-cli.js';

let work: string;
let models: { iris: string; twoInputs: string };

beforeAll(async () => {
  assertCliBuilt();
  work = await tempDir('archive-rt');
  models = await writeExampleModels(work);
});

afterAll(removeTempDirs);

/** Saves through the library (setup, not under test) and returns the exact tag. */
async function saved(
  home: string,
  tag: string,
  source: string,
  labels: Record<string, string> = {},
): Promise<string> {
  const entry = await saveModel(openModelStore(home), { tag, source, labels });
  return `${entry.tag.name}:${entry.tag.version}`;
}

/** The stored entry in `b` equals the one in `a`: same info, same bytes, and it verifies. */
async function expectSameEntry(a: string, b: string, tag: string): Promise<void> {
  const [from, to] = [openModelStore(a), openModelStore(b)];
  const [original, copy] = await Promise.all([from.get(tag), to.get(tag)]);
  expect(copy.info).toEqual(original.info);
  expect((await snapshot(copy.dir)).tree).toEqual((await snapshot(original.dir)).tree);
  expect(await to.verify(copy)).toEqual([]);
}

describe('export and import through a file', () => {
  it('round-trips a model with labels and signatures, to the default path in cwd', async () => {
    const a = await tempDir('rt-a');
    const b = await tempDir('rt-b');
    const tag = await saved(a, 'iris', models.iris, { stage: 'candidate' });
    const [name, version] = tag.split(':');
    // Signatures live beside the content and must travel with it.
    await mkdir(join(a, 'models', name!, version!, '.signatures'), { recursive: true });
    await writeFile(join(a, 'models', name!, version!, '.signatures', 'entry.dsse.json'), '{"payload":"x"}');

    const cwd = await tempDir('rt-cwd');
    const exported = await bentoci(['models', 'export', 'iris'], { home: a, cwd });
    expect(exported.code, exported.stderr).toBe(0);
    const archive = join(cwd, `${name}-${version}.bentomodel`);
    expect(exported.stdout.toString().trim()).toBe(archive);
    const bytes = await readFile(archive);
    expect([bytes[0], bytes[1]]).toEqual([0x1f, 0x8b]);

    const members = await readMembers(archive);
    expect(members.map((m) => m.header.name)).toEqual([
      'bentoci-archive.json',
      'entry/model.yaml',
      'entry/iris.onnx',
      'entry/.signatures/entry.dsse.json',
    ]);
    const manifest = JSON.parse(members[0]!.data.toString()) as Record<string, unknown>;
    expect(manifest).toMatchObject({ format: 'bentoci-archive', format_version: 2, kind: 'model', tag });

    const imported = await bentoci(['models', 'import', archive], { home: b });
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout.toString().trim()).toBe(tag);
    expect(imported.stderr).toContain(`imported model ${tag}`);
    await expectSameEntry(a, b, tag);
    expect(await readFile(join(b, 'models', name!, version!, '.signatures', 'entry.dsse.json'), 'utf8')).toBe(
      '{"payload":"x"}',
    );
    expect((await readFile(join(b, 'models', name!, 'latest'), 'utf8')).trim()).toBe(version);

    // The same entry always makes the same archive bytes (useful for caches and content addressing).
    const again = await bentoci(['models', 'export', tag, join(cwd, 'again.bentomodel')], { home: a });
    expect(again.code, again.stderr).toBe(0);
    expect(await readFile(join(cwd, 'again.bentomodel'))).toEqual(bytes);
  });

  it('re-importing an identical entry is a no-op that says so; a different one needs --force', async () => {
    const a = await tempDir('rt-noop-a');
    const b = await tempDir('rt-noop-b');
    await saved(a, 'iris:v1', models.iris);
    const archive = join(await tempDir('rt-noop-out'), 'iris.bentomodel');
    expect((await bentoci(['models', 'export', 'iris:v1', archive], { home: a })).code).toBe(0);

    // b holds iris:v1 with other content: immutable tags refuse the import...
    await saved(b, 'iris:v1', models.twoInputs);
    const before = await snapshot(b);
    const refused = await bentoci(['models', 'import', archive], { home: b });
    expect(refused.code).toBe(2);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).toMatch(/model iris:v1 already exists with different content .*--force/);
    expect(await snapshot(b)).toEqual(before);

    // ...unless forced, which replaces it with the archive's content.
    const forced = await bentoci(['models', 'import', archive, '--force'], { home: b });
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stderr).toContain('replaced model iris:v1');
    await expectSameEntry(a, b, 'iris:v1');

    // Importing what is already there changes nothing and says so.
    const settled = await snapshot(b);
    const noop = await bentoci(['models', 'import', archive], { home: b });
    expect(noop.code, noop.stderr).toBe(0);
    expect(noop.stderr).toContain('already present');
    expect(noop.stdout.toString().trim()).toBe('iris:v1');
    expect(await snapshot(b)).toEqual(settled);
    const json = await bentoci(['models', 'import', archive, '--json'], { home: b });
    expect(JSON.parse(json.stdout.toString())).toMatchObject({ outcome: 'already-present', tag: 'iris:v1' });
  });

  it('--format tar writes a plain tar that GNU tar lists, and import reads it back', async () => {
    const a = await tempDir('rt-tar-a');
    const b = await tempDir('rt-tar-b');
    const tag = await saved(a, 'two', models.twoInputs);
    const archive = join(await tempDir('rt-tar-out'), 'two.bentomodel');
    const run = await bentoci(['models', 'export', tag, archive, '--format', 'tar', '--json'], { home: a });
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout.toString())).toMatchObject({ tag, format: 'tar' });
    const bytes = await readFile(archive);
    expect(bytes.subarray(257, 262).toString()).toBe('ustar');
    expect(execFileSync('tar', ['tf', archive], { encoding: 'utf8' }).trim().split('\n')).toEqual([
      'bentoci-archive.json',
      'entry/model.yaml',
      'entry/two_inputs.onnx',
    ]);
    expect((await bentoci(['models', 'import', archive], { home: b })).code).toBe(0);
    await expectSameEntry(a, b, tag);

    const bad = await bentoci(['models', 'export', tag, archive, '--format', 'zip'], { home: a });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('invalid --format "zip": expected gz or tar');
  });

  it('accepts the same layout packed by GNU tar (with its directory members)', async () => {
    const a = await tempDir('rt-gnu-a');
    const b = await tempDir('rt-gnu-b');
    const tag = await saved(a, 'iris', models.iris);
    const out = await tempDir('rt-gnu-out');
    expect((await bentoci(['models', 'export', tag, join(out, 'ours.bentomodel')], { home: a })).code).toBe(
      0,
    );
    const unpacked = join(out, 'unpacked');
    await mkdir(unpacked);
    execFileSync('tar', ['xzf', join(out, 'ours.bentomodel'), '-C', unpacked]);
    const repacked = join(out, 'gnu.bentomodel');
    execFileSync('tar', ['czf', repacked, '-C', unpacked, 'bentoci-archive.json', 'entry']);
    const run = await bentoci(['models', 'import', repacked], { home: b });
    expect(run.code, run.stderr).toBe(0);
    await expectSameEntry(a, b, tag);
  });

  it('an older version imported later does not take latest from a newer one', async () => {
    const a = await tempDir('rt-latest-a');
    const b = await tempDir('rt-latest-b');
    const older = await saved(a, 'iris', models.iris);
    const out = await tempDir('rt-latest-out');
    expect((await bentoci(['models', 'export', older, join(out, 'old.bentomodel')], { home: a })).code).toBe(
      0,
    );
    const newer = await saved(b, 'iris', models.twoInputs);
    expect((await bentoci(['models', 'import', join(out, 'old.bentomodel')], { home: b })).code).toBe(0);
    expect((await readFile(join(b, 'models', 'iris', 'latest'), 'utf8')).trim()).toBe(newer.split(':')[1]);
  });

  it('shows progress with bytes and rate for a transfer over a few MB', async () => {
    const a = await tempDir('rt-big-a');
    const b = await tempDir('rt-big-b');
    const big = join(work, 'big.bin');
    await writeFile(big, randomBytes(6 << 20));
    const tag = await saved(a, 'big', big);
    const archive = join(await tempDir('rt-big-out'), 'big.bentomodel');
    const exported = await bentoci(['models', 'export', tag, archive], { home: a });
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stderr).toMatch(/exporting big:\S+: 6\.0 MiB of 6\.0 MiB \(100%\), [\d.]+ \S+\/s/);
    const imported = await bentoci(['models', 'import', archive], { home: b });
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stderr).toMatch(
      /importing .*big\.bentomodel: [\d.]+ MiB of [\d.]+ MiB \(100%\), [\d.]+ \S+\/s/,
    );
    await expectSameEntry(a, b, tag);
  });
});

describe('export to stdout and import from stdin', () => {
  it('pipes one process into another', async () => {
    const a = await tempDir('rt-pipe-a');
    const b = await tempDir('rt-pipe-b');
    const tag = await saved(a, 'iris', models.iris);
    const exporter = spawnCli(['models', 'export', tag, '-'], { home: a });
    const importer = spawnCli(['models', 'import', '-'], { home: b });
    exporter.stdin?.end();
    exporter.stdout!.pipe(importer.stdin!);
    const [out, into] = await Promise.all([collect(exporter), collect(importer)]);
    expect(out.code, out.stderr).toBe(0);
    expect(into.code, into.stderr).toBe(0);
    expect(into.stdout.toString().trim()).toBe(tag);
    expect(into.stderr).toContain('from stdin');
    await expectSameEntry(a, b, tag);
  });

  it('an import with nothing to do still reads stdin to the end, so the exporter succeeds too', async () => {
    const a = await tempDir('rt-pipe-noop-a');
    const b = await tempDir('rt-pipe-noop-b');
    const weights = join(work, 'noop-weights.bin');
    // Larger than a pipe's buffer: an importer that stopped reading would break the exporter's pipe.
    await writeFile(weights, randomBytes(4 << 20));
    const tag = await saved(a, 'weights', weights);
    // A real shell pipeline (as in a workflow step, which runs bash with pipefail): the two
    // processes share an OS pipe, so an importer that stops reading early breaks the exporter.
    const pipe = () =>
      new Promise<{ code: number; stderr: string }>((resolve) => {
        const script = `BENTOCI_HOME="$A" "$NODE" "$CLI" models export "$TAG" - | BENTOCI_HOME="$B" "$NODE" "$CLI" models import -`;
        execFile(
          'bash',
          ['-o', 'pipefail', '-c', script],
          { env: { ...process.env, A: a, B: b, NODE: process.execPath, CLI: cliPath(), TAG: tag } },
          (err, _stdout, stderr) =>
            resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stderr }),
        );
      });
    const first = await pipe();
    expect(first.code, first.stderr).toBe(0);
    const again = await pipe();
    expect(again.stderr).toContain('already present');
    expect(again.code, again.stderr).toBe(0);
  });

  it('refuses --json with -, and an empty stdin is a one-line error', async () => {
    const a = await tempDir('rt-pipe-json');
    const tag = await saved(a, 'iris', models.iris);
    const run = await bentoci(['models', 'export', tag, '-', '--json'], { home: a });
    expect(run.code).toBe(2);
    const empty = await bentoci(['models', 'import', '-'], { home: a, input: '' });
    expect(empty.code).toBe(1);
    expect(empty.stderr).toBe('error: archive "stdin" is empty\n');
  });
});

describe('export to and import from an http:// URL', () => {
  let server: Server;
  let base: string;
  const stored = new Map<string, Buffer>();
  /** Requests to fail with 503 before serving, per method and path: retry is part of the contract. */
  const failures = new Map<string, number>();
  const seen: string[] = [];

  beforeAll(async () => {
    server = createServer(async (req, res) => {
      const key = `${req.method} ${req.url}`;
      seen.push(key);
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const fail = failures.get(key) ?? 0;
      if (fail > 0) {
        failures.set(key, fail - 1);
        res.writeHead(503).end('busy');
        return;
      }
      if (req.method === 'PUT') {
        stored.set(req.url!, Buffer.concat(chunks));
        res.writeHead(201).end();
      } else if (req.method === 'GET' && stored.has(req.url!)) {
        res
          .writeHead(200, { 'content-length': String(stored.get(req.url!)!.length) })
          .end(stored.get(req.url!));
      } else res.writeHead(404).end('no such archive');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('PUTs the archive and GETs it back, retrying a 503 each way', async () => {
    const a = await tempDir('rt-http-a');
    const b = await tempDir('rt-http-b');
    const tag = await saved(a, 'iris', models.iris);
    failures.set('PUT /store/iris.bentomodel?sig=secret', 1);
    failures.set('GET /store/iris.bentomodel?sig=secret', 1);
    const url = `${base}/store/iris.bentomodel?sig=secret`;

    const exported = await bentoci(['models', 'export', tag, url], { home: a });
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stderr).toContain('HTTP 503');
    // Pre-signed URLs carry credentials in the query: messages never print it.
    expect(exported.stderr).not.toContain('secret');
    expect(stored.get('/store/iris.bentomodel?sig=secret')!.subarray(0, 2)).toEqual(
      Buffer.from([0x1f, 0x8b]),
    );

    const imported = await bentoci(['models', 'import', url], { home: b });
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout.toString().trim()).toBe(tag);
    expect(imported.stderr).not.toContain('secret');
    await expectSameEntry(a, b, tag);
    expect(seen.filter((s) => s.endsWith('sig=secret'))).toEqual([
      'PUT /store/iris.bentomodel?sig=secret',
      'PUT /store/iris.bentomodel?sig=secret',
      'GET /store/iris.bentomodel?sig=secret',
      'GET /store/iris.bentomodel?sig=secret',
    ]);
  });

  it('a missing archive is a one-line error naming the URL, and the store is unchanged', async () => {
    const b = await tempDir('rt-http-404');
    const run = await bentoci(['models', 'import', `${base}/nothing.bentomodel`], { home: b });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`error: GET ${base}/nothing.bentomodel failed: HTTP 404 (no such archive)\n`);
    expect((await snapshot(b)).tree).toEqual({});
  });

  it('imports through the library from a URL the same way', async () => {
    const a = await tempDir('rt-http-lib-a');
    const b = await tempDir('rt-http-lib-b');
    const tag = await saved(a, 'two', models.twoInputs);
    const out = join(await tempDir('rt-http-lib-out'), 'two.bentomodel');
    expect((await bentoci(['models', 'export', tag, out], { home: a })).code).toBe(0);
    stored.set('/two.bentomodel', await readFile(out));
    const result = await importArchive(openModelStore(b), `${base}/two.bentomodel`);
    expect(result.outcome).toBe('imported');
    expect(`${result.entry.tag.name}:${result.entry.tag.version}`).toBe(tag);
    expect(
      (await stat(join(b, 'models', 'two', tag.split(':')[1]!, 'two_inputs.onnx'))).size,
    ).toBeGreaterThan(0);
  });
});

describe('bentos use the same archive code', () => {
  it('exports a bento to <name>-<version>.bento and imports it; a model store refuses it', async () => {
    const a = await tempDir('rt-bento-a');
    const b = await tempDir('rt-bento-b');
    const bentos = openBentoStore(a);
    const staged = await bentos.stage();
    await mkdir(join(staged, 'src'), { recursive: true });
    await writeFile(join(staged, 'src', 'service.ts'), 'export const svc = {};\n');
    await mkdir(join(staged, 'env', 'docker'), { recursive: true });
    await writeFile(join(staged, 'env', 'docker', 'Dockerfile'), 'FROM scratch\n');
    await bentos.commit(staged, { name: 'svc', version: 'v1' }, (content) => ({
      name: 'svc',
      version: 'v1',
      api_version: 'v1',
      labels: {},
      creation_time: new Date().toISOString(),
      bentoci_version: '0.1.0',
      service: { name: 'svc', apis: [] },
      models: [],
      envs: [],
      node: { packages: [] },
      docker: {},
      ...content,
    }));

    const out = await tempDir('rt-bento-out');
    const exported = await exportEntry(bentos, 'svc', out, { log: () => undefined });
    expect(exported.destination).toBe(join(out, 'svc-v1.bento'));
    const members = await readMembers(exported.destination);
    expect(members.map((m) => m.header.name)).toEqual([
      'bentoci-archive.json',
      'entry/bento.yaml',
      'entry/env/docker/Dockerfile',
      'entry/src/service.ts',
    ]);

    const imported = await importArchive(openBentoStore(b), exported.destination, { log: () => undefined });
    expect(imported.outcome).toBe('imported');
    expect(imported.entry.info).toEqual((await bentos.get('svc:v1')).info);
    expect(await openBentoStore(b).verify(imported.entry)).toEqual([]);

    const wrongStore = await importArchive(openModelStore(b), exported.destination).catch((e: unknown) => e);
    expect(wrongStore).toBeInstanceOf(UsageError);
    expect((wrongStore as Error).message).toContain(
      'holds a bento, not a model (import it with `import-bento()`)',
    );
  });
});
