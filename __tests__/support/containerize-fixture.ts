/**
 * Shared set-up of the containerize tests that use the engine: the engine itself (support/docker.ts),
 * the stand-in base images, the runtime bundled as `npm run build` bundles it, a store home with the
 * example models, bentos built from examples/iris by src/build, and containers run with host networking.
 */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type Docker from 'dockerode';
import YAML from 'yaml';
import { irisModel, twoInputModel } from '../../examples/models.js';
import { buildBento } from '../../src/build/build.js';
import { cudaImage, NODE_IMAGE, UBUNTU_IMAGE } from '../../src/containerize/distro.js';
import type { RuntimeFiles } from '../../src/containerize/runtime-files.js';
import type { StoredBento } from '../../src/core/bento-store.js';
import { openModelStore, saveModel } from '../../src/core/model-store.js';
import { ensureBaseImages } from './base-images.js';
import { type DockerFixture, startDocker } from './docker.js';

export const REPO = resolve(import.meta.dirname, '../..');
export const TEST_CUDA = '12.4';

export interface ContainerizeFixture {
  engine: DockerFixture;
  docker: Docker;
  runtime: RuntimeFiles;
  home: string;
  work: string;
  cleanup(): Promise<void>;
}

/** Engine, base images, runtime bundle and a home with the example models. DOCKER_HOST is set for the library. */
export async function setUpContainerize(): Promise<ContainerizeFixture> {
  const engine = await startDocker();
  process.env['DOCKER_HOST'] = engine.host;
  await ensureBaseImages(engine.docker, [NODE_IMAGE, UBUNTU_IMAGE, cudaImage(TEST_CUDA)]);
  const work = await mkdtemp(join(tmpdir(), 'bci-cz-'));
  await promisify(execFile)(process.execPath, ['scripts/build.mjs', '--outdir', join(work, 'dist')], {
    cwd: REPO,
  });
  const home = join(work, 'home');
  const models = openModelStore(home);
  await writeFile(join(work, 'iris.onnx'), irisModel());
  await writeFile(join(work, 'two_inputs.onnx'), twoInputModel());
  await saveModel(models, { tag: 'iris', source: join(work, 'iris.onnx') });
  await saveModel(models, { tag: 'two_inputs', source: join(work, 'two_inputs.onnx') });
  return {
    engine,
    docker: engine.docker,
    runtime: { bundleDir: join(work, 'dist', 'runtime'), packageDir: join(REPO, 'runtime') },
    home,
    work,
    async cleanup() {
      await rm(work, { recursive: true, force: true });
      await engine.stop();
    },
  };
}

export interface BentoVariant {
  /** A directory name under the fixture's work dir. */
  name: string;
  /** Changes to the example bentofile.yaml (merged at the top level). */
  bentofile?: Record<string, unknown>;
  /** Extra or changed files of the build context. */
  files?: Record<string, string>;
}

/**
 * The example bento (examples/iris) built by src/build. The stand-in base has no apt-get, so the
 * example's docker.system_packages are dropped; everything else is the example as users build it.
 */
export async function exampleBento(
  fixture: ContainerizeFixture,
  variant: BentoVariant,
): Promise<StoredBento> {
  const context = join(fixture.work, variant.name);
  await cp(join(REPO, 'examples/iris'), context, { recursive: true });
  const bentofile = YAML.parse(await readFile(join(context, 'bentofile.yaml'), 'utf8')) as Record<
    string,
    unknown
  >;
  const docker = { ...(bentofile['docker'] as Record<string, unknown>) };
  delete docker['system_packages'];
  Object.assign(bentofile, { docker }, variant.bentofile);
  await writeFile(join(context, 'bentofile.yaml'), YAML.stringify(bentofile));
  for (const [rel, text] of Object.entries(variant.files ?? {}))
    await writeFile(join(context, rel), text, { mode: 0o755 });
  return (await buildBento({ home: fixture.home, context })).bento;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

export interface RunningImage {
  port: number;
  container: Docker.Container;
  logs(): Promise<string>;
  stop(): Promise<void>;
}

export async function runImage(
  docker: Docker,
  image: string,
  env: Record<string, string> = {},
): Promise<RunningImage> {
  const port = await freePort();
  const container = await docker.createContainer({
    Image: image,
    Env: Object.entries({ BENTOCI_PORT: String(port), ...env }).map(([k, v]) => `${k}=${v}`),
    HostConfig: { NetworkMode: 'host' },
  });
  await container.start();
  return {
    port,
    container,
    logs: async () => demux((await container.logs({ stdout: true, stderr: true, follow: false })) as Buffer),
    stop: async () => {
      await container.remove({ force: true }).catch(() => undefined);
    },
  };
}

/** Polls /readyz until 200; fails with the container's logs when it exits or takes too long. */
export async function waitReady(running: RunningImage, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await fetch(`http://127.0.0.1:${running.port}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    const state = (await running.container.inspect()).State;
    if (!state.Running || Date.now() > deadline) {
      throw new Error(
        `container not ready (running: ${state.Running}, exit ${state.ExitCode}): ${await running.logs()}`,
      );
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Runs a command in a running container and returns its output. */
export async function exec(container: Docker.Container, cmd: string[]): Promise<string> {
  const run = await container.exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
  const stream = await run.start({});
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return demux(Buffer.concat(chunks));
}

/**
 * The image's layers by the step that made them: history entries (oldest first) that carry a layer
 * are the import and the COPY/ADD/RUN steps; they pair with RootFS.Layers in order.
 */
export async function layersByStep(
  docker: Docker,
  image: string,
): Promise<Array<{ step: string; layer: string }>> {
  const layers = (await docker.getImage(image).inspect()).RootFS.Layers ?? [];
  const history = (
    (await docker.getImage(image).history()) as Array<{ CreatedBy: string; Size: number }>
  ).reverse();
  const steps = history.filter((h) => h.Size > 0 || /#\(nop\) (COPY|ADD) |^(?!.*#\(nop\))/.test(h.CreatedBy));
  if (steps.length !== layers.length) {
    throw new Error(`cannot pair ${steps.length} history steps with ${layers.length} layers of ${image}`);
  }
  return steps.map((h, i) => ({ step: h.CreatedBy, layer: layers[i]! }));
}

export async function imageExists(docker: Docker, name: string): Promise<boolean> {
  return docker
    .getImage(name)
    .inspect()
    .then(
      () => true,
      () => false,
    );
}

function demux(buffer: Buffer): string {
  let out = '';
  let offset = 0;
  while (offset + 8 <= buffer.length) {
    const size = buffer.readUInt32BE(offset + 4);
    out += buffer.subarray(offset + 8, offset + 8 + size).toString('utf8');
    offset += 8 + size;
  }
  return out;
}
