/**
 * What serving TAG serves: a bento from the bento store, else a model from the model store
 * (served as one API at /predict), else a directory path holding bento.yaml or model.yaml. Store
 * entries are checked whole first (files, metadata, digest); a bare directory has no store to check.
 */
import { existsSync, statSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { openBentoStore } from '../core/bento-store.js';
import { NotFoundError, UsageError } from '../core/errors.js';
import { openModelStore } from '../core/model-store.js';
import type { EntryInfo, EntryStore } from '../core/store.js';
import { formatTag, parseTag } from '../core/tag.js';
import { operation, say } from '../core/user-text.js';

export interface ServeTarget {
  kind: 'bento' | 'model' | 'directory';
  dir: string;
  /** `name:version` for store entries. */
  tag?: string;
}

function isServableDir(path: string): boolean {
  return (
    existsSync(path) &&
    statSync(path).isDirectory() &&
    (existsSync(join(path, 'bento.yaml')) || existsSync(join(path, 'model.yaml')))
  );
}

export async function resolveServeTarget(home: string, text: string): Promise<ServeTarget> {
  // A path is anything that cannot be a tag (has a slash or starts with a dot) and holds an entry.
  if (/[/\\]/.test(text) || text.startsWith('.')) {
    const dir = resolve(text);
    if (isServableDir(dir)) {
      await checkIfStored(home, dir);
      return { kind: 'directory', dir };
    }
    throw new UsageError(
      `"${text}" is not a bento or model directory (no bento.yaml or model.yaml in ${dir})`,
    );
  }
  const tag = parseTag(text);
  // What the runtime obeys (the files, bento.yaml / model.yaml and the paths they name) must be what
  // the entry's digest covers: a damaged or edited entry is refused before anything is served.
  const bentos = openBentoStore(home);
  const bento = await bentos.find(tag);
  if (bento) {
    await bentos.assertIntact(bento);
    return { kind: 'bento', dir: bento.dir, tag: formatTag(bento.tag) };
  }
  const models = openModelStore(home);
  const model = await models.find(tag);
  if (model) {
    if (model.info.module !== 'onnx') {
      throw new UsageError(
        `model ${formatTag(model.tag)} is a "${model.info.module}" model; only ONNX models can be served`,
      );
    }
    await models.assertIntact(model);
    return { kind: 'model', dir: model.dir, tag: formatTag(model.tag) };
  }
  throw new NotFoundError(
    say`"${text}" is neither a bento nor a model in the store (${home}); list them with ${operation('list-bentos')} and ${operation('list-models')}`,
  );
}

/** A directory that is an entry of the store (named by its path) is checked as that entry is. */
async function checkIfStored(home: string, dir: string): Promise<void> {
  const real = await realpath(dir);
  for (const store of [openBentoStore(home), openModelStore(home)] as const) {
    const root = await realpath(store.root).catch(() => undefined);
    if (!root) continue;
    const parts = relative(root, real).split(sep);
    if (parts.length !== 2 || parts[0] === '..' || parts[0]!.startsWith('.') || isAbsolute(parts[0]!))
      continue;
    const entry = await (store as EntryStore<EntryInfo>).find({ name: parts[0]!, version: parts[1]! });
    if (entry) await (store as EntryStore<EntryInfo>).assertIntact(entry);
  }
}
