/**
 * Starts an image as a container with host networking (engines may run without a bridge network) on a
 * free loopback port, reads the bento.yaml it carries for its API signatures, and removes it after.
 */
import type Docker from 'dockerode';
import tar from 'tar-stream';
import YAML from 'yaml';
import { BentoError } from '../core/errors.js';
import { type BentoInfo, bentoInfoSchema } from '../shared/schemas.js';
import type { StartedService } from './launch-process.js';
import { freeLoopbackPort, LogTail, waitReady } from './readiness.js';
import { listenEnv, withListenArgs } from './serve-args.js';

export interface ContainerLaunch {
  docker: Docker;
  image: string;
  what: string;
  readyTimeoutMs: number;
  /** Pull the image when the engine does not have it. */
  pull: boolean;
  env?: Record<string, string>;
  signal?: AbortSignal;
  log?: (line: string) => void;
}

export interface StartedContainer extends StartedService {
  /** The bento.yaml inside the image, when it is a bentoci image. */
  bento?: BentoInfo;
  /** The image's id (sha256 of its config) on this engine. */
  imageId: string;
}

async function ensureImage(options: ContainerLaunch): Promise<Docker.ImageInspectInfo> {
  const image = options.docker.getImage(options.image);
  try {
    return await image.inspect();
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode !== 404) throw err;
  }
  if (!options.pull)
    throw new BentoError(`image ${options.image} is not on the Docker engine: build or pull it first`);
  options.log?.(`canary: pulling ${options.image}`);
  const stream = await options.docker.pull(options.image);
  await new Promise<void>((resolve, reject) =>
    options.docker.modem.followProgress(stream, (err: Error | null) => (err ? reject(err) : resolve())),
  );
  return image.inspect();
}

/**
 * The image's own command, listening on loopback at `port` where it passes the listen flags;
 * otherwise the environment (containerEnv) sets both.
 */
export function commandWithPort(cmd: readonly string[] | null | undefined, port: number): string[] {
  return withListenArgs(cmd ?? [], { host: '127.0.0.1', port });
}

/**
 * The runtime's settings for a container on the host network: listen on loopback only, on our port
 * (the runtime's variables; PORT for images that follow the platform convention).
 */
export function containerEnv(port: number): string[] {
  return [...listenEnv({ host: '127.0.0.1', port }), `PORT=${port}`];
}

/** Docker's log stream without a TTY: frames of [stream, 0, 0, 0, size (4 bytes BE)] + payload. */
export function demuxer(sink: (text: Buffer) => void): (chunk: Buffer) => void {
  let pending = Buffer.alloc(0);
  return (chunk) => {
    pending = Buffer.concat([pending, chunk]);
    while (pending.length >= 8) {
      const size = pending.readUInt32BE(4);
      if (pending.length < 8 + size) return;
      sink(pending.subarray(8, 8 + size));
      pending = pending.subarray(8 + size);
    }
  };
}

/** The bento.yaml of a bentoci image, read from the created container's filesystem. */
async function readBentoInfo(
  container: Docker.Container,
  workingDirs: string[],
): Promise<BentoInfo | undefined> {
  for (const dir of workingDirs) {
    try {
      const archive = await container.getArchive({ path: `${dir}/bento.yaml` });
      const text = await new Promise<string>((resolve, reject) => {
        const extract = tar.extract();
        let found = '';
        extract.on('entry', (_header, stream, next) => {
          const chunks: Buffer[] = [];
          stream.on('data', (c: unknown) => {
            chunks.push(c as Buffer);
          });
          stream.on('end', () => {
            found ||= Buffer.concat(chunks).toString('utf8');
            next();
          });
          stream.resume();
        });
        extract.on('finish', () => resolve(found));
        extract.on('error', reject);
        archive.pipe(extract);
      });
      const parsed = bentoInfoSchema.safeParse(YAML.parse(text));
      if (parsed.success) return parsed.data;
    } catch {
      // Not there: try the next place, or go without signatures.
    }
  }
  return undefined;
}

export async function launchContainer(options: ContainerLaunch): Promise<StartedContainer> {
  const info = await ensureImage(options);
  const port = await freeLoopbackPort();
  const cmd = commandWithPort(info.Config?.Cmd, port);
  const container = await options.docker.createContainer({
    Image: options.image,
    ...(cmd.length > 0 ? { Cmd: cmd } : {}),
    Env: [...Object.entries(options.env ?? {}).map(([k, v]) => `${k}=${v}`), ...containerEnv(port)],
    Labels: { 'dev.bentoci.canary': options.what },
    HostConfig: { NetworkMode: 'host' },
  });
  const fromEnv = (info.Config?.Env ?? [])
    .find((e) => e.startsWith('BENTOCI_BENTO_DIR='))
    ?.slice('BENTOCI_BENTO_DIR='.length);
  const positional = cmd.find((a) => a.startsWith('/'));
  const bentoDirs = [fromEnv, positional, info.Config?.WorkingDir].filter(
    (d): d is string => typeof d === 'string' && d.startsWith('/'),
  );
  const bento = await readBentoInfo(container, bentoDirs);
  const tail = new LogTail();
  let state: string | undefined;
  const remove = async () => {
    await container.stop({ t: 10 }).catch(() => undefined);
    await container.remove({ force: true }).catch(() => undefined);
  };
  try {
    await container.start();
    const logs = await container.logs({ follow: true, stdout: true, stderr: true });
    logs.on(
      'data',
      demuxer((c) => tail.push(c)),
    );
    logs.on('error', () => undefined);
    const url = `http://127.0.0.1:${port}`;
    options.log?.(`canary: started ${options.what} (container ${container.id.slice(0, 12)}) on ${url}`);
    let lastCheck = 0;
    await waitReady({
      url,
      timeoutMs: options.readyTimeoutMs,
      what: options.what,
      dead: () => {
        // Inspecting is asynchronous; poll it in the background and report what was last seen.
        if (Date.now() - lastCheck > 500) {
          lastCheck = Date.now();
          container
            .inspect()
            .then((c) => {
              if (!c.State.Running) state = `container exited with ${c.State.ExitCode}`;
            })
            .catch(() => undefined);
        }
        return state ? `${state}; last output: ${tail.text() || '(none)'}` : undefined;
      },
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const destroy = (logs as unknown as { destroy?: () => void }).destroy;
    return {
      url,
      imageId: info.Id,
      ...(bento ? { bento } : {}),
      stop: async () => {
        destroy?.call(logs);
        await remove();
      },
    };
  } catch (err) {
    await remove();
    throw err;
  }
}
