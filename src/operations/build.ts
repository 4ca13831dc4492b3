/**
 * Saving a model and building a bento, once for both front doors: the CLI's `models save` and
 * `build`, and the actions that build (bento-build, the root action). Each front door parses its
 * own flags or inputs and prints its own output; the options are read here through one schema per
 * operation, and a bad one is an OptionError of its key. SOURCE_DATE_EPOCH is read here for both, so
 * the same inputs save and build as the same entries whichever door they come in by.
 */
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { DEFAULT_BENTOFILE } from '../build/bentofile.js';
import { type BuildResult, buildBento } from '../build/build.js';
import { cudaVersionHint, resolveCudaVersion } from '../build/cuda.js';
import { withCudaVersion } from '../build/cuda-override.js';
import { parseSourceDateEpoch } from '../build/reproducible.js';
import { openModelStore, type StoredModel, saveModel } from '../core/model-store.js';
import { option, say } from '../core/user-text.js';
import { optionIssue, parseOptions } from './options.js';

const keyValues = z.record(z.string(), z.string());

export const saveModelOptionsSchema = z.object({
  /** `name` or `name:version`; the version is generated when absent. */
  tag: z.string().min(1, 'expected name or name:version'),
  /** A model file or a directory of files. */
  path: z.string().min(1, 'expected a model file or directory'),
  label: keyValues.default({}),
  metadata: keyValues.default({}),
  /** "onnx" (the default for .onnx files) or "files" for opaque data. */
  module: z.string().min(1).optional(),
  /** false: never batch requests to this model; absent: as the model's signature says. */
  batchable: z.boolean().optional(),
  /** Batch axes by input or output name (`shared`: one value for the whole batch), over the inferred ones. */
  batchAxis: z.record(z.string(), z.union([z.literal('shared'), z.number().int().min(0)])).default({}),
  /** Replace an existing version with the same tag. */
  force: z.boolean().default(false),
});
export type SaveModelValues = z.input<typeof saveModelOptionsSchema>;

/** A CUDA release the build knows, pinned ("12.4" -> the newest 12.4 patch). */
const cudaVersion = z.optional(
  z.string().transform((text, ctx) => {
    const release = resolveCudaVersion(text);
    if (release) return release;
    optionIssue(
      ctx,
      'cudaVersion',
      say`invalid ${option('cudaVersion')} "${text}": not a known CUDA release; ${cudaVersionHint(text)}`,
    );
    return z.NEVER;
  }),
);

export const buildOptionsSchema = z.object({
  /** The bentofile; default `<context>/bentofile.yaml`. */
  bentofile: z.string().min(1).optional(),
  /** The build context; default the bentofile's directory. */
  context: z.string().min(1).optional(),
  /** The new bento's version (checked with the tag rules by the build); default generated or derived. */
  version: z.string().min(1).optional(),
  /** Labels on top of the bentofile's. */
  label: keyValues.default({}),
  /** Over the bentofile's docker.cuda_version. */
  cudaVersion,
});
export type BuildValues = z.input<typeof buildOptionsSchema>;

export interface BuildContext {
  /** The store home: models are saved to it, read from it and the bento written to it. */
  home: string;
  /** SOURCE_DATE_EPOCH is read from it; process.env by default. */
  env?: NodeJS.ProcessEnv;
  /** Where a bentofile with another CUDA version is written; the OS temp dir by default. */
  temp?: string;
  /** Progress lines. */
  log?: (line: string) => void;
}

/** The fixed creation time SOURCE_DATE_EPOCH asks for, which the digest covers. */
function creationTimeOf(context: BuildContext): Date | undefined {
  return parseSourceDateEpoch((context.env ?? process.env)['SOURCE_DATE_EPOCH']);
}

/** Copies a model into the model store under a new (or the given) version. */
export async function saveModelEntry(values: SaveModelValues, context: BuildContext): Promise<StoredModel> {
  const options = parseOptions(saveModelOptionsSchema, values);
  const creationTime = creationTimeOf(context);
  return saveModel(openModelStore(context.home), {
    tag: options.tag,
    source: options.path,
    labels: options.label,
    metadata: options.metadata,
    ...(options.module !== undefined ? { module: options.module } : {}),
    ...(options.batchable !== undefined ? { batchable: options.batchable } : {}),
    batchAxes: options.batchAxis,
    force: options.force,
    ...(creationTime ? { creationTime } : {}),
  });
}

/** Builds a bento from a bentofile into the bento store (or finds the identical one stored). */
export async function buildBentoEntry(values: BuildValues, context: BuildContext): Promise<BuildResult> {
  const options = parseOptions(buildOptionsSchema, values);
  const log = context.log ?? (() => undefined);
  const build = {
    home: context.home,
    version: options.version,
    labels: options.label,
    sourceDateEpoch: (context.env ?? process.env)['SOURCE_DATE_EPOCH'],
    log,
  };
  if (!options.cudaVersion)
    return buildBento({ ...build, bentofile: options.bentofile, context: options.context });

  const bentofile = options.bentofile ?? join(options.context ?? '.', DEFAULT_BENTOFILE);
  const override = await withCudaVersion(bentofile, options.cudaVersion, context.temp ?? tmpdir());
  log(`building with docker.cuda_version ${options.cudaVersion}`);
  try {
    // The copy lives in the temp dir: the context stays the project's, as it would be without it.
    return await buildBento({
      ...build,
      bentofile: override.path,
      context: options.context ?? dirname(bentofile),
    });
  } catch (err) {
    throw override.restore(err);
  } finally {
    await override.cleanup();
  }
}
