/** Starting and stopping the servers under test, each a child process on its own loopback port. */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface Proc {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Spawns `node ARGV` and waits until `ready` answers: a GET of `readyPath` with status 200, or any
 * HTTP answer at all when `readyPath` is undefined (the hand-written servers have no health route).
 */
export async function startProc(
  argv: string[],
  port: number,
  readyPath?: string,
  timeoutMs = 60_000,
): Promise<Proc> {
  const child = spawn(process.execPath, argv, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`${argv.join(' ')} exited with ${child.exitCode}: ${stderr.trim()}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${argv.join(' ')} was not ready after ${timeoutMs} ms: ${stderr.trim()}`);
    }
    try {
      const res = await fetch(`${url}${readyPath ?? '/'}`, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (readyPath === undefined || res.status === 200) break;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };
  return { url, child, stop };
}

/** A process's resident memory (VmRSS) or its peak since the last reset (VmHWM), in KiB (Linux). */
export async function residentKb(pid: number, field: 'VmRSS' | 'VmHWM'): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
}
