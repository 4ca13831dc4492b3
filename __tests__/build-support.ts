/** Fixtures for the build tests: a store home holding the example models, and project directories. */
import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { expect } from 'vitest';
import YAML from 'yaml';
import { type BuildOptions, buildBento } from '../src/build/build.js';
import { UsageError } from '../src/core/errors.js';
import { openModelStore, saveModel } from '../src/core/model-store.js';
import { snapshot, tempDir, writeExampleModels } from './support/store-cli.js';

export const MODEL_TIME = new Date('2024-01-01T00:00:00Z');

/** A fresh home with iris:v1 and two_inputs:v1 saved the same way every time (same bytes, same yaml). */
export async function homeWithModels(): Promise<string> {
  const home = await tempDir('build-home');
  const { iris, twoInputs } = await writeExampleModels(await tempDir('build-models'));
  const store = openModelStore(home);
  await saveModel(store, { tag: 'iris:v1', source: iris, creationTime: MODEL_TIME });
  await saveModel(store, { tag: 'two_inputs:v1', source: twoInputs, creationTime: MODEL_TIME });
  return home;
}

/** A project directory with these files (paths relative to it). */
export async function project(files: Record<string, string>): Promise<string> {
  const dir = await tempDir('build-project');
  for (const [rel, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, rel)), { recursive: true });
    await writeFile(join(dir, rel), text);
  }
  return dir;
}

export const IRIS_BENTOFILE = `service:
  name: iris_classifier
  apis:
    - name: predict
      model: iris:latest
      batching: { max_batch_size: 64, max_latency_ms: 10 }
`;

/** Builds, expects a UsageError matching `message`, and proves the home did not change. */
export async function expectBuildError(options: BuildOptions, message: RegExp): Promise<string> {
  const before = await snapshot(options.home);
  const error = await buildBento(options).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(UsageError);
  // Paths outside the working directory are shown absolute; the expectations name them relatively.
  const text = (error as Error).message.replaceAll(`${options.context}/`, '');
  expect(text).toMatch(message);
  expect(text).not.toContain('\n');
  const after = await snapshot(options.home);
  expect(after.tree).toEqual(before.tree);
  expect(after.staging).toEqual([]);
  return text;
}

const EXAMPLE = join(import.meta.dirname, '..', 'examples', 'iris');
/** A fixed SOURCE_DATE_EPOCH: 2023-11-14T22:13:20Z. */
export const EPOCH = '1700000000';

/** A copy of examples/iris without its generated models, at a fresh path. */
export async function exampleCopy(): Promise<string> {
  const dir = await tempDir('build-example');
  await cp(EXAMPLE, dir, { recursive: true, filter: (src) => !src.startsWith(join(EXAMPLE, 'models')) });
  return dir;
}

/** A YAML file of a bento, parsed. */
export async function bentoFile(dir: string, rel: string): Promise<unknown> {
  return YAML.parse(await readFile(join(dir, rel), 'utf8'));
}
