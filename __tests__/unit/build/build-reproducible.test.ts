import { utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildBento } from '../../../src/build/build.js';
import { exportEntry } from '../../../src/core/archive/export.js';
import { importArchive } from '../../../src/core/archive/import.js';
import { openBentoStore } from '../../../src/core/bento-store.js';
import {
  EPOCH,
  exampleCopy,
  expectBuildError,
  homeWithModels,
  IRIS_BENTOFILE,
  project,
} from '../../build-support.js';
import { tempDir } from '../../support/store-cli.js';

describe('reproducible builds', () => {
  it('gives the same tag and digest for the same inputs and SOURCE_DATE_EPOCH, in two homes and two checkouts', async () => {
    // Fresh homes: one that already held an identical bento would (rightly) reuse it, version and all.
    const [oneHome, otherHome] = await Promise.all([homeWithModels(), homeWithModels()]);
    for (const bentofile of ['bentofile.yaml', 'bentofile.hooks.yaml']) {
      const [a, b] = await Promise.all([exampleCopy(), exampleCopy()]);
      const first = await buildBento({
        home: oneHome,
        context: a,
        bentofile: join(a, bentofile),
        sourceDateEpoch: EPOCH,
      });
      const second = await buildBento({
        home: otherHome,
        context: b,
        bentofile: join(b, bentofile),
        sourceDateEpoch: EPOCH,
      });
      expect(second.bento.info.digest).toBe(first.bento.info.digest);
      expect(second.bento.tag).toEqual(first.bento.tag);
      expect(second.bento.info.files).toEqual(first.bento.info.files);
      expect(first.bento.info.creation_time).toBe('2023-11-14T22:13:20.000Z');
      // The version starts with the time, so derived versions sort among generated ones.
      expect(first.bento.tag.version).toMatch(/^[0-9a-z]{16}$/);
    }
  });

  it('lets concurrent builds of the same inputs all succeed, with one bento', async () => {
    const myHome = await homeWithModels();
    const dir = await project({ 'bentofile.yaml': IRIS_BENTOFILE });
    const results = await Promise.all(
      [1, 2, 3].map(() => buildBento({ home: myHome, context: dir, sourceDateEpoch: EPOCH })),
    );
    expect(new Set(results.map((r) => r.bento.tag.version)).size).toBe(1);
    expect(results.filter((r) => !r.reused)).toHaveLength(1);
    expect(await openBentoStore(myHome).versionsOf('iris_classifier')).toHaveLength(1);
  });

  it('reuses the stored bento when nothing changed, and adds a version when something did', async () => {
    const myHome = await homeWithModels();
    const dir = await project({ 'bentofile.yaml': IRIS_BENTOFILE, 'src/a.ts': 'export const a = 1;\n' });
    const store = openBentoStore(myHome);
    const first = await buildBento({ home: myHome, context: dir });
    const again = await buildBento({ home: myHome, context: dir });
    expect(again.reused).toBe(true);
    expect(again.bento.tag).toEqual(first.bento.tag);
    await utimes(join(dir, 'src/a.ts'), new Date(), new Date('2001-01-01'));
    expect((await buildBento({ home: myHome, context: dir, sourceDateEpoch: EPOCH })).reused).toBe(true);
    expect(await store.versionsOf('iris_classifier')).toEqual([first.bento.tag.version]);

    await writeFile(join(dir, 'src/a.ts'), 'export const a = 2;\n');
    const changed = await buildBento({ home: myHome, context: dir });
    expect(changed.reused).toBe(false);
    expect(changed.bento.info.digest).not.toBe(first.bento.info.digest);
    expect((await store.get('iris_classifier')).tag).toEqual(changed.bento.tag);

    // Back to the first content: the first bento is reused and becomes latest again.
    await writeFile(join(dir, 'src/a.ts'), 'export const a = 1;\n');
    const back = await buildBento({ home: myHome, context: dir });
    expect(back).toMatchObject({ reused: true, bento: { tag: first.bento.tag } });
    expect((await store.get('iris_classifier')).tag).toEqual(first.bento.tag);

    // Same files, other labels: another bento, and another digest (it covers bento.yaml too).
    const labelled = await buildBento({ home: myHome, context: dir, labels: { stage: 'prod' } });
    expect(labelled.reused).toBe(false);
    expect(labelled.bento.info.files).toEqual(first.bento.info.files);
    expect(labelled.bento.info.digest).not.toBe(first.bento.info.digest);
    expect(await store.versionsOf('iris_classifier')).toHaveLength(3);

    // An explicit version: reused when it holds the same bento, refused when it holds another.
    const named = await buildBento({ home: myHome, context: dir, version: 'v1' });
    expect(named).toMatchObject({ reused: false, bento: { tag: { version: 'v1' } } });
    expect((await buildBento({ home: myHome, context: dir, version: 'v1' })).reused).toBe(true);
    await expectBuildError(
      { home: myHome, context: dir, version: 'v1', labels: { x: 'y' } },
      /^bento iris_classifier:v1 already exists with other labels or description: saved tags are immutable; pick another `version`$/,
    );
  });

  it('moves a bento between two homes with export and import', async () => {
    const source = await homeWithModels();
    const target = await homeWithModels();
    const dir = await exampleCopy();
    const { bento } = await buildBento({ home: source, context: dir, sourceDateEpoch: EPOCH });
    const archive = join(await tempDir('build-archive'), 'iris.bento');
    const exported = await exportEntry(openBentoStore(source), 'iris_classifier', archive, {
      log: () => undefined,
    });
    expect(exported.digest).toBe(bento.info.digest);
    const imported = await importArchive(openBentoStore(target), archive, { log: () => undefined });
    expect(imported.outcome).toBe('imported');
    expect(imported.entry.tag).toEqual(bento.tag);
    expect(imported.entry.info).toEqual(bento.info);
    expect(await openBentoStore(target).verify(imported.entry)).toEqual([]);
    // The imported bento is what a build of the same inputs there would make: it is reused.
    const rebuilt = await buildBento({ home: target, context: dir, sourceDateEpoch: EPOCH });
    expect(rebuilt).toMatchObject({ reused: true, bento: { tag: bento.tag } });
  });
});
