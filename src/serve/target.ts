/**
 * What `bentoci serve TAG` serves: a bento from the bento store, else a model from the model store
 * (served as one API at /predict), else a directory path holding bento.yaml or model.yaml.
 */
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { openBentoStore } from '../core/bento-store.js';
import { NotFoundError, UsageError } from '../core/errors.js';
import { openModelStore } from '../core/model-store.js';
import { formatTag, parseTag } from '../core/tag.js';

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
    if (isServableDir(dir)) return { kind: 'directory', dir };
    throw new UsageError(
      `"${text}" is not a bento or model directory (no bento.yaml or model.yaml in ${dir})`,
    );
  }
  const tag = parseTag(text, 'tag');
  const bento = await openBentoStore(home).find(tag);
  if (bento) return { kind: 'bento', dir: bento.dir, tag: formatTag(bento.tag) };
  const model = await openModelStore(home).find(tag);
  if (model) {
    if (model.info.module !== 'onnx') {
      throw new UsageError(
        `model ${formatTag(model.tag)} is a "${model.info.module}" model; bentoci serve runs ONNX models`,
      );
    }
    return { kind: 'model', dir: model.dir, tag: formatTag(model.tag) };
  }
  throw new NotFoundError(
    `"${text}" is neither a bento nor a model in the store (${home}); list them with \`bentoci list\` and \`bentoci models list\``,
  );
}
