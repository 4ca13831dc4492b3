/**
 * Waiting for a started service: poll GET /readyz until it answers 200, while checking that the
 * process or container is still alive, so a crash is reported at once with its last log lines
 * instead of as a timeout.
 */
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import { BentoError } from '../core/errors.js';
import { option, say } from '../core/user-text.js';

/** A free TCP port on the loopback interface (the OS picks it; closed again before use). */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

export interface ReadinessOptions {
  url: string;
  path?: string;
  timeoutMs: number;
  /** Why the service can no longer become ready (it exited), or undefined while it may. */
  dead: () => string | undefined;
  what: string;
  signal?: AbortSignal;
}

export async function waitReady(options: ReadinessOptions): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  let last = 'no answer yet';
  for (let delay = 50; ; delay = Math.min(delay * 2, 500)) {
    const died = options.dead();
    if (died) throw new BentoError(`${options.what} stopped before it was ready: ${died}`);
    try {
      const res = await request(`${options.url}${options.path ?? '/readyz'}`, {
        signal: AbortSignal.timeout(2000),
        headersTimeout: 2000,
        bodyTimeout: 2000,
      });
      await res.body.dump();
      if (res.statusCode === 200) return;
      last = `/readyz answered ${res.statusCode}`;
    } catch (err) {
      last = (err as { code?: string }).code ?? (err as Error).message;
    }
    if (options.signal?.aborted) throw new BentoError(`${options.what}: cancelled while waiting for it`);
    if (Date.now() >= deadline)
      throw new BentoError(
        say`${options.what} was not ready within ${Math.round(options.timeoutMs / 1000)} s (${last}); raise ${option('readyTimeout')} or check its logs`,
      );
    await sleep(delay);
  }
}

/** Keeps the last lines of a log stream, for error messages. */
export class LogTail {
  private lines: string[] = [];
  private partial = '';

  constructor(private readonly max = 20) {}

  push(chunk: Buffer | string): void {
    const text = this.partial + chunk.toString();
    const parts = text.split('\n');
    this.partial = parts.pop() ?? '';
    this.lines.push(...parts.filter((l) => l.trim() !== ''));
    if (this.lines.length > this.max) this.lines = this.lines.slice(-this.max);
  }

  text(): string {
    return [...this.lines, this.partial].filter(Boolean).slice(-5).join(' | ');
  }
}
