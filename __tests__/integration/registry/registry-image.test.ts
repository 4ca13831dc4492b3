import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Dockerode from 'dockerode';
import * as tar from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRepository, parseOciUrl } from '../../../src/oci/index.js';
import { pushImage } from '../../../src/registry/image-push.js';
import { type DockerFixture, missingDocker, runContainer, startDocker } from '../../support/docker.js';
import {
  missingTool,
  REGISTRY_BIN,
  type RegistryFixture,
  SKOPEO_BIN,
  skopeo,
  startRegistry,
} from '../../support/registry.js';

/** A static binary the host has, so the test image runs without any base image. */
const STATIC_BINARY = '/sbin/ldconfig';
const missing = missingTool(REGISTRY_BIN, SKOPEO_BIN, STATIC_BINARY) || missingDocker();

function follow(docker: Dockerode, stream: NodeJS.ReadableStream): Promise<unknown[]> {
  return new Promise((resolve, reject) =>
    docker.modem.followProgress(stream, (err, out) => (err ? reject(err) : resolve(out))),
  );
}

/** `docker import` of a tar holding a static binary and a text file: a tiny runnable image, built offline. */
async function buildTinyImage(docker: Dockerode, name: string): Promise<string> {
  const pack = tar.pack();
  pack.entry({ name: 'ldconfig', mode: 0o755 }, await readFile(STATIC_BINARY));
  pack.entry({ name: 'hello.txt', mode: 0o644 }, 'hello from bentoci\n');
  pack.finalize();
  const [repo, tag] = name.split(':');
  await follow(docker, await docker.importImage(pack as unknown as NodeJS.ReadableStream, { repo, tag }));
  return (await docker.getImage(name).inspect()).Id;
}

describe.skipIf(missing)('images from the Docker engine to docker-registry and back', () => {
  let engine: DockerFixture;
  let registry: RegistryFixture;
  let home: string;
  let imageId: string;
  const image = `bentoci-test-tiny:${Date.now().toString(36)}`;
  const lines: string[] = [];

  beforeAll(async () => {
    [engine, registry] = await Promise.all([startDocker(), startRegistry()]);
    home = await mkdtemp(join(tmpdir(), 'bentoci-image-'));
    imageId = await buildTinyImage(engine.docker, image);
  });
  afterAll(async () => {
    await engine?.docker
      .getImage(image)
      .remove({ force: true })
      .catch(() => undefined);
    await Promise.all([engine?.stop(), registry?.stop()]);
    await rm(home, { recursive: true, force: true });
  });

  const options = () => ({ home, insecure: true, docker: engine.docker, log: (l: string) => lines.push(l) });

  it('pushes an image that skopeo reads as the same image', async () => {
    const result = await pushImage(image, parseOciUrl(`${registry.url}/images/tiny`), options());
    expect(result).toMatchObject({
      id: imageId,
      unchanged: false,
      exported: true,
      tags: [image.split(':')[1]],
    });
    expect(result.blobs.uploaded).toBe(2);
    const inspected = JSON.parse(
      await skopeo([
        'inspect',
        '--tls-verify=false',
        `docker://${registry.host}/images/tiny:${result.tags[0]}`,
      ]),
    );
    expect(inspected.Digest).toBe(result.digest);
    expect(inspected.Layers).toHaveLength(1);
    const config = await skopeo([
      'inspect',
      '--tls-verify=false',
      '--config',
      '--raw',
      `docker://${registry.host}/images/tiny:${result.tags[0]}`,
    ]);
    // The config blob is the engine's own: its digest is the image ID.
    const repo = await openRepository(`${registry.url}/images/tiny`, { insecure: true });
    const manifest = JSON.parse((await repo.getManifest(result.digest)).bytes.toString('utf8'));
    await repo.close();
    expect(manifest.config.digest).toBe(imageId);
    expect(JSON.parse(config).rootfs.diff_ids).toHaveLength(1);
  });

  it('the engine pulls the pushed image and runs it', async () => {
    const tag = image.split(':')[1];
    const remote = `${registry.host}/images/tiny:${tag}`;
    await follow(engine.docker, await engine.docker.pull(remote));
    expect((await engine.docker.getImage(remote).inspect()).Id).toBe(imageId);
    const out = await runContainer(engine.docker, remote, ['/ldconfig', '--version']);
    expect(out).toMatch(/^ldconfig /);
    await engine.docker.getImage(remote).remove({ force: true });
  });

  it('re-pushes an unchanged image without asking the engine for an export', async () => {
    lines.length = 0;
    const again = await pushImage(image, parseOciUrl(`${registry.url}/images/tiny`), options());
    expect(again).toMatchObject({ unchanged: true, exported: false });
    expect(lines.join('\n')).toMatch(/is already at .*: nothing to push/);
  });

  it('points release tags at the image and mounts its blobs into another repository', async () => {
    const released = await pushImage(image, parseOciUrl(`${registry.url}/images/released:stable`), {
      ...options(),
      release: '2.1.0',
    });
    expect(released.tags).toEqual(['stable', '2.1.0', '2.1', '2', 'latest']);
    // Both the config and the layer are linked from images/tiny, none uploaded again.
    expect(released.blobs).toMatchObject({ uploaded: 0, mounted: 2 });
    const tags = JSON.parse(
      await skopeo(['list-tags', '--tls-verify=false', `docker://${registry.host}/images/released`]),
    ).Tags;
    expect([...tags].sort()).toEqual(['2', '2.1', '2.1.0', 'latest', 'stable']);
  });

  it('names a missing image and how to build it', async () => {
    await expect(
      pushImage('bentoci-test-absent:nope', parseOciUrl(`${registry.url}/images/x`), options()),
    ).rejects.toThrow(
      /image bentoci-test-absent:nope is not in the Docker engine: build it with `containerize\(\)`/,
    );
  });
});
