/**
 * A Docker engine for tests: the one DOCKER_HOST names when set (the lead's shared engine), else a
 * private `dockerd --bridge=none --iptables=false` with its socket, data-root and exec-root in a temp
 * dir, started once per test file (data-root start-up is slow). Containers must use --network host.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Dockerode from 'dockerode';

export const DOCKERD_BIN = '/usr/sbin/dockerd';

export interface DockerFixture {
  docker: Dockerode;
  /** `unix:///...` for the docker CLI and child processes (DOCKER_HOST). */
  host: string;
  /** True when this file started the engine (and stop() ends it). */
  private: boolean;
  stop(): Promise<void>;
}

/** Why Docker cannot be used here, or false. Under CI=true a missing engine is a failure: this throws. */
export function missingDocker(): string | false {
  if (process.env['DOCKER_HOST']) return false;
  try {
    accessSync(DOCKERD_BIN, constants.X_OK);
    if (process.getuid?.() !== 0) throw new Error('not root');
    return false;
  } catch {
    const reason = `${DOCKERD_BIN} is not installed (or not runnable as root) and DOCKER_HOST is not set`;
    if (process.env['CI'] === 'true') throw new Error(`${reason}, and CI=true requires Docker`);
    return reason;
  }
}

function dockerodeFor(host: string): Dockerode {
  if (host.startsWith('unix://')) return new Dockerode({ socketPath: host.slice('unix://'.length) });
  const url = new URL(host.replace(/^tcp:/, 'http:'));
  return new Dockerode({ host: url.hostname, port: Number(url.port) });
}

async function waitForPing(
  docker: Dockerode,
  child: ChildProcess | undefined,
  log: () => string,
): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child && child.exitCode !== null) throw new Error(`dockerd exited with ${child.exitCode}: ${log()}`);
    try {
      await docker.ping();
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`dockerd did not answer within 60 s: ${log()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

export async function startDocker(): Promise<DockerFixture> {
  const shared = process.env['DOCKER_HOST'];
  if (shared) {
    const docker = dockerodeFor(shared);
    await waitForPing(docker, undefined, () => `DOCKER_HOST=${shared}`);
    return { docker, host: shared, private: false, stop: async () => undefined };
  }
  // Short path: the socket path must fit in sockaddr_un (108 bytes).
  const dir = await mkdtemp(join(tmpdir(), 'bci-dk-'));
  const socket = join(dir, 'docker.sock');
  let output = '';
  const child = spawn(
    DOCKERD_BIN,
    [
      '--bridge=none',
      '--iptables=false',
      '--ip6tables=false',
      '-H',
      `unix://${socket}`,
      '--data-root',
      join(dir, 'data'),
      '--exec-root',
      join(dir, 'x'),
      '--pidfile',
      join(dir, 'docker.pid'),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const host = `unix://${socket}`;
  const docker = new Dockerode({ socketPath: socket });
  try {
    await waitForPing(docker, child, () => output);
  } catch (err) {
    child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    throw err;
  }
  return {
    docker,
    host,
    private: true,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
        await exited;
        clearTimeout(timer);
      }
      // dockerd leaves its default network namespace mounted under the exec-root.
      await new Promise((resolve) => execFile('umount', ['-l', join(dir, 'x', 'netns', 'default')], resolve));
      await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    },
  };
}

/** Runs a container to completion with host networking and returns its stdout. */
export async function runContainer(docker: Dockerode, image: string, cmd: string[]): Promise<string> {
  const container = await docker.createContainer({
    Image: image,
    Cmd: cmd,
    HostConfig: { NetworkMode: 'host' },
  });
  try {
    await container.start();
    const { StatusCode } = (await container.wait()) as { StatusCode: number };
    const logs = (await container.logs({ stdout: true, stderr: true, follow: false })) as Buffer;
    const text = demux(logs);
    if (StatusCode !== 0)
      throw new Error(`container ${image} ${cmd.join(' ')} exited with ${StatusCode}: ${text}`);
    return text;
  } finally {
    await container.remove({ force: true }).catch(() => undefined);
  }
}

/** Docker's multiplexed log frames (8-byte header each) to plain text. */
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
