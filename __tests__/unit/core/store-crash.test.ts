/**
 * Crash atomicity: `kill -9` of a `bentoci models save` while it copies a large file leaves nothing
 * visible in the store, and the next save sweeps the dead process's staging directory.
 */
import { createWriteStream } from 'node:fs';
import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openModelStore } from '../../../src/core/model-store.js';
import {
  assertCliBuilt,
  bentoci,
  collect,
  removeTempDirs,
  snapshot,
  spawnCli,
  tempDir,
  writeExampleModels,
} from '../../support/store-cli.js';

const SIZE = 512 << 20;
let work: string;
let big: string;

beforeAll(async () => {
  assertCliBuilt();
  work = await tempDir('crash');
  big = join(work, 'big.bin');
  // Varied bytes, so no filesystem can clone or skip them and the copy takes real time.
  const block = Buffer.alloc(8 << 20);
  for (let i = 0; i < block.length; i += 4) block.writeUInt32LE((i * 2654435761) >>> 0, i);
  const out = createWriteStream(big);
  for (let written = 0; written < SIZE; written += block.length) {
    block.writeUInt32LE(written, 0);
    if (!out.write(Buffer.from(block)))
      await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve, reject) =>
    out.end((err?: Error | null) => (err ? reject(err) : resolve())),
  );
});

afterAll(removeTempDirs);

/** Files in the store's staging area with their sizes. */
async function stagedFiles(home: string): Promise<Array<{ path: string; size: number }>> {
  const staging = join(home, 'models', '.staging');
  const out: Array<{ path: string; size: number }> = [];
  for (const entry of await readdir(staging, { withFileTypes: true, recursive: true }).catch(() => [])) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    const info = await stat(path).catch(() => undefined);
    if (info) out.push({ path, size: info.size });
  }
  return out;
}

/**
 * Starts a save of the large file and kills it with SIGKILL as soon as its copy is partly written.
 * Returns whether the kill landed mid-copy (the copy may finish between two looks; then we retry).
 */
async function killMidCopy(home: string): Promise<boolean> {
  const child = spawnCli(['models', 'save', 'big', big, '--module', 'files'], { home });
  const exited = collect(child);
  let midCopy = false;
  let running = true;
  void exited.then(() => {
    running = false;
  });
  while (running) {
    const partial = (await stagedFiles(home)).find((f) => f.size > 0 && f.size < SIZE);
    if (partial) {
      child.kill('SIGKILL');
      midCopy = true;
      break;
    }
  }
  const run = await exited;
  if (!midCopy) {
    // The copy outran us: this save completed, so remove it and try again.
    expect(run.code, run.stderr).toBe(0);
    await rm(join(home, 'models', 'big'), { recursive: true, force: true });
  }
  return midCopy;
}

describe('kill -9 during models save', () => {
  it('leaves nothing visible, and the next save sweeps the staging directory', async () => {
    const home = await tempDir('crash-home');
    const store = openModelStore(home);
    let landed = false;
    for (let attempt = 0; attempt < 5 && !landed; attempt++) landed = await killMidCopy(home);
    expect(landed, 'the SIGKILL never landed while the copy was in progress').toBe(true);

    // Nothing visible: no entry, no name directory, no latest pointer; only the dead process's staging.
    expect(await store.list()).toEqual([]);
    const list = await bentoci(['models', 'list', '--json'], { home });
    expect(JSON.parse(list.stdout.toString())).toEqual([]);
    const get = await bentoci(['models', 'get', 'big'], { home });
    expect(get.code).toBe(1);
    const left = await snapshot(home);
    expect(Object.keys(left.tree).filter((p) => !p.startsWith('models/.staging'))).toEqual(['models']);
    expect(left.staging.length).toBeGreaterThan(0);

    // The next save (another process) removes what the dead one left and stores its own entry.
    const next = await bentoci(['models', 'save', 'small', (await writeExampleModels(work)).iris], { home });
    expect(next.code, next.stderr).toBe(0);
    expect((await snapshot(home)).staging).toEqual([]);
    expect((await store.list()).map((e) => e.tag.name)).toEqual(['small']);
  });
});
