import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BENTOCI_VERSION } from '../../../src/version.js';

/** The dist/ under test: dist/, or $BENTOCI_TEST_DIST (a build of modified sources elsewhere). */
const DIST = process.env['BENTOCI_TEST_DIST'] ?? 'dist';

async function filesBelow(root: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(root, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) out.push(relative(root, join(entry.parentPath, entry.name)));
  }
  return out.sort();
}

describe('dist/', () => {
  it('matches a fresh build of the sources (run `npm run build` and commit dist/)', async () => {
    const outdir = await mkdtemp(join(tmpdir(), 'bentoci-dist-'));
    execFileSync(process.execPath, ['scripts/build.mjs', '--outdir', outdir], { stdio: 'pipe' });
    const fresh = await filesBelow(outdir);
    expect(await filesBelow(DIST)).toEqual(fresh);
    for (const file of fresh) {
      const [built, committed] = await Promise.all([
        readFile(join(outdir, file)),
        readFile(join(DIST, file)),
      ]);
      expect(committed.equals(built), `dist/${file} is stale: run \`npm run build\``).toBe(true);
    }
  });

  it('names no file after a content hash (an edit renames nothing; scripts/build.mjs says why)', async () => {
    const files = await filesBelow(DIST);
    expect(files.filter((f) => /-[A-Z0-9]{8}\.js$/.test(f))).toEqual([]);
    // Every import between the files of dist/ names a file that is there.
    for (const file of files.filter((f) => f.endsWith('.js') && !f.includes('/'))) {
      const text = await readFile(join(DIST, file), 'utf8');
      for (const m of text.matchAll(/(?:from |import |import\()"\.\/([^"]+)"/g))
        expect(files, `dist/${file} imports ./${m[1]}`).toContain(m[1]);
    }
  });

  it('carries esbuild-wasm as its package lays it out, for service modules where no esbuild is installed', async () => {
    const files = await filesBelow(DIST);
    for (const f of ['package.json', 'lib/main.js', 'bin/esbuild', 'wasm_exec_node.js', 'esbuild.wasm'])
      expect(files).toContain(`esbuild-wasm/${f}`);
  });

  it('carries the version in package.json', async () => {
    const pkg = JSON.parse(await readFile('package.json', 'utf8')) as { version: string };
    expect(BENTOCI_VERSION).toBe(pkg.version);
  });
});
