import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BENTOCI_VERSION } from '../src/version.js';

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
    expect(await filesBelow('dist')).toEqual(fresh);
    for (const file of fresh) {
      const [built, committed] = await Promise.all([
        readFile(join(outdir, file), 'utf8'),
        readFile(join('dist', file), 'utf8'),
      ]);
      expect(committed === built, `dist/${file} is stale: run \`npm run build\``).toBe(true);
    }
  });

  it('carries the version in package.json', async () => {
    const pkg = JSON.parse(await readFile('package.json', 'utf8')) as { version: string };
    expect(BENTOCI_VERSION).toBe(pkg.version);
  });
});
