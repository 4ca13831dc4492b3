/**
 * Containerize: a stored bento -> a Docker image, through the engine at DOCKER_HOST.
 */
import { UsageError } from '../core/errors.js';
import { progress } from '../core/progress.js';
import type { StoredEntry } from '../core/store.js';
import { formatTag } from '../core/tag.js';
import { checkKeyValues } from '../oci/annotation-keys.js';
import type { BentoInfo } from '../shared/schemas.js';
import { bentoDepsOf, dockerfileOf } from './bento-files.js';
import { buildContext } from './context.js';
import { connectEngine } from './engine.js';
import { buildImage } from './image-build.js';
import { formatImageName, parseImageName } from './image-ref.js';
import { type Provenance, provenanceOf } from './provenance.js';
import { dockerQuote } from './render.js';
import { caFileOf, locateRuntime, npmRegistryOf, type RuntimeFiles } from './runtime-files.js';

export interface ContainerizeOptions {
  /** Image names; default `<bento name>:<bento version>`. */
  tags?: string[];
  buildArgs?: Record<string, string>;
  labels?: Record<string, string>;
  target?: string;
  platform?: string;
  cacheFrom?: string[];
  noCache?: boolean;
  /** The npm registry of the deps stage; default `npm config get registry`. */
  npmRegistry?: string;
  /** A CA bundle for the deps stage; default NODE_EXTRA_CA_CERTS. */
  caFile?: string;
  /** Network of RUN steps; default host (this machine's builds reach npm only through it). */
  networkMode?: string;
  runtime?: RuntimeFiles;
  log?: (line: string) => void;
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
}

export interface ContainerizeResult {
  id: string;
  tags: string[];
  bento: string;
  /** Whether the Dockerfile was the one stored in the bento (env/docker/Dockerfile) or rendered now. */
  dockerfile: 'stored' | 'rendered';
  context: { files: number; bytes: number };
  /** The labels this build set (OCI defaults, the bento's, the caller's); the base image may add more. */
  labels: Record<string, string>;
}

export async function containerize(
  bento: StoredEntry<BentoInfo>,
  options: ContainerizeOptions = {},
): Promise<ContainerizeResult> {
  const env = options.env ?? process.env;
  const log = options.log ?? (() => {});
  const tags = [
    ...new Set(options.tags?.length ? options.tags : [`${bento.info.name}:${bento.info.version}`]),
  ].map((t) => parseImageName(t));
  // Before the slow parts: a bad label fails here, not after the build context is sent.
  checkKeyValues(options.labels ?? {}, 'label');
  for (const image of options.cacheFrom ?? []) parseImageName(image, 'cacheFrom');
  const dockerfile = await dockerfileOf(bento.dir, bento.info);
  const runtime = options.runtime ?? (await locateRuntime(env));
  const [npmRegistry, caFile, provenance] = await Promise.all([
    npmRegistryOf(options.npmRegistry),
    caFileOf(options.caFile, env),
    provenanceOf(bento.info.creation_time, { env }),
  ]);
  const docker = await connectEngine();
  const labels = { ...buildLabels(bento.info, provenance), ...options.labels };
  const buildDockerfile = withBuildLabels(dockerfile.text, labels);

  const sendProgress = progress('sending build context', undefined, log);
  const context = await buildContext(
    {
      dockerfile: buildDockerfile,
      bentoDir: bento.dir,
      runtimeBundleDir: runtime.bundleDir,
      runtimePackageDir: runtime.packageDir,
      caFile,
      bentoDeps: await bentoDepsOf(bento.dir, bento.info),
      mtime: contextTime(env),
    },
    (n) => sendProgress.add(n),
  );
  log(
    `building ${tags.map(formatImageName).join(', ')} from bento ${formatTag(bento.tag)} (${dockerfile.stored ? 'stored' : 'generated'} Dockerfile, npm registry ${npmRegistry}${caFile ? `, CA ${caFile}` : ''})`,
  );
  const built = await buildImage(docker, context.stream, {
    tags,
    buildArgs: { NPM_CONFIG_REGISTRY: npmRegistry, ...options.buildArgs },
    labels: {},
    target: options.target,
    platform: options.platform,
    cacheFrom: options.cacheFrom ?? [],
    noCache: options.noCache ?? false,
    networkMode: options.networkMode ?? 'host',
    dockerfile: buildDockerfile,
    signal: options.signal,
    log,
  });
  sendProgress.done();
  return {
    id: built.id,
    tags: built.tags,
    bento: formatTag(bento.tag),
    dockerfile: dockerfile.stored ? 'stored' : 'rendered',
    context: { files: context.files, bytes: context.bytes },
    labels,
  };
}

/**
 * The bento's labels and those that change with every build, appended to the Dockerfile rather than
 * written in the stored one (which is part of the bento's content; labels are not). The OCI
 * pre-defined keys get what docker/metadata-action would give them (version, created, revision,
 * source, url; title and description are in the Dockerfile itself); a label the bento sets itself
 * wins, and the caller's labels win over both.
 */
export function buildLabels(info: BentoInfo, provenance: Provenance): Record<string, string> {
  const labels: Record<string, string> = {
    'org.opencontainers.image.version': info.version,
    'org.opencontainers.image.created': provenance.created,
    'bentoci.bento': `${info.name}:${info.version}`,
    ...(provenance.revision ? { 'org.opencontainers.image.revision': provenance.revision } : {}),
    ...(provenance.source
      ? {
          'org.opencontainers.image.source': provenance.source,
          'org.opencontainers.image.url': provenance.source,
        }
      : {}),
  };
  return { ...labels, ...info.labels };
}

/**
 * The Dockerfile sent to the engine: the bento's, plus one LABEL with this build's labels. One
 * instruction, where the engine's `labels` option would make the classic builder run one step each.
 */
export function withBuildLabels(dockerfile: string, labels: Record<string, string>): string {
  const entries = Object.entries(labels);
  if (entries.length === 0) return dockerfile;
  const lines = entries.map(([k, v]) => `${dockerQuote(k)}=${dockerQuote(v)}`).join(' \\\n      ');
  return `${dockerfile.trimEnd()}\n\n# Added by bentoci for this build.\nLABEL ${lines}\n`;
}

/** Tar entry times: SOURCE_DATE_EPOCH when set, else the epoch, so the same files make the same layers. */
function contextTime(env: NodeJS.ProcessEnv): Date {
  const epoch = env['SOURCE_DATE_EPOCH'];
  if (epoch && !/^\d+$/.test(epoch))
    throw new UsageError(`invalid SOURCE_DATE_EPOCH "${epoch}": expected whole seconds since 1970`);
  return new Date(epoch ? Number(epoch) * 1000 : 0);
}
