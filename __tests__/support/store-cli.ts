/**
 * Helpers for store and archive tests: the bundled CLI run as a process (as users run it), fresh
 * store homes, example models, and a snapshot of a home to prove that a failure changed nothing.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { irisModel, twoInputModel } from '../../examples/models.js';

/** The bundle under test: dist/cli.js (or $BENTOCI_TEST_CLI, e.g. a build of modified sources). */
export const CLI = resolve(process.env['BENTOCI_TEST_CLI'] ?? 'dist/cli.js');

export function assertCliBuilt(): void {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` before these tests`);
}

let pinned: string | undefined;

/**
 * The bundle (the CLI entry, the chunks it shares with the actions, the runtime), copied once per
 * test file, so a rebuild of dist/ while the tests run (it is removed and rewritten) cannot pull it
 * away halfway. The copy stays inside this package, as in an installation, so what it loads at run
 * time (esbuild) resolves from the package's node_modules.
 */
export function cliPath(): string {
  if (pinned) return pinned;
  assertCliBuilt();
  const cache = resolve('node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  const copy = mkdtempSync(join(cache, 'bentoci-cli-'));
  cpSync(dirname(CLI), copy, { recursive: true });
  pinned = join(copy, basename(CLI));
  return pinned;
}

export interface Run {
  code: number;
  stdout: Buffer;
  stderr: string;
}

export interface RunOptions {
  home: string;
  cwd?: string;
  input?: Buffer | string;
}

export function spawnCli(args: string[], options: RunOptions): ChildProcess {
  return spawn(process.execPath, [cliPath(), ...args], {
    cwd: options.cwd ?? process.cwd(),
    env: { ...process.env, BENTOCI_HOME: options.home, BENTOCI_DEBUG: '' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/** Collects a spawned CLI's output and exit code. */
export function collect(child: ChildProcess): Promise<Run> {
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
  return new Promise((done, fail) => {
    child.on('error', fail);
    child.on('close', (code, signal) =>
      done({
        code: code ?? (signal ? 128 : 1),
        stdout: Buffer.concat(stdout),
        stderr: Buffer.concat(stderr).toString('utf8'),
      }),
    );
  });
}

export function bentoci(args: string[], options: RunOptions): Promise<Run> {
  const child = spawnCli(args, options);
  const run = collect(child);
  child.stdin?.on('error', () => undefined);
  child.stdin?.end(options.input ?? '');
  return run;
}

const created: string[] = [];

export async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `bentoci-${prefix}-`));
  created.push(dir);
  return dir;
}

/** Removes every directory `tempDir` and `cliPath` made in this test file (for afterAll). */
export async function removeTempDirs(): Promise<void> {
  if (pinned) created.push(dirname(pinned));
  pinned = undefined;
  await Promise.all(created.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
}

/** Writes the example ONNX models (iris.onnx, two_inputs.onnx) into `dir`. */
export async function writeExampleModels(dir: string): Promise<{ iris: string; twoInputs: string }> {
  const iris = join(dir, 'iris.onnx');
  const twoInputs = join(dir, 'two_inputs.onnx');
  await writeFile(iris, irisModel());
  await writeFile(twoInputs, twoInputModel());
  return { iris, twoInputs };
}

/**
 * Every file and directory below `home` with a hash of each file's bytes. Staging directories are
 * where work in progress lives; they are reported apart so a test can demand they are empty.
 */
export async function snapshot(home: string): Promise<{ tree: Record<string, string>; staging: string[] }> {
  const tree: Record<string, string> = {};
  const staging: string[] = [];
  if (!existsSync(home)) return { tree, staging };
  for (const entry of await readdir(home, { withFileTypes: true, recursive: true })) {
    const abs = join(entry.parentPath, entry.name);
    const rel = relative(home, abs);
    const parts = rel.split('/');
    const inStaging = parts.indexOf('.staging');
    if (inStaging >= 0) {
      if (parts.length > inStaging + 1) staging.push(rel);
      continue;
    }
    tree[rel] = entry.isFile()
      ? createHash('sha256')
          .update(await readFile(abs))
          .digest('hex')
      : entry.isDirectory()
        ? 'dir'
        : 'other';
  }
  return { tree, staging };
}
