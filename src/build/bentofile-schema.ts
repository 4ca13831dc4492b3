/**
 * The schema of bentofile.yaml, with BentoML's field names where the meaning is the same. Objects are
 * strict: an unknown key is an error (with a "did you mean"), never silently ignored.
 * The full reference is docs/bentofile.md.
 */
import { z } from 'zod';
import { dockerOptionsSchema, resourcesSchema, TAG_PART, TAG_PART_MAX } from '../shared/schemas.js';
import { batchingFieldSchema } from '../shared/serve-settings.js';

export const BATCH_SIZE = { min: 1, max: 4096 } as const;
export const LATENCY_MS = { min: 0.1, max: 600_000 } as const;
/**
 * The runtime's defaults for a model served without a bento (runtime/service/load.ts), so a bentofile
 * that leaves batching out behaves the same. `max_latency_ms` is a bound, as in BentoML: requests
 * predicted to take longer are refused (503), so a small default would refuse a slow model outright.
 */
export const DEFAULT_BATCHING = { max_batch_size: 64, max_latency_ms: 100 } as const;
export const DEFAULT_METHOD = 'run';

/** A name that becomes a tag part (the bento's, a model's): BentoML's rule. */
const nameSchema = z.string().max(TAG_PART_MAX).regex(TAG_PART, {
  error: "expected lower-case letters, digits, '-', '_' or '.', starting and ending with a letter or digit",
});

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const envNameSchema = z
  .string()
  .regex(ENV_NAME, { error: 'expected an environment variable name like MY_VAR' });

/** Registry packages only: `name`, `@scope/name`, either with `@<version or range>`. */
const NPM_SPEC = /^(@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*(@[^\s@]+)?$/;
/** Debian/Alpine package names, optionally pinned (`curl=7.88*`); no spaces or shell syntax. */
const SYSTEM_PACKAGE = /^[A-Za-z0-9][A-Za-z0-9+.:=~_*-]*$/;
/** Paths inside the build context, `/`-separated. */
const relativePathSchema = z.string().min(1, { error: 'expected a path relative to the build context' });

const labelsSchema = z.record(z.string().min(1, { error: 'expected a non-empty label key' }), z.string());

const AXIS_ERROR = 'expected an axis number (0 is the first) or "shared" for an input the whole batch uses';
const axisSchema = z.union([z.number().int().min(0), z.literal('shared')], { error: AXIS_ERROR });
const tensorNameSchema = z.string().min(1, { error: 'expected an input or output name' });
const axisNumberSchema = z
  .number({ error: 'expected an axis number (0 is the first)' })
  .int({ error: 'expected an axis number (0 is the first)' })
  .min(0, { error: 'expected an axis number (0 is the first)' });

/** Variable-length inputs: see paddingSchema in src/shared/schemas.ts for what each field does. */
const paddingSchema = z.strictObject({
  inputs: z.record(
    tensorNameSchema,
    z.strictObject({
      axis: axisNumberSchema,
      /** Default 0 (false for bool inputs, "" for strings). */
      value: z
        .union([z.number(), z.boolean(), z.string()], {
          error: 'expected a number (true/false for bool inputs, a string for string inputs)',
        })
        .optional(),
    }),
  ),
  mask: tensorNameSchema.optional(),
  buckets: z
    .array(
      z
        .number()
        .int({ error: 'expected whole lengths from 1, ascending, like [16, 32, 64, 128]' })
        .min(1, { error: 'expected whole lengths from 1, ascending, like [16, 32, 64, 128]' }),
    )
    .min(1, { error: 'expected whole lengths from 1, ascending, like [16, 32, 64, 128]' })
    .refine((b) => b.every((v, i) => i === 0 || v > b[i - 1]!), {
      error: 'expected whole lengths from 1, ascending, like [16, 32, 64, 128]',
    })
    .optional(),
  outputs: z.record(tensorNameSchema, axisNumberSchema).optional(),
});
export type PaddingConfig = z.infer<typeof paddingSchema>;

const batchingSchema = z.strictObject({
  /** Defaults to the model signature's `batchable`. */
  enabled: z.boolean().optional(),
  max_batch_size: z
    .number()
    .int({ error: `expected a whole number from ${BATCH_SIZE.min} to ${BATCH_SIZE.max}` })
    .min(BATCH_SIZE.min, { error: `expected a whole number from ${BATCH_SIZE.min} to ${BATCH_SIZE.max}` })
    .max(BATCH_SIZE.max, { error: `expected a whole number from ${BATCH_SIZE.min} to ${BATCH_SIZE.max}` })
    .optional(),
  max_latency_ms: z
    .number()
    .min(LATENCY_MS.min, { error: `expected milliseconds from ${LATENCY_MS.min} to ${LATENCY_MS.max}` })
    .max(LATENCY_MS.max, { error: `expected milliseconds from ${LATENCY_MS.min} to ${LATENCY_MS.max}` })
    .optional(),
  // The queue and admission settings the runtime also takes as flags and env (src/shared/serve-settings.ts).
  max_queue_rows: batchingFieldSchema('max_queue_rows'),
  latency_quantile: batchingFieldSchema('latency_quantile'),
  late_target: batchingFieldSchema('late_target'),
  /** Batch axis per input and output name, over what the model's signature records. */
  axes: z.record(tensorNameSchema, axisSchema).optional(),
  padding: paddingSchema.optional(),
});
export type BatchingConfig = z.infer<typeof batchingSchema>;

/**
 * What the runtime warms the API up with: a sample request (`file`: .json, .npy or .npz in the build
 * context, copied into the bento), or every input at `shapes` filled with `fill` (default 0).
 */
const warmupSchema = z
  .strictObject({
    file: relativePathSchema.optional(),
    shapes: z
      .record(
        z.string().min(1, { error: 'expected an input name' }),
        z.array(
          z
            .number()
            .int({ error: 'expected whole numbers from 1, like [1, 3, 224, 224]' })
            .min(1, { error: 'expected whole numbers from 1, like [1, 3, 224, 224]' }),
          { error: 'expected a shape like [1, 3, 224, 224]' },
        ),
      )
      .optional(),
    fill: z
      .union([z.number(), z.boolean(), z.string()], {
        error: 'expected a number (true/false for bool inputs, a string for string inputs)',
      })
      .optional(),
  })
  .superRefine((warmup, ctx) => {
    if ((warmup.file === undefined) === (warmup.shapes === undefined)) {
      ctx.addIssue({
        code: 'custom',
        message:
          'set either file (a sample .json, .npy or .npz in the build context) or shapes (input name -> shape, with fill)',
      });
    } else if (warmup.file !== undefined && warmup.fill !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['fill'],
        message: 'fill goes with shapes; a sample file carries its own values: remove fill',
      });
    }
  });
export type WarmupConfig = z.infer<typeof warmupSchema>;

export const apiConfigSchema = z.strictObject({
  name: nameSchema,
  /** Default `/<name>`. */
  route: z
    .string()
    .regex(/^\/[A-Za-z0-9_\-/.]*$/, {
      error: 'expected a path starting with "/" (letters, digits, "_", "-", ".", "/")',
    })
    .optional(),
  /** A model tag, `name` or `name:version`; pinned to an exact version at build time. */
  model: z.string().min(1, { error: 'expected a model tag like iris:latest' }),
  /** The model signature to call; default "run". */
  method: z.string().min(1).optional(),
  batching: batchingSchema.optional(),
  warmup: warmupSchema.optional(),
});
export type ApiConfig = z.infer<typeof apiConfigSchema>;

export const declarativeServiceSchema = z.strictObject({
  name: nameSchema,
  description: z.string().optional(),
  labels: labelsSchema.optional(),
  apis: z.array(apiConfigSchema).min(1, { error: 'expected at least one API' }),
});
export type DeclarativeService = z.infer<typeof declarativeServiceSchema>;

/** `path/to/module.ts:exportName` (BentoML's `service: "service:svc"`). */
const serviceModuleSchema = z.string().regex(/^[^:]+\.(ts|mts|js|mjs)(:[A-Za-z_$][\w$]*)?$/, {
  error: 'expected "path/to/service.ts:exportName" (a .ts/.mts/.js/.mjs module and the exported service)',
});

const modelRefSchema = z.union([z.string().min(1), z.strictObject({ tag: z.string().min(1) })]);

const envSchema = z.strictObject({ name: envNameSchema, value: z.string() });

const nodeSchema = z.strictObject({
  /** Extra npm packages the service module imports at run time; kept out of its bundle. */
  packages: z
    .array(z.string().regex(NPM_SPEC, { error: 'expected an npm package like name@1.2.3 or @scope/name' }))
    .optional(),
  /** A lockfile for those packages (package-lock.json, npm-shrinkwrap.json). */
  lockfile: relativePathSchema.optional(),
});

const dockerSchema = z.strictObject({
  distro: dockerOptionsSchema.shape.distro,
  /** A known CUDA release, "12.4" or "12.4.1"; pinned to a full release. */
  cuda_version: z.string().min(1).optional(),
  system_packages: z
    .array(
      z.string().regex(SYSTEM_PACKAGE, { error: 'expected a system package name like curl or curl=7.88*' }),
    )
    .optional(),
  /** A shell script run while building the image. */
  setup_script: relativePathSchema.optional(),
  base_image: z
    .string()
    .regex(/^[^\s]+$/, { error: 'expected an image reference like debian:bookworm-slim' })
    .optional(),
  env: z.record(envNameSchema, z.string()).optional(),
  /** A Dockerfile template that overrides blocks of the generated one. */
  dockerfile_template: relativePathSchema.optional(),
});
export type DockerConfig = z.infer<typeof dockerSchema>;

export const bentofileSchema = z.strictObject({
  service: z.union([serviceModuleSchema, declarativeServiceSchema]),
  /** The bento's name; default the service's name. */
  name: nameSchema.optional(),
  /** Text, or `file: ./README.md` to read it from a file (as BentoML does). */
  description: z.string().optional(),
  labels: labelsSchema.optional(),
  /** Models bundled besides those the APIs name. */
  models: z.array(modelRefSchema).optional(),
  include: z.array(z.string().min(1, { error: 'expected a glob pattern' })).optional(),
  exclude: z.array(z.string().min(1, { error: 'expected a glob pattern' })).optional(),
  envs: z.array(envSchema).optional(),
  node: nodeSchema.optional(),
  docker: dockerSchema.optional(),
  /** Per-replica cpu, memory and GPUs for `bentoci manifests` (docs/kubernetes.md). */
  resources: resourcesSchema.optional(),
});
export type Bentofile = z.infer<typeof bentofileSchema>;
