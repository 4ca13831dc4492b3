/**
 * `models push --as-image`: a model as a runnable OCI image in the real registry (docker-registry),
 * read back by independent tools: skopeo (inspect, copy to an OCI layout), umoci (unpack to a rootfs)
 * and a plain tar reader over each layer.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/core/errors.js';
import { openModelStore } from '../../../src/core/model-store.js';
import { openRepository, parseOciUrl } from '../../../src/oci/index.js';
import { pushModelImage } from '../../../src/registry/model-image.js';
import { parsePlatform } from '../../../src/registry/model-image-base.js';
import {
  EPOCH,
  manifestOf,
  pushBase,
  readTar,
  saveAt,
  sha256,
  UMOCI_BIN,
} from '../../support/model-image.js';
import {
  missingTool,
  REGISTRY_BIN,
  type RegistryFixture,
  SKOPEO_BIN,
  skopeo,
  startRegistry,
} from '../../support/registry.js';

const run = promisify(execFile);
const missing = missingTool(REGISTRY_BIN, SKOPEO_BIN, UMOCI_BIN);
const MiB = 1024 * 1024;

describe.skipIf(missing)('models push --as-image: a model image clusters can mount', () => {
  let registry: RegistryFixture;
  let work: string;
  let homeA: string;
  let homeB: string;
  const weights = randomBytes(3 * MiB);
  const extra = randomBytes(MiB + 17);
  const files: Record<string, Buffer | string> = {
    'model.bin': weights,
    'weights/extra.bin': extra,
    'vocab.txt': 'a b c\n',
    'meta/info.json': '{"k":1}',
  };
  const options = (home: string) => ({ home, insecure: true, sourceDateEpoch: EPOCH });
  const target = (repo: string) => parseOciUrl(`${registry.url}/${repo}`);

  beforeAll(async () => {
    registry = await startRegistry();
    work = await mkdtemp(join(tmpdir(), 'bentoci-model-image-'));
    homeA = join(work, 'a');
    homeB = join(work, 'b');
    await saveAt(homeA, 'iris:v1', files);
    await saveAt(homeB, 'iris:v1', files);
  });
  afterAll(async () => {
    await registry?.stop();
    await rm(work, { recursive: true, force: true });
  });

  it('pushes a files-only image that skopeo inspects: OCI config with diff_ids, one layer per large file', async () => {
    const result = await pushModelImage(
      openModelStore(homeA),
      'iris:v1',
      target('images/iris'),
      options(homeA),
    );
    expect(result).toMatchObject({
      tag: 'iris:v1',
      unchanged: false,
      tags: ['v1'],
      platform: 'linux/amd64',
      layers: 3,
    });
    expect(result.blobs.uploaded).toBe(4); // config + 3 layers

    const ref = `docker://${registry.host}/images/iris:v1`;
    const inspected = JSON.parse(await skopeo(['inspect', '--tls-verify=false', ref]));
    expect(inspected).toMatchObject({ Digest: result.digest, Os: 'linux', Architecture: 'amd64' });
    expect(inspected.Layers).toHaveLength(3);

    const { manifest, config } = await manifestOf(registry, 'images/iris', 'v1');
    expect(manifest.mediaType).toBe('application/vnd.oci.image.manifest.v1+json');
    expect(manifest.artifactType).toBeUndefined();
    expect(manifest.config.mediaType).toBe('application/vnd.oci.image.config.v1+json');
    expect(manifest.layers.map((l: { mediaType: string }) => l.mediaType)).toEqual(
      Array(3).fill('application/vnd.oci.image.layer.v1.tar'),
    );
    expect(config.rootfs).toEqual({
      type: 'layers',
      diff_ids: manifest.layers.map((l: { digest: string }) => l.digest),
    });
    expect(config).toMatchObject({ architecture: 'amd64', os: 'linux', created: EPOCH.toISOString() });
    expect(config.history).toHaveLength(3);
    const entry = await openModelStore(homeA).get('iris:v1');
    expect(manifest.annotations).toMatchObject({
      'org.opencontainers.image.created': EPOCH.toISOString(),
      'org.opencontainers.image.title': 'iris',
      'org.opencontainers.image.version': 'v1',
      'dev.bentoci.tag': 'iris:v1',
      'dev.bentoci.content-digest': entry.info.digest,
    });
  });

  it('unpacks with umoci (after skopeo copy to an OCI layout) into a rootfs whose /models holds the files byte for byte', async () => {
    const layout = join(work, 'layout');
    await skopeo([
      'copy',
      '--preserve-digests',
      '--src-tls-verify=false',
      `docker://${registry.host}/images/iris:v1`,
      `oci:${layout}:v1`,
    ]);
    const bundle = join(work, 'bundle');
    await run(UMOCI_BIN, ['unpack', '--rootless', '--image', `${layout}:v1`, bundle]);
    const models = join(bundle, 'rootfs', 'models');
    for (const [path, data] of Object.entries(files))
      expect((await readFile(join(models, path))).equals(Buffer.from(data)), path).toBe(true);
    const entry = await openModelStore(homeA).get('iris:v1');
    expect(
      (await readFile(join(models, 'model.yaml'))).equals(await readFile(join(entry.dir, 'model.yaml'))),
    ).toBe(true);
    expect((await readdir(models)).sort()).toEqual([
      'meta',
      'model.bin',
      'model.yaml',
      'vocab.txt',
      'weights',
    ]);
    expect((await stat(join(models, 'vocab.txt'))).mode & 0o777).toBe(0o644);
    expect((await stat(join(models, 'meta'))).mode & 0o777).toBe(0o755);
  });

  it('writes layers a plain tar reader takes: sorted, root-owned, fixed times, directories first, digest = diff_id', async () => {
    const { manifest, config } = await manifestOf(registry, 'images/iris', 'v1');
    const seen = new Map<string, Buffer>();
    for (const [i, layer] of manifest.layers.entries()) {
      const blob = await readFile(registry.blobPath(layer.digest));
      expect(sha256(blob)).toBe(config.rootfs.diff_ids[i]);
      const entries = await readTar(blob);
      const names = entries.map((e) => e.name);
      expect(names).toEqual([...names].sort());
      expect(names[0]).toBe('models/');
      for (const e of entries) {
        expect(e).toMatchObject({ uid: 0, gid: 0, mode: e.type === 'directory' ? 0o755 : 0o644 });
        // Every entry's parent directory comes before it.
        const parent = e.name.replace(/[^/]+\/?$/, '');
        if (parent) expect(names.indexOf(parent)).toBeLessThan(names.indexOf(e.name));
        if (e.type === 'file') seen.set(e.name.slice('models/'.length), e.data);
      }
      // One large file per layer at the fixed time (shared across versions); the rest at SOURCE_DATE_EPOCH.
      const times = new Set(entries.map((e) => e.mtime));
      expect([...times]).toEqual([i < 2 ? 0 : EPOCH.getTime()]);
    }
    expect([...seen.keys()].sort()).toEqual([
      'meta/info.json',
      'model.bin',
      'model.yaml',
      'vocab.txt',
      'weights/extra.bin',
    ]);
    for (const [path, data] of Object.entries(files))
      expect(seen.get(path)?.equals(Buffer.from(data)), path).toBe(true);
  });

  it('gives the same image digest from two stores with the same model and SOURCE_DATE_EPOCH; an identical push is a no-op', async () => {
    const a = await manifestOf(registry, 'images/iris', 'v1');
    const b = await pushModelImage(
      openModelStore(homeB),
      'iris:v1',
      target('images/iris-copy'),
      options(homeB),
    );
    const fromA = await pushModelImage(
      openModelStore(homeA),
      'iris:v1',
      target('images/iris'),
      options(homeA),
    );
    expect(fromA.unchanged).toBe(true);
    expect(b.digest).toBe(fromA.digest);
    expect((await manifestOf(registry, 'images/iris-copy', 'v1')).config).toEqual(a.config);

    // A new version with the same weights reuses their layers: only the small files' layer differs.
    await saveAt(homeA, 'iris:v2', { ...files, 'vocab.txt': 'a b c d\n' });
    const v2 = await pushModelImage(openModelStore(homeA), 'iris:v2', target('images/iris'), options(homeA));
    const m2 = (await manifestOf(registry, 'images/iris', 'v2')).manifest;
    expect(m2.layers.slice(0, 2)).toEqual(a.manifest.layers.slice(0, 2));
    expect(m2.layers[2].digest).not.toBe(a.manifest.layers[2].digest);
    expect(v2.blobs).toMatchObject({ uploaded: 2, existing: 2 });
  });

  it('puts a base image first: its layers and diff_ids as they are, its run config kept, mounted not copied', async () => {
    const base = await pushBase(registry, 'base/tiny', 'latest', 'amd64');
    const result = await pushModelImage(openModelStore(homeA), 'iris:v1', target('images/iris-car'), {
      ...options(homeA),
      base: parseOciUrl(`${registry.url}/base/tiny:latest`),
    });
    expect(result.base).toBe(`${registry.host}/base/tiny@${base.digest}`);
    // Only the config travels: the base layer and the model's layers (pushed to images/iris before) are mounted.
    expect(result.blobs).toMatchObject({ uploaded: 1, mounted: 4, existing: 0 });
    const { manifest, config } = await manifestOf(registry, 'images/iris-car', 'v1');
    expect(manifest.layers[0]).toEqual(base.layer);
    expect(manifest.layers).toHaveLength(4);
    expect(config.rootfs.diff_ids[0]).toBe(base.diffId);
    expect(config.rootfs.diff_ids.slice(1)).toEqual(
      manifest.layers.slice(1).map((l: { digest: string }) => l.digest),
    );
    expect(config.config).toMatchObject({
      Env: ['PATH=/bin'],
      Cmd: ['sh'],
      Labels: { base: 'tiny', 'dev.bentoci.tag': 'iris:v1' },
    });
    expect(config.history[0]).toMatchObject({ created_by: 'test base' });
    expect(config.history).toHaveLength(4);
    expect(manifest.annotations).toMatchObject({
      'org.opencontainers.image.base.name': `${registry.host}/base/tiny:latest`,
      'org.opencontainers.image.base.digest': base.digest,
    });

    const layout = join(work, 'layout-car');
    await skopeo([
      'copy',
      '--src-tls-verify=false',
      `docker://${registry.host}/images/iris-car:v1`,
      `oci:${layout}:v1`,
    ]);
    const bundle = join(work, 'bundle-car');
    await run(UMOCI_BIN, ['unpack', '--rootless', '--image', `${layout}:v1`, bundle]);
    expect(await readFile(join(bundle, 'rootfs', 'bin', 'sh'), 'utf8')).toBe('#!amd64 shell\n');
    expect((await readFile(join(bundle, 'rootfs', 'models', 'model.bin'))).equals(weights)).toBe(true);
  });

  it('copies the layers of a base on another registry (read with the settings of that registry), digests unchanged', async () => {
    const other = await startRegistry();
    try {
      const base = await pushBase(other, 'library/tiny', '1.0', 'amd64');
      // The target's --insecure is not carried to another registry: config.yaml names it.
      await writeFile(join(homeA, 'config.yaml'), `registries:\n  insecure: ["${other.host}"]\n`);
      const result = await pushModelImage(openModelStore(homeA), 'iris:v1', target('images/iris-far'), {
        ...options(homeA),
        base: parseOciUrl(`${other.url}/library/tiny:1.0`),
      });
      expect(result.blobs).toMatchObject({ uploaded: 2, mounted: 3 }); // config and the base layer; the model's mounted
      const { manifest, config } = await manifestOf(registry, 'images/iris-far', 'v1');
      expect(manifest.layers[0]).toEqual(base.layer);
      expect(config.rootfs.diff_ids[0]).toBe(base.diffId);
      expect(
        (await readFile(registry.blobPath(base.layer.digest))).equals(
          await readFile(other.blobPath(base.layer.digest)),
        ),
      ).toBe(true);
    } finally {
      await rm(join(homeA, 'config.yaml'), { force: true });
      await other.stop();
    }
  });

  it('refuses to push the image of a model whose large file was damaged in the store', async () => {
    const entry = await openModelStore(homeB).get('iris:v1');
    const path = join(entry.dir, 'model.bin');
    const bytes = await readFile(path);
    bytes[1000] = (bytes[1000] ?? 0) ^ 0xff;
    await chmod(path, 0o644);
    await writeFile(path, bytes);
    // homeB pushed before: the layer's digest comes from the cache, so the damage shows as the upload
    // reads it (without the hint of where the blobs are, the registry cannot mount them instead).
    await rm(join(homeB, '.oci', 'blob-locations.json'));
    await expect(
      pushModelImage(openModelStore(homeB), 'iris:v1', target('images/damaged'), options(homeB)),
    ).rejects.toThrow(/model iris:v1 is damaged: model\.bin differs from its manifest/);
    const repo = await openRepository(`${registry.url}/images/damaged`, { insecure: true });
    expect(await repo.resolve('v1')).toBeUndefined();
    await repo.close();
  });

  it('picks the requested platform from a multi-platform base and refuses a base for another platform', async () => {
    const amd = await pushBase(registry, 'base/multi', 'amd64', 'amd64');
    const arm = await pushBase(registry, 'base/multi', 'arm64', 'arm64', 'v8');
    const repo = await openRepository(`${registry.url}/base/multi`, { insecure: true, push: true });
    const index = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.index.v1+json',
        manifests: [
          {
            mediaType: 'application/vnd.oci.image.manifest.v1+json',
            digest: amd.digest,
            size: amd.size,
            platform: { os: 'linux', architecture: 'amd64' },
          },
          {
            mediaType: 'application/vnd.oci.image.manifest.v1+json',
            digest: arm.digest,
            size: arm.size,
            platform: { os: 'linux', architecture: 'arm64', variant: 'v8' },
          },
        ],
      }),
    );
    await repo.putManifest('latest', index, 'application/vnd.oci.image.index.v1+json');
    await repo.close();
    const result = await pushModelImage(openModelStore(homeA), 'iris:v1', target('images/iris-arm'), {
      ...options(homeA),
      base: parseOciUrl(`${registry.url}/base/multi:latest`),
      platform: parsePlatform('linux/arm64'),
    });
    expect(result).toMatchObject({
      platform: 'linux/arm64/v8',
      base: `${registry.host}/base/multi@${arm.digest}`,
    });
    const { config } = await manifestOf(registry, 'images/iris-arm', 'v1');
    expect(config).toMatchObject({ architecture: 'arm64', variant: 'v8', os: 'linux' });
    const inspected = JSON.parse(
      await skopeo([
        'inspect',
        '--tls-verify=false',
        '--override-arch',
        'arm64',
        `docker://${registry.host}/images/iris-arm:v1`,
      ]),
    );
    expect(inspected.Architecture).toBe('arm64');

    await expect(
      pushModelImage(openModelStore(homeA), 'iris:v1', target('images/iris-x'), {
        ...options(homeA),
        base: parseOciUrl(`${registry.url}/base/multi:arm64`),
      }),
    ).rejects.toThrow(
      /`base` .*built for linux\/arm64\/v8, not the default linux\/amd64; pass `platform: linux\/arm64\/v8`/,
    );
    await expect(
      pushModelImage(openModelStore(homeA), 'iris:v1', target('images/iris-x'), {
        ...options(homeA),
        base: parseOciUrl(`${registry.url}/base/multi:latest`),
        platform: parsePlatform('linux/s390x'),
      }),
    ).rejects.toThrow(UsageError);
  });
});
