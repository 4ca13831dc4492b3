import { copyFile, lstat, mkdir, realpath, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { BatchAxis } from '../shared/batch-axes.js';
import { type ModelInfo, modelInfoSchema, type Signature } from '../shared/schemas.js';
import { BENTOCI_VERSION } from '../version.js';
import { pathRuleProblems } from './entry-paths.js';
import { UsageError } from './errors.js';
import { listFiles, removeQuietly } from './files.js';
import { noun } from './invalid-value.js';
import { readOnnxSummary, signatureOf } from './onnx-signature.js';
import { type EntryKind, EntryStore, type StoredEntry } from './store.js';
import { LATEST, newVersion, parseTag, validateTagPart } from './tag.js';
import { option, say } from './user-text.js';

export const modelKind: EntryKind<ModelInfo> = {
  folder: 'models',
  noun: 'model',
  infoFile: 'model.yaml',
  schema: modelInfoSchema,
  // The runtime loads the entrypoint: it must be one of the model's content files.
  checkInfo: async (_dir, info, files) =>
    info.entrypoint === undefined
      ? []
      : pathRuleProblems(
          'model.yaml',
          [{ what: 'entrypoint', path: info.entrypoint, mustHold: info.entrypoint }],
          files,
        ),
};

export type ModelStore = EntryStore<ModelInfo>;
export type StoredModel = StoredEntry<ModelInfo>;

export function openModelStore(home: string): ModelStore {
  return new EntryStore(home, modelKind);
}

export interface SaveModelOptions {
  /** `name` or `name:version`; the version is generated when absent. */
  tag: string;
  /** A model file or a directory of files. */
  source: string;
  /** "onnx" (default for .onnx sources) or "files" for opaque data. */
  module?: string;
  labels?: Record<string, string>;
  metadata?: Record<string, unknown>;
  options?: Record<string, unknown>;
  /** Overrides what is read from the model: whether requests may be batched at all. */
  batchable?: boolean;
  /** Batch axes by input or output name (`shared`: one value for the whole batch), over the inferred ones. */
  batchAxes?: Record<string, BatchAxis>;
  force?: boolean;
  /** Fixed creation time (e.g. from SOURCE_DATE_EPOCH); now when absent. */
  creationTime?: Date;
}

/** Copies a model into the store under a new (or given) version and writes its model.yaml. */
export async function saveModel(store: ModelStore, options: SaveModelOptions): Promise<StoredModel> {
  const parsed = parseTag(options.tag, noun('model tag'));
  const version =
    parsed.version === LATEST ? newVersion() : validateTagPart(parsed.version, 'version', noun('model tag'));
  const tag = { name: parsed.name, version };
  const sourceStat = await stat(options.source).catch(() => {
    throw new UsageError(`model path "${options.source}" does not exist (pass a model file or a directory)`);
  });
  // A link would be followed silently, storing whatever it points at under the name given.
  if ((await lstat(options.source)).isSymbolicLink()) {
    throw new UsageError(
      `model path "${options.source}" is a symbolic link to ${await realpath(options.source)}: pass that path itself (links are not followed)`,
    );
  }

  const staged = await store.stage();
  // A failed copy or an unreadable model must not leave its staging directory for the next sweep.
  try {
    const files = sourceStat.isDirectory()
      ? await copyDirectory(options.source, staged)
      : await copyOne(options.source, staged);
    const onnxFiles = files.filter((f) => f.endsWith('.onnx'));
    const module = options.module ?? (onnxFiles.length > 0 ? 'onnx' : 'files');

    let signatures: Record<string, Signature> = {};
    let entrypoint: string | undefined;
    const frameworkVersions: Record<string, string> = {};
    if (module === 'onnx') {
      if (onnxFiles.length !== 1) {
        throw new UsageError(
          say`model path "${options.source}" holds ${onnxFiles.length} .onnx files; an ONNX model needs exactly one (or pass ${option('module', 'files')})`,
        );
      }
      entrypoint = onnxFiles[0]!;
      const summary = await readOnnxSummary(join(staged, entrypoint));
      const signature = signatureOf(summary, options.batchAxes);
      if (options.batchable === false) signature.batchable = false;
      signatures = { run: signature };
      frameworkVersions['onnx_ir'] = String(summary.irVersion);
      for (const [domain, opset] of Object.entries(summary.opsets))
        frameworkVersions[`opset.${domain}`] = opset;
    }

    return await store.commit(
      staged,
      tag,
      (content) => ({
        name: tag.name,
        version: tag.version,
        module,
        api_version: 'v1',
        labels: options.labels ?? {},
        options: options.options ?? {},
        metadata: options.metadata ?? {},
        context: {
          framework_name: module,
          framework_versions: frameworkVersions,
          bentoci_version: BENTOCI_VERSION,
          node_version: process.version,
        },
        signatures,
        creation_time: (options.creationTime ?? new Date()).toISOString(),
        ...(entrypoint ? { entrypoint } : {}),
        ...content,
      }),
      { force: options.force ?? false },
    );
  } catch (err) {
    await removeQuietly(staged);
    throw err;
  }
}

async function copyOne(source: string, target: string): Promise<string[]> {
  const name = basename(source);
  await copyFile(source, join(target, name));
  return [name];
}

async function copyDirectory(source: string, target: string): Promise<string[]> {
  let files: string[];
  try {
    files = await listFiles(source);
  } catch (err) {
    throw new UsageError(`model directory "${source}" cannot be stored: ${(err as Error).message}`);
  }
  if (files.length === 0) throw new UsageError(`model directory "${source}" is empty`);
  for (const rel of files) {
    await mkdir(dirname(join(target, rel)), { recursive: true });
    await copyFile(join(source, rel), join(target, rel));
  }
  return files;
}
