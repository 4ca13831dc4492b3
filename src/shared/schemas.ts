/**
 * The on-disk formats shared by the library and runtime/: model.yaml and bento.yaml. runtime/ imports
 * this module and nothing else from src/, so it must stay free of other imports but zod.
 */
import { z } from 'zod';
import { batchingFieldSchema } from './serve-settings.js';

/** BentoML's rule for each part of a tag (name, version); src/core/tag.ts explains a refusal. */
export const TAG_PART = /^[a-z0-9]([-._a-z0-9]*[a-z0-9])?$/;
export const TAG_PART_MAX = 63;
export const tagPartSchema = z.string().max(TAG_PART_MAX).regex(TAG_PART);
/** `name:version`, resolved (never `latest` inside a stored file). */
export const exactTagSchema = z.string().refine((text) => {
  const parts = text.split(':');
  return parts.length === 2 && parts.every((p) => p.length <= TAG_PART_MAX && TAG_PART.test(p));
}, 'expected name:version');
export const SHA256_HEX = /^[0-9a-f]{64}$/;
/** A content digest: `sha256:<64 lowercase hex>` (src/core/sha256.ts has the helpers). */
export const SHA256_DIGEST = /^sha256:[0-9a-f]{64}$/;
export const sha256Schema = z.string().regex(SHA256_HEX);
export const digestSchema = z.string().regex(SHA256_DIGEST);

/** ONNX element types the runtime can carry, named as onnxruntime-node names them. */
export const dtypeSchema = z.enum([
  'float32',
  'float64',
  'float16',
  'int8',
  'uint8',
  'int16',
  'uint16',
  'int32',
  'uint32',
  'int64',
  'uint64',
  'bool',
  'string',
]);
export type Dtype = z.infer<typeof dtypeSchema>;

/** The dtypes a binary body (raw bytes or .npy) can carry: all but strings. */
export const BINARY_DTYPES = dtypeSchema.options.filter((d) => d !== 'string');

/** Integer ranges that JSON numbers must fit for each integer dtype (64-bit ones go through BigInt). */
export const INTEGER_RANGES: Partial<Record<Dtype, [number, number]>> = {
  int8: [-128, 127],
  uint8: [0, 255],
  int16: [-32768, 32767],
  uint16: [0, 65535],
  int32: [-2147483648, 2147483647],
  uint32: [0, 4294967295],
  int64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  uint64: [0, Number.MAX_SAFE_INTEGER],
};

/** A dimension: a fixed size, a symbolic name (dynamic, e.g. "batch"), or -1 (dynamic, unnamed). */
export const dimSchema = z.union([z.number().int().min(-1), z.string().min(1)]);
export type Dim = z.infer<typeof dimSchema>;

/** A tensor's batch axis, or `shared`: one value used by the whole batch (see batch-axes.ts). */
export const batchAxisSchema = z.union([z.number().int().min(0), z.literal('shared')]);

export const tensorSpecSchema = z.object({
  name: z.string().min(1),
  dtype: dtypeSchema,
  /** null: unknown rank (the ONNX type has no shape at all); any shape is accepted and the model judges it. */
  shape: z.array(dimSchema).nullable(),
  /** Absent in entries saved before per-tensor axes: the signature's `batch_dim` then. */
  batch_axis: batchAxisSchema.optional(),
});
export type TensorSpec = z.infer<typeof tensorSpecSchema>;

/** BentoML's model signature: one per callable method of the model ("run" for ONNX). */
export const signatureSchema = z.object({
  batchable: z.boolean(),
  batch_dim: z.number().int().min(0),
  inputs: z.array(tensorSpecSchema),
  outputs: z.array(tensorSpecSchema),
});
export type Signature = z.infer<typeof signatureSchema>;

/** One file of a stored entry, relative to the entry's directory, with `/` separators. */
export const fileEntrySchema = z.object({
  path: z.string().min(1),
  sha256: sha256Schema,
  size: z.number().int().min(0),
});
export type FileEntry = z.infer<typeof fileEntrySchema>;

const labelsSchema = z.record(z.string(), z.string());

export const modelInfoSchema = z.object({
  name: tagPartSchema,
  version: tagPartSchema,
  /** The framework module that reads the files, as in BentoML ("onnx"; "files" for opaque data). */
  module: z.string().min(1),
  api_version: z.literal('v1'),
  labels: labelsSchema,
  options: z.record(z.string(), z.unknown()),
  metadata: z.record(z.string(), z.unknown()),
  context: z.object({
    framework_name: z.string(),
    framework_versions: z.record(z.string(), z.string()),
    bentoci_version: z.string(),
    node_version: z.string(),
  }),
  signatures: z.record(z.string(), signatureSchema),
  creation_time: z.string().datetime({ offset: true }),
  /** The main file for the runtime to load (ONNX: the .onnx file). */
  entrypoint: z.string().optional(),
  files: z.array(fileEntrySchema),
  size: z.number().int().min(0),
  /** sha256 over the canonical file manifest: the content identity of the entry. */
  digest: digestSchema,
});
export type ModelInfo = z.infer<typeof modelInfoSchema>;

/** A value to pad with: a number, true/false for bool inputs, a string for string inputs. */
export const padValueSchema = z.union([z.number(), z.boolean(), z.string()]);

/**
 * Padding of variable-length inputs (bentofile `apis[].batching.padding`): requests of different
 * lengths batch together, each padded input filled with `value` up to the longest of the batch
 * (or the next of `buckets`) along `axis`; `mask` names an input the runtime fills (1 over a
 * request's own length, 0 over the padding) when a request leaves it out; `outputs` names the axes
 * each answer is cut back to its own length along.
 */
export const paddingSchema = z.object({
  inputs: z.record(z.string().min(1), z.object({ axis: z.number().int().min(0), value: padValueSchema })),
  mask: z.string().min(1).optional(),
  buckets: z.array(z.number().int().min(1)).optional(),
  outputs: z.record(z.string().min(1), z.number().int().min(0)).optional(),
});
export type Padding = z.infer<typeof paddingSchema>;

export const batchingSchema = z.object({
  enabled: z.boolean(),
  max_batch_size: z.number().int().min(1).max(4096),
  max_latency_ms: z.number().min(0.1).max(600_000),
  // Queue and admission settings; absent: the runtime's defaults (see serve-settings.ts).
  max_queue_rows: batchingFieldSchema('max_queue_rows'),
  latency_quantile: batchingFieldSchema('latency_quantile'),
  late_target: batchingFieldSchema('late_target'),
  padding: paddingSchema.optional(),
});
export type Batching = z.infer<typeof batchingSchema>;

/**
 * What the runtime warms an API up with (bentofile `apis[].warmup`): a sample request carried in the
 * bento (`file`, bento-relative: .json, .npy or .npz), or every input filled with one value at the
 * given shapes. Absent: zero-filled inputs with every dynamic dim 1.
 */
export const warmupSchema = z.union([
  z.object({ file: z.string().min(1) }),
  z.object({
    shapes: z.record(z.string().min(1), z.array(z.number().int().min(1))),
    fill: z.union([z.number(), z.boolean(), z.string()]),
  }),
]);
export type Warmup = z.infer<typeof warmupSchema>;

export const bentoApiSchema = z.object({
  name: tagPartSchema,
  /** HTTP route, e.g. "/predict". */
  route: z.string().regex(/^\/[A-Za-z0-9_\-/.]*$/),
  /** Exact model tag, pinned at build time. */
  model: exactTagSchema,
  /** Which model signature this API calls. */
  method: z.string().min(1),
  batching: batchingSchema,
  input: z.array(tensorSpecSchema),
  output: z.array(tensorSpecSchema),
  warmup: warmupSchema.optional(),
});
export type BentoApi = z.infer<typeof bentoApiSchema>;

export const bentoModelRefSchema = z.object({
  tag: exactTagSchema,
  module: z.string(),
  digest: digestSchema,
  size: z.number().int().min(0),
  /** Where the model lives inside the bento: `models/<name>/<version>`. */
  path: z.string(),
});
export type BentoModelRef = z.infer<typeof bentoModelRefSchema>;

export const dockerOptionsSchema = z.object({
  distro: z.enum(['debian', 'ubuntu', 'alpine']).optional(),
  cuda_version: z.string().optional(),
  system_packages: z.array(z.string()).optional(),
  setup_script: z.string().optional(),
  base_image: z.string().optional(),
  env: z.record(z.string(), z.string()).optional(),
  dockerfile_template: z.string().optional(),
});
export type DockerOptions = z.infer<typeof dockerOptionsSchema>;

/**
 * What one replica of the service needs (bentofile `resources:`, BentoML's names): `cpu` in cores or
 * millicores ("500m"), `memory` as a Kubernetes quantity ("2Gi"), `gpu` a count of NVIDIA GPUs and
 * `gpu_type` the GPU product a node must have. Read by `bentoci manifests` (docs/kubernetes.md).
 */
export const resourcesSchema = z.strictObject({
  cpu: z
    .union([z.number().positive().max(1024), z.string().regex(/^(\d+(\.\d+)?|\d+m)$/)], {
      error: 'expected cores like 2 or "0.5", or millicores like "500m"',
    })
    .optional(),
  memory: z
    .string()
    .regex(/^\d+(\.\d+)?(Ki|Mi|Gi|Ti|k|M|G|T)?$/, { error: 'expected a quantity like "512Mi" or "4Gi"' })
    .optional(),
  gpu: z.number().int().min(0).max(16, { error: 'expected a whole number of GPUs, 0-16' }).optional(),
  gpu_type: z
    .string()
    .regex(/^[A-Za-z0-9][-A-Za-z0-9_.]*$/, { error: 'expected a GPU product name like NVIDIA-A10G' })
    .optional(),
});
export type Resources = z.infer<typeof resourcesSchema>;

export const bentoInfoSchema = z.object({
  name: tagPartSchema,
  version: tagPartSchema,
  api_version: z.literal('v1'),
  description: z.string().optional(),
  labels: labelsSchema,
  creation_time: z.string().datetime({ offset: true }),
  bentoci_version: z.string(),
  service: z.object({
    name: tagPartSchema,
    /** `src/service.ts:svc` when the service is a module with hooks; relative to src/. */
    module: z.string().optional(),
    apis: z.array(bentoApiSchema),
  }),
  models: z.array(bentoModelRefSchema),
  envs: z.array(z.object({ name: z.string(), value: z.string() })),
  node: z.object({ packages: z.array(z.string()), lockfile: z.string().optional() }),
  docker: dockerOptionsSchema,
  resources: resourcesSchema.optional(),
  files: z.array(fileEntrySchema),
  size: z.number().int().min(0),
  digest: digestSchema,
});
export type BentoInfo = z.infer<typeof bentoInfoSchema>;
