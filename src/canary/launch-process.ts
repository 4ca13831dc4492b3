/**
 * Starts the serving runtime (dist/runtime/server.js) as a child process on a bento or model
 * directory, bound to 127.0.0.1 on a free port, and stops it after the run.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BentoError } from '../core/errors.js';
import { serveSettingArgs } from '../shared/serve-settings.js';
import { freeLoopbackPort, LogTail, waitReady } from './readiness.js';

/**
 * The bundled runtime: beside the bundle that runs this code (dist/cli.js -> dist/runtime/server.js),
 * or dist/ of the checkout when running from sources; BENTOCI_RUNTIME overrides both.
 */
export function runtimeServerPath(env: NodeJS.ProcessEnv = process.env): string {
  const override = env['BENTOCI_RUNTIME'];
  if (override) return resolve(override);
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [
    join(here, 'runtime', 'server.js'),
    join(here, '..', '..', 'dist', 'runtime', 'server.js'),
  ];
  const found = candidates.find((p) => existsSync(p));
  if (!found)
    throw new BentoError(
      `the serving runtime is not built (looked for ${candidates.join(' and ')}): run \`npm run build\` or set BENTOCI_RUNTIME`,
    );
  return found;
}

export interface StartedService {
  url: string;
  stop(): Promise<void>;
}

export interface ProcessLaunch {
  /** A bento directory or a model store entry directory. */
  dir: string;
  what: string;
  readyTimeoutMs: number;
  /** Added to this process's environment for the runtime. */
  env?: Record<string, string>;
  signal?: AbortSignal;
  log?: (line: string) => void;
}

export async function launchRuntimeProcess(options: ProcessLaunch): Promise<StartedService> {
  const server = runtimeServerPath();
  const port = await freeLoopbackPort();
  const args = [server, options.dir, ...serveSettingArgs({ host: '127.0.0.1', port })];
  const child: ChildProcess = spawn(process.execPath, args, {
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const tail = new LogTail();
  child.stdout?.on('data', (c: Buffer) => tail.push(c));
  child.stderr?.on('data', (c: Buffer) => tail.push(c));
  let exited: string | undefined;
  let spawnError: string | undefined;
  child.once('error', (err) => {
    spawnError = err.message;
  });
  const done = new Promise<void>((res) =>
    child.once('exit', (code, sig) => {
      exited = `exit ${code ?? sig}`;
      res();
    }),
  );
  const stop = async () => {
    if (exited) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await done;
    clearTimeout(timer);
  };
  const url = `http://127.0.0.1:${port}`;
  options.log?.(`canary: started ${options.what} (pid ${child.pid}) on ${url}`);
  try {
    await waitReady({
      url,
      timeoutMs: options.readyTimeoutMs,
      what: options.what,
      dead: () => {
        const why = spawnError ?? exited;
        return why ? `${why}; last output: ${tail.text() || '(none)'}` : undefined;
      },
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, stop };
}
