/**
 * Reads what to serve from a directory: a bento (bento.yaml, models/<name>/<version>/, src/,
 * apis/openapi.yaml) or a single model store entry (model.yaml + its files). A model entry is served
 * as one API named after the model at POST /predict, calling its "run" signature, batched when the
 * signature is batchable (64 rows, 100 ms bound by default; flags and env override both).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import YAML from 'yaml';
import type { z } from 'zod';
import {
  type BentoApi,
  type BentoInfo,
  bentoInfoSchema,
  type ModelInfo,
  modelInfoSchema,
  type Signature,
} from '../../src/shared/schemas.js';
import { RuntimeStartError } from '../errors.js';
import { defaultOpenApi } from './openapi.js';

export const MODEL_DEFAULT_ROUTE = '/predict';
export const MODEL_DEFAULT_BATCH = { max_batch_size: 64, max_latency_ms: 100 };

export interface LoadedModel {
  /** `name:version`. */
  tag: string;
  info: ModelInfo;
  /** Absolute path of the .onnx file. */
  onnxPath: string;
}

export interface LoadedApi {
  api: BentoApi;
  model: LoadedModel;
  signature: Signature;
  /** Absolute path of the warm-up sample (`api.warmup.file`, which is bento-relative). */
  warmupFile?: string;
}

export interface LoadedService {
  kind: 'bento' | 'model';
  dir: string;
  name: string;
  version: string;
  apis: LoadedApi[];
  models: LoadedModel[];
  openapi: unknown;
  /** `file.js[:export]` relative to src/, when the bento has hooks. */
  module?: string;
  /** Environment the bento asks for (bento.yaml `envs`). */
  envs: Array<{ name: string; value: string }>;
}

async function readYaml<T>(path: string, schema: z.ZodType<T>, what: string): Promise<T> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new RuntimeStartError(`${what} ${path} cannot be read`);
  }
  let raw: unknown;
  try {
    raw = YAML.parse(text);
  } catch (err) {
    throw new RuntimeStartError(
      `${what} ${path} is not valid YAML: ${(err as Error).message.split('\n')[0]}`,
    );
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new RuntimeStartError(
      `${what} ${path} is invalid: ${issue.path.join('.') || '(root)'}: ${issue.message}`,
    );
  }
  return parsed.data;
}

function inside(root: string, rel: string, what: string): string {
  const abs = resolve(root, rel);
  const back = relative(root, abs);
  if (back.startsWith('..') || isAbsolute(back))
    throw new RuntimeStartError(`${what} "${rel}" points outside ${root}`);
  // Signatures sit beside the content and outside its digest: nothing the runtime obeys may be one.
  if (back.split(sep)[0] === '.signatures')
    throw new RuntimeStartError(
      `${what} "${rel}" points into ${root}'s .signatures/, which holds no content`,
    );
  return abs;
}

async function loadModelDir(dir: string): Promise<LoadedModel> {
  const info = await readYaml(join(dir, 'model.yaml'), modelInfoSchema, 'model file');
  const tag = `${info.name}:${info.version}`;
  if (info.module !== 'onnx' || !info.entrypoint) {
    throw new RuntimeStartError(
      `model ${tag} is a "${info.module}" model; the runtime serves ONNX models (module: onnx)`,
    );
  }
  const onnxPath = inside(dir, info.entrypoint, `model ${tag} entrypoint`);
  if (!existsSync(onnxPath)) throw new RuntimeStartError(`model ${tag}: ${onnxPath} is missing`);
  return { tag, info, onnxPath };
}

async function loadBento(dir: string): Promise<LoadedService> {
  const info: BentoInfo = await readYaml(join(dir, 'bento.yaml'), bentoInfoSchema, 'bento file');
  const models = new Map<string, LoadedModel>();
  for (const ref of info.models) {
    const model = await loadModelDir(inside(dir, ref.path, `model ${ref.tag} path`));
    if (model.tag !== ref.tag)
      throw new RuntimeStartError(
        `bento.yaml lists model ${ref.tag} at ${ref.path}, but that holds ${model.tag}`,
      );
    models.set(ref.tag, model);
  }
  if (info.service.apis.length === 0)
    throw new RuntimeStartError(`bento ${info.name}:${info.version} defines no APIs`);
  const routes = new Set<string>();
  const apis = info.service.apis.map((api): LoadedApi => {
    const model = models.get(api.model);
    if (!model)
      throw new RuntimeStartError(
        `API "${api.name}" calls model ${api.model}, which the bento does not include`,
      );
    const signature = model.info.signatures[api.method];
    if (!signature) {
      const known = Object.keys(model.info.signatures).join(', ') || 'none';
      throw new RuntimeStartError(
        `API "${api.name}" calls method "${api.method}" of ${api.model}, which has signatures: ${known}`,
      );
    }
    if (routes.has(api.route)) throw new RuntimeStartError(`two APIs share the route ${api.route}`);
    routes.add(api.route);
    const warmup = api.warmup && 'file' in api.warmup ? api.warmup.file : undefined;
    return {
      api,
      model,
      signature,
      ...(warmup ? { warmupFile: inside(dir, warmup, `API "${api.name}" warmup.file`) } : {}),
    };
  });
  const openapiPath = join(dir, 'apis', 'openapi.yaml');
  const openapi = existsSync(openapiPath)
    ? YAML.parse(await readFile(openapiPath, 'utf8'))
    : defaultOpenApi(
        info.name,
        info.version,
        apis.map((a) => a.api),
      );
  return {
    kind: 'bento',
    dir,
    name: info.name,
    version: info.version,
    apis,
    models: [...models.values()],
    openapi,
    ...(info.service.module ? { module: info.service.module } : {}),
    envs: info.envs,
  };
}

async function loadModelService(dir: string): Promise<LoadedService> {
  const model = await loadModelDir(dir);
  const method = model.info.signatures['run'] ? 'run' : Object.keys(model.info.signatures)[0];
  const signature = method ? model.info.signatures[method] : undefined;
  if (!method || !signature) throw new RuntimeStartError(`model ${model.tag} has no signatures to serve`);
  const api: BentoApi = {
    name: model.info.name,
    route: MODEL_DEFAULT_ROUTE,
    model: model.tag,
    method,
    batching: { enabled: signature.batchable, ...MODEL_DEFAULT_BATCH },
    input: signature.inputs,
    output: signature.outputs,
  };
  return {
    kind: 'model',
    dir,
    name: model.info.name,
    version: model.info.version,
    apis: [{ api, model, signature }],
    models: [model],
    openapi: defaultOpenApi(model.info.name, model.info.version, [api]),
    envs: [],
  };
}

/** Loads a bento directory, or a model store entry directory. */
export async function loadService(path: string): Promise<LoadedService> {
  const dir = resolve(path);
  if (existsSync(join(dir, 'bento.yaml'))) return loadBento(dir);
  if (existsSync(join(dir, 'model.yaml'))) return loadModelService(dir);
  throw new RuntimeStartError(`${dir} is neither a bento (no bento.yaml) nor a model entry (no model.yaml)`);
}
