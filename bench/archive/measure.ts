/**
 * Runs one command and measures it: wall time, and for our CLI its own peak RSS (read by the
 * rss-probe preloaded into it). Every command must succeed; a failed run stops the benchmark.
 */
import { spawn } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';

export const CLI = resolve('dist/cli.js');
const PROBE = resolve('bench/archive/rss-probe.mjs');

export interface Measurement {
  seconds: number;
  /** Peak resident set size in MiB, for our CLI only. */
  rssMiB?: number;
}

export async function measure(
  command: string,
  args: string[],
  options: { env?: Record<string, string>; cwd?: string; rssFile?: string } = {},
): Promise<Measurement> {
  const started = performance.now();
  const stderr: Buffer[] = [];
  const code = await new Promise<number>((done, fail) => {
    const child = spawn(command, args, {
      cwd: options.cwd ?? process.cwd(),
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', fail);
    child.on('close', (status) => done(status ?? 1));
  });
  const seconds = (performance.now() - started) / 1000;
  if (code !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} failed (exit ${code}): ${Buffer.concat(stderr).toString().trim()}`,
    );
  }
  if (!options.rssFile) return { seconds };
  const kib = Number(await readFile(options.rssFile, 'utf8'));
  await rm(options.rssFile, { force: true });
  return { seconds, rssMiB: kib / 1024 };
}

/** Runs `bentoci ARGS` with BENTOCI_HOME set, measuring its time and peak RSS. */
export function measureCli(home: string, args: string[], work: string): Promise<Measurement> {
  const rssFile = join(work, `rss-${process.pid}-${Math.random().toString(36).slice(2)}`);
  return measure(process.execPath, ['--import', PROBE, CLI, ...args], {
    env: { BENTOCI_HOME: home, BENTOCI_BENCH_RSS_FILE: rssFile },
    rssFile,
  });
}

/** Flushes dirty pages so one step's writeback does not land in the next step's time. */
export async function settle(): Promise<void> {
  await measure('sync', []);
}
