/**
 * CNCF ModelPack (modelpack/model-spec v1) as bentoci writes and reads it: which layer media type a
 * model's file gets, the model config blob, and the older `vnd.cnai` / `org.cnai` names pull accepts.
 * The layout itself (one raw, titled layer per file) is in artifact-layout.ts.
 */
import { basename } from 'node:path';
import { z } from 'zod';
import {
  ANNOTATION_MODEL_FILE_METADATA,
  ANNOTATION_MODEL_FILEPATH,
  ANNOTATION_MODEL_MEDIATYPE_UNTESTED,
  ANNOTATION_TITLE,
  MODELPACK_ANNOTATION_PREFIX,
  MODELPACK_CODE,
  MODELPACK_CONFIG,
  MODELPACK_DATASET,
  MODELPACK_DOC,
  MODELPACK_OLD_ANNOTATION_PREFIX,
  MODELPACK_OLD_TYPE_PREFIX,
  MODELPACK_TYPE_PREFIX,
  MODELPACK_WEIGHT,
  MODELPACK_WEIGHT_CONFIG,
} from '../oci/media-types.js';
import type { Descriptor } from '../oci/schemas.js';
import type { ModelInfo } from '../shared/schemas.js';

/** Layer media types pull reads: the raw (unarchived, uncompressed) ones, which are what we push. */
export const MODELPACK_RAW_TYPES: readonly string[] = [
  MODELPACK_WEIGHT,
  MODELPACK_WEIGHT_CONFIG,
  MODELPACK_DOC,
  MODELPACK_CODE,
  MODELPACK_DATASET,
];

// File kinds by name, after the patterns modctl (the spec's reference packager) uses.
const DOC_NAMES = /^(readme|license|licence|notice|copying|changelog|citation|authors)([.-].*)?$/i;
const EXTENSIONS: ReadonlyArray<[string, readonly string[]]> = [
  [
    MODELPACK_WEIGHT,
    [
      'onnx',
      'onnx_data',
      'ort',
      'safetensors',
      'gguf',
      'ggml',
      'bin',
      'pt',
      'pth',
      'ckpt',
      'h5',
      'keras',
      'pb',
      'tflite',
      'mlmodel',
      'pkl',
      'joblib',
      'npz',
      'npy',
      'msgpack',
      'params',
      'engine',
      'plan',
      'mar',
    ],
  ],
  [
    MODELPACK_WEIGHT_CONFIG,
    ['json', 'yaml', 'yml', 'toml', 'ini', 'cfg', 'conf', 'txt', 'model', 'vocab', 'tiktoken', 'jinja'],
  ],
  [MODELPACK_DOC, ['md', 'rst', 'pdf', 'html', 'adoc']],
  [
    MODELPACK_CODE,
    ['py', 'js', 'mjs', 'cjs', 'ts', 'sh', 'ipynb', 'c', 'cc', 'cpp', 'h', 'hpp', 'cu', 'go', 'rs', 'java'],
  ],
  [MODELPACK_DATASET, ['csv', 'tsv', 'parquet', 'arrow', 'jsonl']],
];
const BY_EXTENSION = new Map(EXTENSIONS.flatMap(([type, exts]) => exts.map((e) => [e, type] as const)));
/** Files this size or larger of no known kind are taken for weights; smaller ones for weight config. */
const UNKNOWN_WEIGHT_MIN_BYTES = 1024 * 1024;

export interface FileKind {
  mediaType: string;
  /** Guessed (no name pattern matched): the layer says so with `org.cncf.model.file.mediatype.untested`. */
  untested: boolean;
}

/** The layer media type of one of a model's files (`entrypoint`: the file the runtime loads, a weight). */
export function fileKind(path: string, size: number, entrypoint?: string): FileKind {
  const name = basename(path);
  if (path === entrypoint) return { mediaType: MODELPACK_WEIGHT, untested: false };
  if (DOC_NAMES.test(name)) return { mediaType: MODELPACK_DOC, untested: false };
  // ONNX external data: model.onnx.data, weights.onnx_data.
  if (/\.onnx[._]data$/i.test(name)) return { mediaType: MODELPACK_WEIGHT, untested: false };
  const extension = name.includes('.') ? name.split('.').at(-1)!.toLowerCase() : '';
  const known = BY_EXTENSION.get(extension);
  if (known) return { mediaType: known, untested: false };
  return {
    mediaType: size >= UNKNOWN_WEIGHT_MIN_BYTES ? MODELPACK_WEIGHT : MODELPACK_WEIGHT_CONFIG,
    untested: true,
  };
}

/**
 * A file layer's annotations: the title (what ORAS writes it as), the ModelPack path, and the file's
 * attributes for tools that unpack it (fixed: 0644, owner 0:0, the model's creation time).
 */
export function fileAnnotations(
  path: string,
  size: number,
  created: string,
  untested: boolean,
): Record<string, string> {
  const metadata = {
    name: basename(path),
    mode: 0o644,
    uid: 0,
    gid: 0,
    size,
    mtime: created,
    typeflag: '0'.charCodeAt(0),
  };
  return {
    [ANNOTATION_TITLE]: path,
    [ANNOTATION_MODEL_FILEPATH]: path,
    [ANNOTATION_MODEL_FILE_METADATA]: JSON.stringify(metadata),
    ...(untested ? { [ANNOTATION_MODEL_MEDIATYPE_UNTESTED]: 'true' } : {}),
  };
}

const FORMATS: Record<string, string> = {
  onnx: 'onnx',
  safetensors: 'safetensors',
  gguf: 'gguf',
  pt: 'pt',
  pth: 'pt',
  tflite: 'tflite',
  h5: 'keras',
  keras: 'keras',
};

/** `config.format`: the module's format (onnx), else the one format all weight files share, if any. */
export function modelFormat(info: ModelInfo): string | undefined {
  if (info.module === 'onnx') return 'onnx';
  const formats = new Set(
    info.files
      .filter((f) => fileKind(f.path, f.size, info.entrypoint).mediaType === MODELPACK_WEIGHT)
      .map((f) => FORMATS[f.path.split('.').at(-1)!.toLowerCase()]),
  );
  const [only] = formats;
  return formats.size === 1 ? only : undefined;
}

export interface ModelPackConfig {
  descriptor: { name: string; version: string; createdAt: string };
  config: { format?: string };
  modelfs: { type: 'layers'; diffIds: string[] };
}

/** The config blob: who the model is, its format, and the diff ids of the layers (raw: their digests). */
export function modelPackConfig(info: ModelInfo, layers: readonly Descriptor[]): ModelPackConfig {
  const format = modelFormat(info);
  return {
    descriptor: { name: info.name, version: info.version, createdAt: info.creation_time },
    config: format ? { format } : {},
    modelfs: { type: 'layers', diffIds: layers.map((l) => l.digest) },
  };
}

/** What pull needs of a config from any ModelPack writer; other fields are the writer's business. */
export const modelPackConfigSchema = z.object({
  descriptor: z.object({ name: z.string().optional(), version: z.string().optional() }),
  config: z.object({}),
  modelfs: z.object({
    type: z.literal('layers'),
    diffIds: z.array(z.string()).min(1),
  }),
});

export function isModelPackConfig(mediaType: string): boolean {
  return modelPackType(mediaType) === MODELPACK_CONFIG;
}

/** A media type with the older `vnd.cnai` prefix under its current `vnd.cncf` name. */
export function modelPackType(mediaType: string): string {
  return mediaType.startsWith(MODELPACK_OLD_TYPE_PREFIX)
    ? MODELPACK_TYPE_PREFIX + mediaType.slice(MODELPACK_OLD_TYPE_PREFIX.length)
    : mediaType;
}

/** The path a ModelPack layer stands for: `org.cncf.model.filepath` (or `org.cnai.`), else its title. */
export function modelPackLayerPath(layer: Descriptor): string | undefined {
  const annotations = layer.annotations ?? {};
  const oldKey = ANNOTATION_MODEL_FILEPATH.replace(
    MODELPACK_ANNOTATION_PREFIX,
    MODELPACK_OLD_ANNOTATION_PREFIX,
  );
  return annotations[ANNOTATION_MODEL_FILEPATH] ?? annotations[oldKey] ?? annotations[ANNOTATION_TITLE];
}
