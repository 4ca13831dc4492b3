/**
 * The Docker engine connection: DOCKER_HOST or the default socket, checked with a ping so that a
 * missing engine is one clear error, not a socket error in the middle of a build.
 */
import Docker from 'dockerode';
import { BentoError } from '../core/errors.js';

export const DEFAULT_DOCKER_HOST = 'unix:///var/run/docker.sock';

export function dockerHostOf(env: NodeJS.ProcessEnv = process.env): string {
  return env['DOCKER_HOST'] || DEFAULT_DOCKER_HOST;
}

/** How to get an engine, for messages. */
export const START_ENGINE_HINT =
  'start one (`sudo dockerd`, or in a bentoci checkout `eval "$(bash scripts/docker-engine.sh start)"`) or set DOCKER_HOST to a running engine';

export async function connectEngine(options: { timeoutMs?: number } = {}): Promise<Docker> {
  // dockerode reads DOCKER_HOST, DOCKER_TLS_VERIFY and DOCKER_CERT_PATH itself.
  const docker = new Docker();
  const host = dockerHostOf();
  const timeoutMs = options.timeoutMs ?? 10_000;
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      docker.ping(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs);
      }),
    ]);
  } catch (err) {
    const reason = err instanceof Error ? ((err as NodeJS.ErrnoException).code ?? err.message) : String(err);
    throw new BentoError(`no Docker engine reachable at ${host} (${reason}): ${START_ENGINE_HINT}`);
  } finally {
    clearTimeout(timer);
  }
  return docker;
}
