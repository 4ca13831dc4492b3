/**
 * The model image in a real engine, as a cluster uses it: the Docker engine pulls it from
 * docker-registry (checking every layer against the config's diff_ids), runs KServe's modelcar
 * command in it on a busybox base (Debian's busybox-static, assembled here into an image), and a
 * files-only image gives its /models to a container that never runs it (as an image volume does).
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type Dockerode from 'dockerode';
import * as tar from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openModelStore } from '../../../src/core/model-store.js';
import { openRepository, parseOciUrl } from '../../../src/oci/index.js';
import { pushModelImage } from '../../../src/registry/model-image.js';
import { parsePlatform } from '../../../src/registry/model-image-base.js';
import { type DockerFixture, missingDocker, startDocker } from '../../support/docker.js';
import { EPOCH, manifestOf, saveAt, sha256 } from '../../support/model-image.js';
import { missingTool, REGISTRY_BIN, type RegistryFixture, startRegistry } from '../../support/registry.js';

const BUSYBOX = '/bin/busybox';
const missing = missingDocker() || missingTool(REGISTRY_BIN, BUSYBOX);
/** The engine runs this machine's busybox: the images are for this machine's platform. */
const ARCH = process.arch === 'x64' ? 'amd64' : process.arch;

function follow(docker: Dockerode, stream: NodeJS.ReadableStream): Promise<unknown[]> {
  return new Promise((resolve, reject) =>
    docker.modem.followProgress(stream, (err, out) => (err ? reject(err) : resolve(out))),
  );
}

async function collect(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** A busybox image as its maintainers lay it out: the static binary and the applets KServe's modelcar runs. */
async function pushBusybox(registry: RegistryFixture): Promise<void> {
  const pack = tar.pack();
  const collected = collect(pack as unknown as NodeJS.ReadableStream);
  const at = new Date(0);
  pack.entry({ name: 'bin/', type: 'directory', mode: 0o755, mtime: at });
  pack.entry({ name: 'bin/busybox', mode: 0o755, mtime: at }, await readFile(BUSYBOX));
  for (const applet of ['cat', 'ln', 'ls', 'sh', 'sha256sum', 'sleep'])
    pack.entry({ name: `bin/${applet}`, type: 'symlink', linkname: 'busybox', mode: 0o777, mtime: at });
  pack.finalize();
  const layerTar = await collected;
  const config = Buffer.from(
    JSON.stringify({
      architecture: ARCH,
      os: 'linux',
      config: { Env: ['PATH=/bin'], Cmd: ['sh'] },
      rootfs: { type: 'layers', diff_ids: [sha256(layerTar)] },
      history: [{ created_by: 'busybox-static from Debian' }],
    }),
  );
  const repo = await openRepository(`${registry.url}/library/busybox`, { insecure: true, push: true });
  try {
    const layer = await repo.putBlob(gzipSync(layerTar), 'application/vnd.oci.image.layer.v1.tar+gzip');
    const configDesc = await repo.putBlob(config, 'application/vnd.oci.image.config.v1+json');
    const manifest = {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: configDesc,
      layers: [layer],
    };
    await repo.putManifest('1.35', Buffer.from(JSON.stringify(manifest)), manifest.mediaType);
  } finally {
    await repo.close();
  }
}

describe.skipIf(missing)('a model image in the Docker engine', () => {
  let engine: DockerFixture;
  let registry: RegistryFixture;
  let work: string;
  let home: string;
  const weights = Buffer.alloc(3 * 1024 * 1024 + 5, 0x5a);
  const files = { 'model.bin': weights, 'vocab.txt': 'a b c\n', 'meta/info.json': '{"k":1}' };
  const pushed: string[] = [];

  beforeAll(async () => {
    engine = await startDocker();
    registry = await startRegistry();
    work = await mkdtemp(join(tmpdir(), 'bentoci-modelcar-'));
    home = join(work, 'home');
    await saveAt(home, 'iris:v1', files);
    await pushBusybox(registry);
  });
  afterAll(async () => {
    for (const image of pushed)
      await engine?.docker
        .getImage(image)
        .remove({ force: true })
        .catch(() => undefined);
    await registry?.stop();
    await engine?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  async function pull(repo: string): Promise<string> {
    const result = await pushModelImage(
      openModelStore(home),
      'iris:v1',
      parseOciUrl(`${registry.url}/${repo}`),
      {
        home,
        insecure: true,
        sourceDateEpoch: EPOCH,
        platform: parsePlatform(`linux/${ARCH}`),
        ...(repo.includes('car') ? { base: parseOciUrl(`${registry.url}/library/busybox:1.35`) } : {}),
      },
    );
    const remote = `${registry.host}/${repo}:v1`;
    pushed.push(remote);
    await follow(engine.docker, await engine.docker.pull(remote));
    const { config } = await manifestOf(registry, repo, 'v1');
    // The engine took every layer: its diff_ids are the config's (it checks each one as it unpacks).
    expect((await engine.docker.getImage(remote).inspect()).RootFS.Layers).toEqual(config.rootfs.diff_ids);
    expect(result.digest).toMatch(/^sha256:/);
    return remote;
  }

  it("runs KServe's modelcar command on the busybox base: /mnt/models holds the model", async () => {
    const image = await pull('images/iris-car');
    const container = await engine.docker.createContainer({
      Image: image,
      // What KServe runs in the modelcar sidecar; /mnt is the emptyDir it shares with the server.
      Cmd: [
        'sh',
        '-c',
        'ln -sf /proc/$$/root/models /mnt/ && sha256sum /mnt/models/model.bin && cat /mnt/models/vocab.txt',
      ],
      HostConfig: { NetworkMode: 'none', Tmpfs: { '/mnt': 'rw' } },
    });
    try {
      await container.start();
      const { StatusCode } = (await container.wait()) as { StatusCode: number };
      const logs = (await container.logs({ stdout: true, stderr: true, follow: false })) as Buffer;
      const text = logs.toString('latin1');
      expect(StatusCode, text).toBe(0);
      expect(text).toContain(createHash('sha256').update(weights).digest('hex'));
      expect(text).toContain('a b c');
    } finally {
      await container.remove({ force: true }).catch(() => undefined);
    }
  });

  it('gives the files of a files-only image to a container that never runs it, as an image volume does', async () => {
    const image = await pull('images/iris-files');
    const container = await engine.docker.createContainer({ Image: image, Cmd: ['none'] });
    try {
      const archive = await collect(await container.getArchive({ path: '/models' }));
      const extract = tar.extract();
      const seen = new Map<string, Buffer>();
      const done = (async () => {
        for await (const entry of extract) {
          const data = await collect(entry as unknown as NodeJS.ReadableStream);
          if (entry.header.type === 'file') seen.set(entry.header.name.replace(/^models\//, ''), data);
        }
      })();
      extract.end(archive);
      await done;
      for (const [path, data] of Object.entries(files))
        expect(seen.get(path)?.equals(Buffer.from(data)), path).toBe(true);
      expect(seen.has('model.yaml')).toBe(true);
    } finally {
      await container.remove({ force: true }).catch(() => undefined);
    }
  });
});
