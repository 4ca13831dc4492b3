/**
 * Several `bentoci models save` processes on one name at once: every one succeeds with its own
 * version, `latest` names one of them, and a race on one explicit tag has exactly one winner.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openModelStore } from '../../../src/core/model-store.js';
import {
  assertCliBuilt,
  bentoci,
  removeTempDirs,
  snapshot,
  tempDir,
  writeExampleModels,
} from '../../support/store-cli.js';

let models: { iris: string; twoInputs: string };

beforeAll(async () => {
  assertCliBuilt();
  models = await writeExampleModels(await tempDir('concurrency-src'));
});

afterAll(removeTempDirs);

describe('concurrent saves of one name', () => {
  it.each([2, 4])('%i processes all succeed with distinct versions; latest points at one', async (count) => {
    const home = await tempDir(`concurrent-${count}`);
    const runs = await Promise.all(
      Array.from({ length: count }, (_, i) =>
        bentoci(['models', 'save', 'iris', i % 2 ? models.twoInputs : models.iris, '--label', `run=${i}`], {
          home,
        }),
      ),
    );
    for (const run of runs) expect(run.code, run.stderr).toBe(0);
    const tags = runs.map((r) => r.stdout.toString().trim());
    expect(new Set(tags).size).toBe(count);

    const store = openModelStore(home);
    const listed = await store.list({ name: 'iris' });
    expect(listed.map((e) => `iris:${e.tag.version}`).sort()).toEqual([...tags].sort());
    const latest = (await readFile(join(home, 'models', 'iris', 'latest'), 'utf8')).trim();
    expect(tags).toContain(`iris:${latest}`);
    for (const entry of listed) expect(await store.verify(entry)).toEqual([]);
    expect((await snapshot(home)).staging).toEqual([]);
  });

  it('a race on one explicit tag has one winner; the others are told the tag is taken', async () => {
    const home = await tempDir('concurrent-same-tag');
    const runs = await Promise.all(
      [models.iris, models.twoInputs, models.iris].map((path) =>
        bentoci(['models', 'save', 'iris:v1', path], { home }),
      ),
    );
    const winners = runs.filter((r) => r.code === 0);
    const losers = runs.filter((r) => r.code !== 0);
    expect(winners).toHaveLength(1);
    for (const loser of losers) {
      expect(loser.code).toBe(2);
      expect(loser.stderr).toBe(
        'error: model iris:v1 already exists: saved tags are immutable (use --force to replace it)\n',
      );
    }
    const store = openModelStore(home);
    expect(await store.verify(await store.get('iris:v1'))).toEqual([]);
    expect((await snapshot(home)).staging).toEqual([]);
  });
});
