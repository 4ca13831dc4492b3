/**
 * `bentoci build` and the top-level bento commands as users run them: the bundled dist/cli.js
 * (run `npm run build` first) in a child process, against a fresh store home.
 */
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { assertCliBuilt, bentoci, snapshot, tempDir, writeExampleModels } from '../../support/store-cli.js';

const EXAMPLE = join(import.meta.dirname, '..', '..', '..', 'examples', 'iris');

describe('bentoci build (CLI)', () => {
  let home: string;
  let project: string;
  beforeAll(async () => {
    assertCliBuilt();
    home = await tempDir('build-cli-home');
    project = await tempDir('build-cli-project');
    await cp(EXAMPLE, project, {
      recursive: true,
      filter: (src) => !src.startsWith(join(EXAMPLE, 'models')),
    });
    const { iris, twoInputs } = await writeExampleModels(await tempDir('build-cli-models'));
    for (const [name, file] of [
      ['iris', iris],
      ['two_inputs', twoInputs],
    ] as const) {
      const saved = await bentoci(['models', 'save', name, file], { home });
      expect(saved.code, saved.stderr).toBe(0);
    }
  });

  it('builds the example, prints the tag and digest, and reuses it when nothing changed', async () => {
    const built = await bentoci(['build', project], { home });
    expect(built.code, built.stderr).toBe(0);
    const tag = built.stdout.toString().trim();
    expect(tag).toMatch(/^iris_classifier:[0-9a-z]{16}$/);
    expect(built.stderr).toMatch(/^model iris:latest -> iris:[0-9a-z]{16} \(sha256:[0-9a-f]{64}\)$/m);
    expect(built.stderr).toMatch(new RegExp(`^built bento ${tag} \\(digest (sha256:[0-9a-f]{64}),`, 'm'));
    const digest = /digest (sha256:[0-9a-f]{64})/.exec(built.stderr)![1];

    const again = await bentoci(['build', '-f', join(project, 'bentofile.yaml'), '--json'], { home });
    expect(again.code, again.stderr).toBe(0);
    const json = JSON.parse(again.stdout.toString()) as { tag: string; reused: boolean; digest: string };
    expect(json).toMatchObject({ tag, reused: true, digest });

    const list = await bentoci(['list', '--json'], { home });
    expect((JSON.parse(list.stdout.toString()) as { tag: string }[]).map((b) => b.tag)).toEqual([tag]);
    const got = await bentoci(['get', 'iris_classifier'], { home });
    expect(got.code, got.stderr).toBe(0);
    const info = YAML.parse(got.stdout.toString()) as {
      tag: string;
      digest: string;
      service: { apis: { model: string }[] };
    };
    expect(info.tag).toBe(tag);
    expect(info.digest).toBe(digest);
    expect(info.service.apis.map((a) => a.model)).toEqual([
      expect.stringMatching(/^iris:/),
      expect.stringMatching(/^two_inputs:/),
    ]);
    const verified = await bentoci(['verify', tag], { home });
    expect(verified.code, verified.stderr).toBe(0);
  });

  it('takes --version and --label, and SOURCE_DATE_EPOCH from the environment', async () => {
    const built = await bentoci(['build', project, '--version', 'v1', '--label', 'stage=dev', '--json'], {
      home,
    });
    expect(built.code, built.stderr).toBe(0);
    const bento = JSON.parse(built.stdout.toString()) as {
      tag: string;
      reused: boolean;
      labels: Record<string, string>;
    };
    expect(bento).toMatchObject({
      tag: 'iris_classifier:v1',
      reused: false,
      labels: { owner: 'ml-team', project: 'iris', stage: 'dev' },
    });
    // --version is the bento's, not the program's.
    expect(built.stdout.toString()).not.toMatch(/^\d+\.\d+\.\d+\n$/);
  });

  it('bundles a service module with hooks (esbuild is loaded at run time, not bundled into the CLI)', async () => {
    const built = await bentoci(['build', '-f', join(project, 'bentofile.hooks.yaml'), '--json'], { home });
    expect(built.code, built.stderr).toBe(0);
    const bento = JSON.parse(built.stdout.toString()) as {
      tag: string;
      path: string;
      service: { module: string };
    };
    expect(bento.tag).toMatch(/^iris_hooks:/);
    expect(bento.service.module).toBe('service.mjs:svc');
    expect(await readFile(join(bento.path, 'src', 'service.mjs'), 'utf8')).toContain('function species(');
  });

  it('moves a bento to another home with export and import', async () => {
    const archive = join(await tempDir('build-cli-archive'), 'iris.bento');
    const exported = await bentoci(['export', 'iris_classifier:v1', archive], { home });
    expect(exported.code, exported.stderr).toBe(0);
    const other = await tempDir('build-cli-other');
    const imported = await bentoci(['import', archive], { home: other });
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout.toString().trim()).toBe('iris_classifier:v1');
    const [a, b] = await Promise.all([
      bentoci(['get', 'iris_classifier:v1', '--json'], { home }),
      bentoci(['get', 'iris_classifier:v1', '--json'], { home: other }),
    ]);
    const strip = (text: string) => {
      const { path: _path, ...rest } = JSON.parse(text) as { path: string };
      return rest;
    };
    expect(strip(b.stdout.toString())).toEqual(strip(a.stdout.toString()));
    expect((await bentoci(['verify', 'iris_classifier:v1'], { home: other })).code).toBe(0);
    const deleted = await bentoci(['delete', 'iris_classifier:v1'], { home: other });
    expect(deleted.code, deleted.stderr).toBe(0);
    expect((await bentoci(['list', '--json'], { home: other })).stdout.toString().trim()).toBe('[]');
  });

  it('refuses a bad bentofile with one line and exit code 2, writing nothing', async () => {
    const bad = await tempDir('build-cli-bad');
    await cp(project, bad, { recursive: true });
    const text = await readFile(join(bad, 'bentofile.yaml'), 'utf8');
    await writeFile(join(bad, 'bentofile.yaml'), text.replace('max_batch_size: 64', 'max_batch_size: 0'));
    const before = await snapshot(home);
    const run = await bentoci(['build', bad], { home });
    expect(run.code).toBe(2);
    expect(run.stdout.toString()).toBe('');
    expect(run.stderr).toMatch(
      /^error: .*bentofile.yaml:9:35: service.apis\[0\].batching.max_batch_size: expected a whole number from 1 to 4096 \(got 0\)\n$/,
    );
    expect(await snapshot(home)).toEqual(before);
    const missing = await bentoci(['build', join(bad, 'nowhere')], { home });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(
      /^error: build context ".*nowhere" is not a directory: pass the project directory\n$/,
    );
    // The bentofile names a model not saved: the fix is the command that saves it.
    await writeFile(join(bad, 'bentofile.yaml'), text.replace('iris:latest', 'ghost:v1'));
    const ghost = await bentoci(['build', bad], { home });
    expect(ghost.code).toBe(2);
    expect(ghost.stderr).toMatch(/save it with `bentoci models save ghost PATH` or fix the tag\n$/);
    expect(await snapshot(home)).toEqual(before);
  });

  it('takes --cuda-version over the bentofile, naming the flag when it is not a release', async () => {
    const built = await bentoci(['build', project, '--cuda-version', '12.4', '--json'], { home });
    expect(built.code, built.stderr).toBe(0);
    expect(JSON.parse(built.stdout.toString())).toMatchObject({ docker: { cuda_version: '12.4.1' } });
    expect(built.stderr).toContain('building with docker.cuda_version 12.4.1');
    const unknown = await bentoci(['build', project, '--cuda-version', '12.7'], { home });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^error: invalid --cuda-version "12\.7": not a known CUDA release; use /);
    const taken = await bentoci(['build', project, '--version', 'v1', '--label', 'other=label'], { home });
    expect(taken.code).toBe(2);
    expect(taken.stderr).toMatch(/saved tags are immutable; pick another --version\n$/);
  });
});
