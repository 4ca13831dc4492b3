/**
 * Saving a model and building a bento as both front doors do it: options read through one schema
 * each (a bad one is an OptionError of its key, which the CLI shows as a flag and an action as an
 * input), SOURCE_DATE_EPOCH giving the same entries, and a CUDA version over the bentofile's that
 * builds from the project and names the project's bentofile in errors.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { actionNaming } from '../../../src/actions/naming.js';
import { CLI_NAMING } from '../../../src/cli/naming.js';
import { OptionError } from '../../../src/core/errors.js';
import { buildBentoEntry, saveModelEntry } from '../../../src/operations/build.js';
import { EPOCH, homeWithModels, IRIS_BENTOFILE, project } from '../../build-support.js';
import { tempDir, writeExampleModels } from '../../support/store-cli.js';

async function refusal(work: Promise<unknown>): Promise<OptionError> {
  const err = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(OptionError);
  return err as OptionError;
}

describe('operations: save and build', () => {
  it('saves a model with SOURCE_DATE_EPOCH as the same entry every time', async () => {
    const { iris } = await writeExampleModels(await tempDir('op-models'));
    const env = { SOURCE_DATE_EPOCH: EPOCH };
    const first = await saveModelEntry(
      { tag: 'iris:v1', path: iris, label: { team: 'ml' } },
      {
        home: await tempDir('op-home'),
        env,
      },
    );
    const second = await saveModelEntry(
      { tag: 'iris:v1', path: iris, label: { team: 'ml' } },
      {
        home: await tempDir('op-home'),
        env,
      },
    );
    expect(first.info.creation_time).toBe('2023-11-14T22:13:20.000Z');
    expect(second.info.digest).toBe(first.info.digest);
    expect(first.info.labels).toEqual({ team: 'ml' });
  });

  it('builds with a CUDA version over the bentofile, from the project, without leaving the copy', async () => {
    const home = await homeWithModels();
    const dir = await project({ 'bentofile.yaml': `${IRIS_BENTOFILE}docker:\n  distro: debian\n` });
    const temp = await tempDir('op-temp');
    const { bento } = await buildBentoEntry({ context: dir, cudaVersion: '12.4' }, { home, temp });
    expect(bento.info.docker.cuda_version).toBe('12.4.1');
    expect(await readdir(temp)).toEqual([]);
  });

  it('names the option at fault, as each front door spells it', async () => {
    const home = await homeWithModels();
    const dir = await project({ 'bentofile.yaml': IRIS_BENTOFILE });
    const cuda = await refusal(buildBentoEntry({ context: dir, cudaVersion: '12.7' }, { home }));
    expect(cuda.option).toBe('cudaVersion');
    expect(cuda.render(CLI_NAMING)).toMatch(/^invalid --cuda-version "12\.7": not a known CUDA release; use/);
    expect(cuda.render(actionNaming(['cuda-version']))).toMatch(/^invalid input "cuda-version" "12\.7"/);

    await buildBentoEntry({ context: dir, version: 'v1' }, { home });
    const taken = await refusal(
      buildBentoEntry({ context: dir, version: 'v1', label: { x: 'y' } }, { home }),
    );
    expect(taken.option).toBe('version');
    expect(taken.render(CLI_NAMING)).toMatch(/saved tags are immutable; pick another --version$/);

    const labels = await refusal(buildBentoEntry({ context: dir, label: 'x=y' as never }, { home }));
    expect(labels.option).toBe('label');
  });

  it('names the project bentofile, with the CUDA version, when the build refuses it', async () => {
    const home = await homeWithModels();
    const dir = await project({
      'bentofile.yaml': `${IRIS_BENTOFILE.replace('iris:latest', 'ghost:v1')}`,
    });
    const err = await buildBentoEntry(
      { bentofile: join(dir, 'bentofile.yaml'), cudaVersion: '12.4' },
      { home, temp: await tempDir('op-temp') },
    ).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err?.message).toMatch(
      /bentofile\.yaml \(with `cudaVersion: 12\.4\.1`\):5:14: service\.apis\[0\]\.model: model "ghost:v1"/,
    );
    expect(err?.message).not.toContain('bentofile.cuda-');
  });
});
