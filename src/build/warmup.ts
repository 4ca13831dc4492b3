/**
 * Warm-up samples at build time (`apis[].warmup`): each is checked against the signature its API
 * calls with the runtime's own readers, so a bento that builds warms up with what was checked; a
 * sample file is copied into the bento as `warmup/<api>.<ext>` (covered by the digest like every
 * file) and bento.yaml records that path, or the shapes and fill.
 */
import { readFile, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import {
  decodeSampleFile,
  filledSample,
  MAX_SAMPLE_BYTES,
  SAMPLE_EXTENSIONS,
  type SampleTarget,
} from '../../runtime/service/warmup-samples.js';
import { decodeJsonTensor } from '../../runtime/tensors/json.js';
import { formatSpec } from '../../runtime/tensors/validate.js';
import { UsageError } from '../core/errors.js';
import type { StoredModel } from '../core/model-store.js';
import type { BentoApi, Warmup } from '../shared/schemas.js';
import { displayPath } from './bentofile.js';
import type { ApiConfig, WarmupConfig } from './bentofile-schema.js';
import { contextFile } from './context-path.js';

/** Where warm-up sample files live inside a bento. */
export const WARMUP_DIR = 'warmup';

export interface WarmupFile {
  /** The file in the build context, symlinks resolved. */
  source: string;
  /** Its path inside the bento. */
  target: string;
}

export interface WarmupOptions {
  context: string;
  configs: readonly ApiConfig[];
  /** The resolved APIs, in the order of `configs`. */
  apis: readonly BentoApi[];
  models: ReadonlyMap<string, StoredModel>;
  /** Names the key of the i-th API in messages: `bentofile.yaml:9:15: service.apis[0].warmup.file`. */
  where: (i: number, ...keys: string[]) => string;
}

/** The APIs with their `warmup` entries, and the sample files to copy into the bento. */
export async function planWarmups(
  options: WarmupOptions,
): Promise<{ apis: BentoApi[]; files: WarmupFile[] }> {
  const files: WarmupFile[] = [];
  const apis: BentoApi[] = [];
  for (const [i, api] of options.apis.entries()) {
    const config = options.configs[i]!.warmup;
    if (!config) {
      apis.push(api);
      continue;
    }
    const signature = options.models.get(options.configs[i]!.model)!.info.signatures[api.method]!;
    const target: SampleTarget = {
      specs: api.input,
      batchable: signature.batchable,
      batchDim: signature.batch_dim,
    };
    const where = (...keys: string[]) => options.where(i, 'warmup', ...keys);
    let warmup: Warmup;
    if (config.file !== undefined) {
      const file = await checkSampleFile(options.context, config.file, target, where('file'), api);
      warmup = { file: file.target };
      files.push(file);
    } else {
      warmup = checkShapes(config, target, where, api);
    }
    apis.push({ ...api, warmup });
  }
  return { apis, files };
}

const inputsOf = (api: BentoApi) => api.input.map((s) => `${s.name} ${formatSpec(s)}`).join(', ');

async function checkSampleFile(
  context: string,
  rel: string,
  target: SampleTarget,
  where: string,
  api: BentoApi,
): Promise<WarmupFile> {
  const fail = (problem: string): never => {
    throw new UsageError(`${where}: "${rel}" ${problem}`);
  };
  const ext = extname(rel).toLowerCase();
  if (!(SAMPLE_EXTENSIONS as readonly string[]).includes(ext))
    fail(
      `is not a sample file: expected ${SAMPLE_EXTENSIONS.join(', ')} (a request as JSON, or NumPy arrays)`,
    );
  const real = await contextFile({
    context,
    rel,
    where,
    missing: `not found in ${displayPath(context)}: create the sample or fix the path`,
  });
  const { size } = await stat(real);
  if (size > MAX_SAMPLE_BYTES)
    fail(`has ${size} bytes, more than ${MAX_SAMPLE_BYTES}: a sample is one representative request`);
  try {
    decodeSampleFile(await readFile(real), rel, target);
  } catch (err) {
    fail(
      `does not fit API "${api.name}": ${(err as Error).message} (inputs: ${inputsOf(api)}); fix the sample`,
    );
  }
  return { source: real, target: `${WARMUP_DIR}/${api.name}${ext}` };
}

function checkShapes(
  config: WarmupConfig,
  target: SampleTarget,
  where: (...keys: string[]) => string,
  api: BentoApi,
): Warmup {
  const fill = config.fill ?? 0;
  for (const spec of api.input) {
    try {
      decodeJsonTensor(fill, spec.dtype, spec.name);
    } catch (err) {
      throw new UsageError(
        `${where('fill')}: ${JSON.stringify(fill)} does not fit ${(err as Error).message.replace(/ at top level$/, '')}: choose a fill every input can take`,
      );
    }
  }
  const shapes = config.shapes!;
  try {
    filledSample(shapes, fill, target);
  } catch (err) {
    throw new UsageError(
      `${where('shapes')}: ${(err as Error).message} (inputs: ${inputsOf(api)}): give each input a shape its signature accepts`,
    );
  }
  return { shapes, fill };
}
