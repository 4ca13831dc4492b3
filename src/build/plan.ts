/**
 * The first half of a build: everything read, resolved and checked, nothing written. Errors name the
 * file, the key and the fix; a plan that comes back is one the store will accept.
 */

import { readFile, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { UsageError } from '../core/errors.js';
import { openModelStore, type StoredModel } from '../core/model-store.js';
import { formatTag, validateTagPart } from '../core/tag.js';
import { apiBatching } from '../shared/batching-report.js';
import type { BentoInfo, BentoModelRef, DockerOptions } from '../shared/schemas.js';
import { DEFAULT_BENTOFILE, displayPath, type LoadedBentofile, loadBentofile } from './bentofile.js';
import type { ApiConfig } from './bentofile-schema.js';
import { contextFile } from './context-path.js';
import { resolveCudaVersion } from './cuda.js';
import { parseSourceDateEpoch } from './reproducible.js';
import { checkApiRoutes, type ModelRequest, modelRefs, resolveApi, resolveModels } from './resolve.js';
import { type CompiledService, compileServiceModule, parseServiceRef } from './service-module.js';
import { selectSources } from './sources.js';
import { planWarmups } from './warmup.js';
import { formatPath } from './yaml-source.js';

export interface PlanOptions {
  home: string;
  bentofile?: string | undefined;
  context?: string | undefined;
  version?: string | undefined;
  labels?: Record<string, string> | undefined;
  sourceDateEpoch?: string | undefined;
  log?: (line: string) => void;
}

/** What bento.yaml says the runtime and containerize must do; also written as bentofile.lock.yaml. */
export type BentoSpec = Pick<BentoInfo, 'service' | 'models' | 'envs' | 'node' | 'docker' | 'resources'>;

export interface EnvFile {
  source: string;
  /** Path inside the bento. */
  target: string;
}

export interface BuildPlan {
  name: string;
  /** The build context, absolute. */
  context: string;
  description: string | undefined;
  labels: Record<string, string>;
  spec: BentoSpec;
  /** Context-relative files for the bento's src/. */
  sources: string[];
  compiled: CompiledService | undefined;
  models: { model: StoredModel; ref: BentoModelRef }[];
  envFiles: EnvFile[];
  /** The batch dim of each API's signature, by API name. */
  batchDims: Record<string, number>;
  createdAt: Date | undefined;
  version: string | undefined;
}

export async function planBuild(options: PlanOptions): Promise<BuildPlan> {
  const log = options.log ?? (() => undefined);
  const context = options.context ? resolve(options.context) : undefined;
  const bentofilePath = options.bentofile ?? join(context ?? '.', DEFAULT_BENTOFILE);
  if (context && !(await stat(context).catch(() => undefined))?.isDirectory()) {
    throw new UsageError(`build context "${options.context}" is not a directory: pass the project directory`);
  }
  const loaded = await loadBentofile(bentofilePath, context);
  const { config, source } = loaded;
  const file = source.file;
  const createdAt = parseSourceDateEpoch(options.sourceDateEpoch);
  const version = options.version ? validateTagPart(options.version, 'version', 'version') : undefined;

  // The service: declared in the bentofile, or by a module that is bundled and asked.
  let compiled: CompiledService | undefined;
  let apiConfigs: ApiConfig[];
  let apiWhere: (i: number, ...keys: string[]) => string;
  if (typeof config.service === 'string') {
    const ref = parseServiceRef(config.service);
    compiled = await compileServiceModule({
      context: loaded.context,
      ref,
      external: (config.node?.packages ?? []).map(packageName),
      where: source.locate(['service']),
    });
    apiConfigs = compiled.apis;
    apiWhere = (i, ...keys) =>
      `${ref.path} (export "${ref.exportName}"): apis.${[apiConfigs[i]!.name, ...keys].join('.')}`;
    checkApiRoutes(apiConfigs, apiWhere);
  } else {
    apiConfigs = config.service.apis;
    apiWhere = (i, ...keys) => {
      const path = ['service', 'apis', i, ...keys];
      return `${source.locate(path)}: ${formatPath(path)}`;
    };
  }
  const serviceName =
    typeof config.service === 'string' ? (compiled?.name ?? config.name) : config.service.name;
  if (!serviceName) {
    throw new UsageError(
      `${source.locate(['service'])}: service: the module's export has no name: add name: "my_service" to it, or name: to ${file}`,
    );
  }
  const name = config.name ?? serviceName;

  // Models: those the APIs call, then the extra ones, each pinned and checked intact.
  const requests: ModelRequest[] = apiConfigs.map((api, i) => ({
    tag: api.model,
    where: apiWhere(i, 'model'),
  }));
  (config.models ?? []).forEach((m, i) => {
    const path = typeof m === 'string' ? ['models', i] : ['models', i, 'tag'];
    requests.push({
      tag: typeof m === 'string' ? m : m.tag,
      where: `${source.locate(path)}: ${formatPath(path)}`,
    });
  });
  const modelStore = openModelStore(options.home);
  const models = await resolveModels(modelStore, requests);
  const { apis, files: warmupFiles } = await planWarmups({
    context: loaded.context,
    configs: apiConfigs,
    apis: apiConfigs.map((api, i) =>
      resolveApi(api, models.get(api.model)!, (...keys) => apiWhere(i, ...keys)),
    ),
    models,
    where: apiWhere,
  });
  const bundled = modelRefs(requests.map((r) => models.get(r.tag)!));
  for (const [text, model] of models) log(`model ${text} -> ${formatTag(model.tag)} (${model.info.digest})`);
  apis.forEach((api, i) => {
    const signature = models.get(apiConfigs[i]!.model)!.info.signatures[api.method];
    log(`API ${api.name}: batching ${apiBatching(api, signature)}`);
  });

  const sources = await selectSources({
    context: loaded.context,
    include: config.include,
    exclude: config.exclude,
    skipDirs: [options.home],
    locateInclude: (i) => source.locate(['include', i]),
  });
  if (compiled && sources.includes(compiled.file)) {
    throw new UsageError(
      `${source.locate(['service'])}: service: the bundle src/${compiled.file} would replace the included file ${compiled.file}: exclude it or rename the module`,
    );
  }
  const envFiles = await environmentFiles(loaded);
  const description = await readDescription(loaded, compiled);
  const labels = sortKeys({
    ...(typeof config.service === 'string' ? compiled?.labels : config.service.labels),
    ...config.labels,
    ...options.labels,
  });

  const docker: DockerOptions = {
    ...(config.docker?.distro ? { distro: config.docker.distro } : {}),
    ...(config.docker?.cuda_version ? { cuda_version: resolveCudaVersion(config.docker.cuda_version)! } : {}),
    ...(config.docker?.system_packages ? { system_packages: config.docker.system_packages } : {}),
    ...(envFiles.setupScript ? { setup_script: envFiles.setupScript.target } : {}),
    ...(config.docker?.base_image ? { base_image: config.docker.base_image } : {}),
    ...(config.docker?.env ? { env: sortKeys(config.docker.env) } : {}),
    ...(envFiles.template ? { dockerfile_template: envFiles.template.target } : {}),
  };
  const spec = {
    service: { name: serviceName, ...(compiled ? { module: compiled.module } : {}), apis },
    models: bundled.map((b) => b.ref),
    envs: config.envs ?? [],
    node: {
      packages: config.node?.packages ?? [],
      ...(envFiles.lockfile ? { lockfile: envFiles.lockfile.target } : {}),
    },
    docker,
    ...(config.resources ? { resources: config.resources } : {}),
  };

  const batchDims = Object.fromEntries(
    apis.map((api, i) => [
      api.name,
      models.get(apiConfigs[i]!.model)!.info.signatures[api.method]!.batch_dim,
    ]),
  );
  return {
    name,
    context: loaded.context,
    description,
    labels,
    spec,
    sources,
    compiled,
    models: bundled,
    envFiles: [...Object.values(envFiles).filter((f): f is EnvFile => f !== undefined), ...warmupFiles],
    batchDims,
    createdAt,
    version,
  };
}

/** Files the bentofile names for containerize: checked now, copied into env/ in the bento. */
async function environmentFiles(
  loaded: LoadedBentofile,
): Promise<Record<'setupScript' | 'template' | 'lockfile', EnvFile | undefined>> {
  const { config, source, context } = loaded;
  const check = async (
    path: (string | number)[],
    rel: string | undefined,
    target: (rel: string) => string,
  ) => {
    if (rel === undefined) return undefined;
    const abs = await contextFile({
      context,
      rel,
      where: `${source.locate(path)}: ${formatPath(path)}`,
      missing: `not found in ${displayPath(context)}: create it or fix the path`,
    });
    return { source: abs, target: target(rel) };
  };
  return {
    setupScript: await check(
      ['docker', 'setup_script'],
      config.docker?.setup_script,
      () => 'env/docker/setup_script',
    ),
    template: await check(
      ['docker', 'dockerfile_template'],
      config.docker?.dockerfile_template,
      () => 'env/docker/Dockerfile.template',
    ),
    lockfile: await check(['node', 'lockfile'], config.node?.lockfile, (rel) => `env/node/${basename(rel)}`),
  };
}

/** `description: "file: ./README.md"` reads the file, as BentoML does; else the text itself. */
async function readDescription(
  loaded: LoadedBentofile,
  compiled: CompiledService | undefined,
): Promise<string | undefined> {
  const { config, source, context } = loaded;
  const text =
    config.description ??
    (typeof config.service === 'string' ? compiled?.description : config.service.description);
  const match = config.description ? /^file:\s*(.+)$/.exec(config.description.trim()) : null;
  if (!match) return text;
  const file = await contextFile({
    context,
    rel: match[1]!.trim(),
    where: `${source.locate(['description'])}: description`,
    noun: 'file',
    missing: `not found in ${displayPath(context)}: create it or write the description inline`,
  });
  return readFile(file, 'utf8');
}

/** `@scope/name@1.2.3` -> `@scope/name`. */
function packageName(spec: string): string {
  const at = spec.indexOf('@', 1);
  return at < 0 ? spec : spec.slice(0, at);
}

export function sortKeys<V>(record: Record<string, V> | undefined): Record<string, V> {
  return Object.fromEntries(Object.entries(record ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
