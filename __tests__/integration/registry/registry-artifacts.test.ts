import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBentoStore } from '../../../src/core/bento-store.js';
import { IntegrityError, UsageError } from '../../../src/core/errors.js';
import { openModelStore } from '../../../src/core/model-store.js';
import { openRepository, parseOciUrl } from '../../../src/oci/index.js';
import { bentoArtifact, modelArtifact } from '../../../src/registry/artifact-kinds.js';
import { pullEntry } from '../../../src/registry/artifact-pull.js';
import { pushEntry } from '../../../src/registry/artifact-push.js';
import {
  bundleCli,
  missingTool,
  REGISTRY_BIN,
  type RegistryFixture,
  SKOPEO_BIN,
  saveFilesModel,
  saveTestBento,
  skopeo,
  startFaultProxy,
  startRegistry,
} from '../../support/registry.js';

const missing = missingTool(REGISTRY_BIN, SKOPEO_BIN);
const MiB = 1024 * 1024;

describe.skipIf(missing)('models and bentos as OCI artifacts in docker-registry', () => {
  let registry: RegistryFixture;
  let work: string;
  let homeA: string;
  let homeB: string;
  const lines: string[] = [];
  const options = (home: string) => ({ home, insecure: true, log: (line: string) => lines.push(line) });
  const bigFile = randomBytes(3 * MiB);

  beforeAll(async () => {
    registry = await startRegistry();
    work = await mkdtemp(join(tmpdir(), 'bentoci-artifacts-'));
    homeA = join(work, 'a');
    homeB = join(work, 'b');
    await saveFilesModel(
      homeA,
      'iris:v1',
      { 'model.bin': bigFile, 'vocab.txt': 'a b c\n', 'meta/info.json': '{"k":1}' },
      { stage: 'dev' },
    );
  });
  afterAll(async () => {
    await registry?.stop();
    await rm(work, { recursive: true, force: true });
  });

  it('pushes a model, pulls it into another store, and the entry is identical and verified', async () => {
    const pushed = await pushEntry(
      modelArtifact,
      openModelStore(homeA),
      'iris',
      parseOciUrl(`${registry.url}/models/iris`),
      options(homeA),
    );
    expect(pushed).toMatchObject({ tag: 'iris:v1', unchanged: false, tags: ['v1'] });
    expect(pushed.blobs.uploaded).toBe(5); // config, model.yaml and the three files

    const pulled = await pullEntry(
      modelArtifact,
      openModelStore(homeB),
      'iris:v1',
      parseOciUrl(`${registry.url}/models/iris`),
      options(homeB),
    );
    expect(pulled).toMatchObject({ tag: 'iris:v1', digest: pushed.digest, unchanged: false });
    const original = await openModelStore(homeA).get('iris:v1');
    const copy = await openModelStore(homeB).get('iris:v1');
    expect(copy.info).toEqual(original.info);
    expect(await openModelStore(homeB).verify(copy)).toEqual([]);
    expect((await readFile(join(copy.dir, 'model.bin'))).equals(bigFile)).toBe(true);
  });

  it('lays the artifact out as documented: a ModelPack model, one titled layer per file, annotations', async () => {
    const repo = await openRepository(`${registry.url}/models/iris`, { insecure: true });
    try {
      const manifest = JSON.parse((await repo.getManifest('v1')).bytes.toString('utf8'));
      expect(manifest.artifactType).toBe('application/vnd.cncf.model.manifest.v1+json');
      expect(manifest.config.mediaType).toBe('application/vnd.cncf.model.config.v1+json');
      const layers = manifest.layers as { mediaType: string; annotations: Record<string, string> }[];
      expect(layers.map((l) => [l.annotations['org.opencontainers.image.title'], l.mediaType])).toEqual([
        ['model.yaml', 'application/vnd.cncf.model.weight.config.v1.raw'],
        ['meta/info.json', 'application/vnd.cncf.model.weight.config.v1.raw'],
        ['model.bin', 'application/vnd.cncf.model.weight.v1.raw'],
        ['vocab.txt', 'application/vnd.cncf.model.weight.config.v1.raw'],
      ]);
      const entry = await openModelStore(homeA).get('iris:v1');
      const big = entry.info.files.find((f) => f.path === 'model.bin')!;
      expect(manifest.layers[2]).toMatchObject({
        digest: `sha256:${big.sha256}`,
        annotations: {
          'org.opencontainers.image.title': 'model.bin',
          'org.cncf.model.filepath': 'model.bin',
        },
      });
      expect(manifest.annotations).toMatchObject({
        'org.opencontainers.image.created': entry.info.creation_time,
        'dev.bentoci.tag': 'iris:v1',
        'dev.bentoci.content-digest': entry.info.digest,
        'dev.bentoci.label.stage': 'dev',
      });
      const config = JSON.parse((await repo.fetchBlob(manifest.config.digest)).toString('utf8'));
      expect(config).toEqual({
        descriptor: { name: 'iris', version: 'v1', createdAt: entry.info.creation_time },
        config: {},
        modelfs: { type: 'layers', diffIds: layers.map((l) => (l as unknown as { digest: string }).digest) },
      });
    } finally {
      await repo.close();
    }
  });

  it('says an identical push is a no-op, and adds release tags without re-uploading', async () => {
    const store = openModelStore(homeA);
    const target = parseOciUrl(`${registry.url}/models/iris`);
    lines.length = 0;
    const again = await pushEntry(modelArtifact, store, 'iris:v1', target, options(homeA));
    expect(again.unchanged).toBe(true);
    expect(again.blobs).toEqual({ uploaded: 0, existing: 0, mounted: 0, bytes: 0 });
    expect(lines.join('\n')).toMatch(
      /model iris:v1 is already at 127\.0\.0\.1:\d+\/models\/iris:v1 \(sha256:[0-9a-f]{64}\): nothing to push/,
    );

    const released = await pushEntry(modelArtifact, store, 'iris:v1', target, {
      ...options(homeA),
      release: '1.4.2',
    });
    expect(released).toMatchObject({ unchanged: false, tags: ['v1', '1.4.2', '1.4', '1', 'latest'] });
    expect(released.blobs).toMatchObject({ uploaded: 0, existing: 5 });
    const tags = JSON.parse(
      await skopeo(['list-tags', '--tls-verify=false', `docker://${registry.host}/models/iris`]),
    ).Tags;
    expect([...tags].sort()).toEqual(['1', '1.4', '1.4.2', 'latest', 'v1']);
    for (const tag of tags) {
      const raw = await skopeo([
        'inspect',
        '--tls-verify=false',
        '--raw',
        `docker://${registry.host}/models/iris:${tag}`,
      ]);
      expect(raw.length).toBeGreaterThan(0);
    }
    const repo = await openRepository(target, { insecure: true });
    expect(await repo.resolve('latest')).toBe(released.digest);
    await repo.close();
  });

  it('refuses a different artifact under an existing tag unless --force', async () => {
    const other = join(work, 'other');
    await saveFilesModel(other, 'iris:v1', { 'model.bin': randomBytes(2 * MiB) });
    const target = parseOciUrl(`${registry.url}/models/iris`);
    await expect(
      pushEntry(modelArtifact, openModelStore(other), 'iris:v1', target, options(other)),
    ).rejects.toThrow(
      /models\/iris:v1 already holds a different artifact \(sha256:[0-9a-f]{64}\): .*pass `force`/,
    );
    // Moving tags follow; the exact release tag is as fixed as the version.
    await expect(
      pushEntry(
        modelArtifact,
        openModelStore(other),
        'iris:v1',
        parseOciUrl(`${registry.url}/models/iris:v2`),
        { ...options(other), release: '1.4.2' },
      ),
    ).rejects.toThrow(/models\/iris:1\.4\.2 already holds a different artifact/);
    const forced = await pushEntry(modelArtifact, openModelStore(other), 'iris:v1', target, {
      ...options(other),
      force: true,
    });
    const repo = await openRepository(target, { insecure: true });
    expect(await repo.resolve('v1')).toBe(forced.digest);
    await repo.close();
  });

  it('skips pulling a present identical version, refuses a different one, and --force replaces it', async () => {
    const source = parseOciUrl(`${registry.url}/models/iris:1.4.2`);
    const home = join(work, 'c');
    await saveFilesModel(home, 'iris:v1', { 'model.bin': 'not the same' });
    await expect(
      pullEntry(modelArtifact, openModelStore(home), undefined, source, options(home)),
    ).rejects.toThrow(/model iris:v1 is in the store with different content .*pass `force`/);
    const replaced = await pullEntry(modelArtifact, openModelStore(home), undefined, source, {
      ...options(home),
      force: true,
    });
    expect(replaced.unchanged).toBe(false);
    const again = await pullEntry(modelArtifact, openModelStore(home), undefined, source, options(home));
    expect(again.unchanged).toBe(true);
    const entry = await openModelStore(home).get('iris:v1');
    expect((await readFile(join(entry.dir, 'model.bin'))).equals(bigFile)).toBe(true);
  });

  it('pushes a bento with its models inside, mounting the model blobs pushed before', async () => {
    const model = await openModelStore(homeA).get('iris:v1');
    await saveTestBento(homeA, { name: 'iris_service', version: 'b1' }, model);
    const pushed = await pushEntry(
      bentoArtifact,
      openBentoStore(homeA),
      'iris_service:b1',
      parseOciUrl(`${registry.url}/bentos/iris_service`),
      options(homeA),
    );
    // The model's files and model.yaml are the same blobs as in models/iris: linked by cross-repository
    // mounts, not sent again.
    expect(pushed.blobs.mounted).toBe(4);
    const repo = await openRepository(`${registry.url}/bentos/iris_service`, { insecure: true });
    const manifest = JSON.parse((await repo.getManifest('b1')).bytes.toString('utf8'));
    await repo.close();
    expect(manifest.annotations['dev.bentoci.models']).toBe('iris:v1');
    expect(
      manifest.layers.find(
        (l: { annotations?: Record<string, string> }) =>
          l.annotations?.['org.opencontainers.image.title'] === 'models/iris/v1/model.bin',
      ),
    ).toBeDefined();

    const home = join(work, 'd');
    const pulled = await pullEntry(
      bentoArtifact,
      openBentoStore(home),
      'iris_service:b1',
      parseOciUrl(`${registry.url}/bentos/iris_service`),
      options(home),
    );
    expect(pulled.tag).toBe('iris_service:b1');
    const bento = await openBentoStore(home).get('iris_service:b1');
    expect(await openBentoStore(home).verify(bento)).toEqual([]);
    expect((await readFile(join(bento.dir, 'models/iris/v1/model.bin'))).equals(bigFile)).toBe(true);
  });

  it('tells a model pull that the reference holds a bento', async () => {
    const home = join(work, 'e');
    await expect(
      pullEntry(
        modelArtifact,
        openModelStore(home),
        undefined,
        parseOciUrl(`${registry.url}/bentos/iris_service:b1`),
        options(home),
      ),
    ).rejects.toThrow(/holds a bento, not a model: use `pull-bento\(\)`/);
  });

  it('lets skopeo copy what we pushed, and pulls the copy', async () => {
    await skopeo([
      'copy',
      '--src-tls-verify=false',
      '--dest-tls-verify=false',
      `docker://${registry.host}/bentos/iris_service:b1`,
      `docker://${registry.host}/mirror/iris_service:b1`,
    ]);
    const raw = await skopeo([
      'inspect',
      '--tls-verify=false',
      '--raw',
      `docker://${registry.host}/mirror/iris_service:b1`,
    ]);
    expect(JSON.parse(raw).artifactType).toBe('application/vnd.bentoci.bento.v2');
    const home = join(work, 'f');
    const pulled = await pullEntry(
      bentoArtifact,
      openBentoStore(home),
      undefined,
      parseOciUrl(`${registry.url}/mirror/iris_service:b1`),
      options(home),
    );
    expect(pulled.tag).toBe('iris_service:b1');
  });

  it('detects a blob damaged in the registry and imports nothing', async () => {
    const home = join(work, 'g');
    await saveFilesModel(home, 'damaged:v1', { 'weights.bin': randomBytes(2 * MiB) });
    const pushed = await pushEntry(
      modelArtifact,
      openModelStore(home),
      'damaged:v1',
      parseOciUrl(`${registry.url}/models/damaged`),
      options(home),
    );
    const entry = await openModelStore(home).get('damaged:v1');
    const stored = registry.blobPath(`sha256:${entry.info.files[0]!.sha256}`);
    const bytes = await readFile(stored);
    bytes[12345] = (bytes[12345]! + 1) % 256;
    await writeFile(stored, bytes);
    const fresh = join(work, 'h');
    const error = await pullEntry(
      modelArtifact,
      openModelStore(fresh),
      undefined,
      parseOciUrl(`${registry.url}/models/damaged@${pushed.digest}`),
      options(fresh),
    ).catch((e) => e);
    expect(error).toBeInstanceOf(IntegrityError);
    expect(error.message).toMatch(/does not match its digest .*nothing was imported/);
    expect(await openModelStore(fresh).find('damaged:v1')).toBeUndefined();
    expect(await readdir(join(fresh, 'models', '.staging')).catch(() => [])).toEqual([]);
  });

  it('speaks plain HTTP only with --insecure or the host listed in config.yaml', async () => {
    const target = parseOciUrl(`${registry.url}/models/insecure-check`);
    const strict = { home: homeA, retry: { attempts: 1, baseMs: 1, maxMs: 1 } };
    await expect(pushEntry(modelArtifact, openModelStore(homeA), 'iris:v1', target, strict)).rejects.toThrow(
      /TLS to registry 127\.0\.0\.1:\d+ failed .*or `insecure` if the registry speaks plain HTTP/,
    );
    await writeFile(join(homeA, 'config.yaml'), `registries:\n  insecure: ["${registry.host}"]\n`);
    try {
      const listed = await pushEntry(modelArtifact, openModelStore(homeA), 'iris:v1', target, strict);
      expect(listed.digest).toMatch(/^sha256:/);
    } finally {
      await rm(join(homeA, 'config.yaml'));
    }
  });

  it('refuses to push to a digest', async () => {
    await expect(
      pushEntry(
        modelArtifact,
        openModelStore(homeA),
        'iris:v1',
        parseOciUrl(`${registry.url}/models/iris@sha256:${'0'.repeat(64)}`),
        options(homeA),
      ),
    ).rejects.toThrow(UsageError);
  });

  describe('the CLI, as a separate process', () => {
    let cli: string;
    beforeAll(async () => {
      cli = await bundleCli(work);
    });

    function run(
      args: string[],
      env: Record<string, string>,
      stdin?: string,
    ): {
      child: ChildProcess;
      done: Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>;
    } {
      const child = spawn(process.execPath, [cli, ...args], {
        env: { ...process.env, ...env },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout?.on('data', (c: Buffer) => {
        stdout += c.toString();
      });
      child.stderr?.on('data', (c: Buffer) => {
        stderr += c.toString();
      });
      child.stdin?.end(stdin ?? '');
      const done = new Promise<{
        code: number | null;
        signal: string | null;
        stdout: string;
        stderr: string;
      }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
      return { child, done };
    }

    it('rejects bad flags with one line and exit code 2', async () => {
      const bad = await run(['models', 'push', 'iris:v1', '--to', 'https://x/y'], { BENTOCI_HOME: homeA })
        .done;
      expect(bad.code).toBe(2);
      expect(bad.stderr.trim()).toBe(
        'error: invalid --to "https://x/y": expected oci://host[:port]/repository[:tag], e.g. oci://ghcr.io/org/iris',
      );
      const parallel = await run(['push', 'x', '--to', `${registry.url}/x`, '--parallel', 'many'], {
        BENTOCI_HOME: homeA,
      }).done;
      expect(parallel.code).toBe(2);
      expect(parallel.stderr).toContain('invalid --parallel "many": expected a positive whole number');
    });

    it('prints JSON, and says so when a push changes nothing', async () => {
      const first = await run(
        ['models', 'push', 'iris:v1', '--to', `${registry.url}/cli/iris`, '--insecure', '--json'],
        { BENTOCI_HOME: homeA },
      ).done;
      expect(first.code).toBe(0);
      expect(JSON.parse(first.stdout)).toMatchObject({ kind: 'model', tag: 'iris:v1', unchanged: false });
      const second = await run(
        ['models', 'push', 'iris:v1', '--to', `${registry.url}/cli/iris`, '--insecure'],
        { BENTOCI_HOME: homeA },
      ).done;
      expect(second.code).toBe(0);
      expect(second.stderr).toMatch(/nothing to push/);
      expect(second.stdout.trim()).toMatch(/^127\.0\.0\.1:\d+\/cli\/iris:v1@sha256:[0-9a-f]{64}$/);
    });

    it('completes a push after the first one was killed mid-upload', async () => {
      const home = join(work, 'kill');
      const weights = randomBytes(24 * MiB);
      await saveFilesModel(home, 'big:v1', { 'weights.bin': weights });
      const proxy = await startFaultProxy(Number(registry.host.split(':')[1]), (method, path) =>
        (method === 'PATCH' || method === 'PUT') && path.includes('/blobs/uploads/')
          ? { kind: 'stall', afterBytes: 4 * MiB }
          : undefined,
      );
      try {
        const first = run(
          ['models', 'push', 'big:v1', '--to', `oci://${proxy.host}/models/big`, '--insecure'],
          { BENTOCI_HOME: home },
        );
        // Fail fast (not by timeout) if the child dies before its upload reaches the stall.
        const early = first.done.then((r) => {
          throw new Error(`the first push ended before stalling (${r.code}): ${r.stderr}`);
        });
        await Promise.race([proxy.stalled, early]);
        early.catch(() => undefined);
        first.child.kill('SIGKILL');
        const killed = await first.done;
        expect(killed.signal).toBe('SIGKILL');
      } finally {
        await proxy.stop();
      }
      const repo = await openRepository(`${registry.url}/models/big`, { insecure: true });
      const entry = await openModelStore(home).get('big:v1');
      expect(await repo.hasBlob(`sha256:${entry.info.files[0]!.sha256}`)).toBe(false);
      await repo.close();

      const second = await run(
        ['models', 'push', 'big:v1', '--to', `${registry.url}/models/big`, '--insecure'],
        { BENTOCI_HOME: home },
      ).done;
      expect(second.stderr).toMatch(/pushed model big:v1/);
      expect(second.code).toBe(0);
      const fresh = join(work, 'kill-pull');
      const pulled = await run(
        ['models', 'pull', 'big:v1', '--from', `${registry.url}/models/big`, '--insecure'],
        { BENTOCI_HOME: fresh },
      ).done;
      expect(pulled.code).toBe(0);
      const copy = await openModelStore(fresh).get('big:v1');
      expect((await readFile(join(copy.dir, 'weights.bin'))).equals(weights)).toBe(true);
    });
  });
});
