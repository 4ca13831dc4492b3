/**
 * Pinning: model tags to exact stored versions (checked intact), and APIs to the model signatures
 * they call, with the defaults filled in (route `/<name>`, method "run", batching from the signature).
 */
import { BentoError, NotFoundError, UsageError } from '../core/errors.js';
import { noun } from '../core/invalid-value.js';
import type { ModelStore, StoredModel } from '../core/model-store.js';
import { formatTag, parseTag } from '../core/tag.js';
import { operation, say } from '../core/user-text.js';
import type { Batching, BentoApi, BentoModelRef } from '../shared/schemas.js';
import { resolveApiBatching } from './batch-layout.js';
import { type ApiConfig, type BatchingConfig, DEFAULT_BATCHING, DEFAULT_METHOD } from './bentofile-schema.js';

export interface ModelRequest {
  tag: string;
  /** Where the tag is written, for messages: `bentofile.yaml:8:14: service.apis[0].model`. */
  where: string;
}

/** Resolves every requested tag once; the map is keyed by the tag as written. */
export async function resolveModels(
  store: ModelStore,
  requests: ModelRequest[],
): Promise<Map<string, StoredModel>> {
  const byText = new Map<string, StoredModel>();
  for (const { tag, where } of requests) {
    if (byText.has(tag)) continue;
    let model: StoredModel;
    try {
      model = await store.get(parseTag(tag, noun('model tag')));
      await store.assertIntact(model);
    } catch (err) {
      if (err instanceof NotFoundError) {
        throw new UsageError(
          say`${where}: model "${tag}" is not in the store (${store.root}): save it with ${operation('save-model', `${parseTag(tag).name} PATH`)} or fix the tag`,
        );
      }
      if (err instanceof BentoError) throw new UsageError(say`${where}: ${err}`, { cause: err });
      throw err;
    }
    byText.set(tag, model);
  }
  return byText;
}

/** The models a bento carries, each once, in the order first named. */
export function modelRefs(models: Iterable<StoredModel>): { model: StoredModel; ref: BentoModelRef }[] {
  const seen = new Map<string, { model: StoredModel; ref: BentoModelRef }>();
  for (const model of models) {
    const tag = formatTag(model.tag);
    if (seen.has(tag)) continue;
    seen.set(tag, {
      model,
      ref: {
        tag,
        module: model.info.module,
        digest: model.info.digest,
        size: model.info.size,
        path: `models/${model.tag.name}/${model.tag.version}`,
      },
    });
  }
  return [...seen.values()];
}

/** Routes the runtime serves itself; an API may not take them. */
export const RESERVED_ROUTES = ['/healthz', '/readyz', '/metrics'];

/**
 * Each API needs its own name and route, and none of the runtime's. `where(i, key)` names the key of
 * the i-th API for messages, wherever the APIs were declared (bentofile or module).
 */
export function checkApiRoutes(
  apis: readonly ApiConfig[],
  where: (i: number, key: 'name' | 'route') => string,
): void {
  const names = new Map<string, number>();
  const routes = new Map<string, number>();
  apis.forEach((api, i) => {
    const seen = names.get(api.name);
    if (seen !== undefined) {
      throw new UsageError(
        `${where(i, 'name')}: "${api.name}" is also the name of API ${seen + 1}: give each API its own name`,
      );
    }
    names.set(api.name, i);
    const route = api.route ?? `/${api.name}`;
    const at = where(i, api.route ? 'route' : 'name');
    if (RESERVED_ROUTES.includes(route))
      throw new UsageError(`${at}: route ${route} is served by the runtime itself: choose another route`);
    const other = routes.get(route);
    if (other !== undefined) {
      throw new UsageError(
        `${at}: route ${route} is also the route of API ${other + 1} (${apis[other]!.name}): give each API its own route`,
      );
    }
    routes.set(route, i);
  });
}

/** An API with everything resolved, as bento.yaml records it. */
export function resolveApi(
  api: ApiConfig,
  model: StoredModel,
  where: (...keys: string[]) => string,
): BentoApi {
  const method = api.method ?? DEFAULT_METHOD;
  const tag = formatTag(model.tag);
  const signatures = Object.keys(model.info.signatures);
  const signature = model.info.signatures[method];
  if (!signature) {
    const fix = signatures.length
      ? `use one of ${signatures.join(', ')}`
      : `the model (module ${model.info.module}) has no signatures: serve an ONNX model`;
    throw new UsageError(
      `${where(api.method ? 'method' : 'model')}: model ${tag} has no signature "${method}": ${fix}`,
    );
  }
  const batching = resolveApiBatching(api.batching, signature, tag, where);
  return {
    name: api.name,
    route: api.route ?? `/${api.name}`,
    model: tag,
    method,
    batching: {
      enabled: batching.enabled,
      max_batch_size: api.batching?.max_batch_size ?? DEFAULT_BATCHING.max_batch_size,
      max_latency_ms: api.batching?.max_latency_ms ?? DEFAULT_BATCHING.max_latency_ms,
      ...queueSettings(api.batching),
      ...(batching.padding ? { padding: batching.padding } : {}),
    },
    input: batching.input,
    output: batching.output,
  };
}

/** The optional queue and admission fields, carried into bento.yaml only when the bentofile sets them. */
function queueSettings(batching: BatchingConfig | undefined): Partial<Batching> {
  const out: Partial<Batching> = {};
  if (batching?.max_queue_rows !== undefined) out.max_queue_rows = batching.max_queue_rows;
  if (batching?.latency_quantile !== undefined) out.latency_quantile = batching.latency_quantile;
  if (batching?.late_target !== undefined) out.late_target = batching.late_target;
  return out;
}
