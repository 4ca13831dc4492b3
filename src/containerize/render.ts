/**
 * Renders a bento's Dockerfile: the base template, or the bento's docker.dockerfile_template extending
 * it. Pure (no file reads): `bento-files.ts` finds the user template and setup script in a bento.
 * The engine is ours (./template/): a bento's template is untrusted, and nunjucks or Jinja without a
 * sandbox let a template run code on the host; ours can only turn the data below into text.
 */
import { UsageError } from '../core/errors.js';
import type { BentoInfo } from '../shared/schemas.js';
import { BENTOCI_VERSION } from '../version.js';
import { type BaseChoice, chooseBase, NODE_IMAGE } from './distro.js';
import { CONTEXT, IMAGE } from './layout.js';
import { healthcheckScript, runtimeCommand, runtimeEnv } from './runtime-contract.js';
import { renderTemplate } from './template/index.js';
import { BASE_TEMPLATE, BASE_TEMPLATE_NAME } from './templates/base.js';

/**
 * The parts of bento.yaml a Dockerfile depends on. Not the version, the file manifest or the digest:
 * src/build renders the Dockerfile into the bento before those exist (the version label is added at
 * containerize time), so an unchanged rebuild still has an unchanged digest.
 */
export type DockerfileBento = Pick<BentoInfo, 'name' | 'models' | 'docker' | 'envs'> & {
  description?: string | undefined;
};

export interface RenderOptions {
  /** The bento's docker.dockerfile_template: its text, and its path for messages. */
  template?: { source: string; path: string };
  /** Context path of the setup script to COPY and RUN (see bento-files.ts). */
  setupScript?: string;
  /** The bento's npm packages, installed into <bento>/node_modules; lockfile: whether `npm ci` applies. */
  bentoDeps?: { lockfile: boolean };
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const SYSTEM_PACKAGE = /^[A-Za-z0-9][A-Za-z0-9.+_:=~*-]*$/;
const MODEL_PATH = /^models(\/[A-Za-z0-9_][A-Za-z0-9._-]*)+$/;

export function renderDockerfile(bento: DockerfileBento, options: RenderOptions = {}): string {
  const base = chooseBase(bento.docker);
  const context = templateContext(bento, base, options);
  try {
    const text = renderTemplate(options.template?.source ?? BASE_TEMPLATE, {
      data: context,
      filters: { dq: (value) => dockerQuote(value) },
      templates: { [BASE_TEMPLATE_NAME]: BASE_TEMPLATE },
      trimBlocks: true,
      lstripBlocks: true,
    });
    return `${text.replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
  } catch (err) {
    const where = options.template
      ? `docker.dockerfile_template "${options.template.path}"`
      : 'the base Dockerfile template';
    throw new UsageError(`${where} failed to render: ${oneLine(err)}`);
  }
}

function templateContext(
  bento: DockerfileBento,
  base: BaseChoice,
  options: RenderOptions,
): Record<string, unknown> {
  const docker = bento.docker;
  const envs = [...bento.envs, ...Object.entries(docker.env ?? {}).map(([name, value]) => ({ name, value }))];
  for (const { name, value } of envs) {
    if (!ENV_NAME.test(name))
      throw new UsageError(
        `invalid environment variable name "${name}" in bento ${bento.name}: expected letters, digits and _`,
      );
    if (/[\r\n]/.test(value))
      throw new UsageError(
        `environment variable ${name} of bento ${bento.name} has a line break: Dockerfile ENV values must be one line`,
      );
  }
  const systemPackages = docker.system_packages ?? [];
  for (const pkg of systemPackages) {
    if (!SYSTEM_PACKAGE.test(pkg))
      throw new UsageError(
        `invalid docker.system_packages entry "${pkg}": expected a package name like curl or curl=7.88*`,
      );
  }
  for (const model of bento.models) {
    if (!MODEL_PATH.test(model.path) || model.path.split('/').includes('..')) {
      throw new UsageError(
        `bento ${bento.name}: model ${model.tag} has path "${model.path}": expected models/<name>/<version>`,
      );
    }
  }
  return {
    bentoci_version: BENTOCI_VERSION,
    bento_base_template: BASE_TEMPLATE_NAME,
    bento: {
      name: bento.name,
      description: bento.description?.replace(/\s+/g, ' ').trim() ?? '',
    },
    node_image: NODE_IMAGE,
    base_image: base.image,
    copy_node: base.copyNode,
    cuda_version: base.cudaVersion ?? '',
    // The CUDA provider's libraries are not in the npm tarball: the install script fetches them.
    ort_install: base.cudaVersion ? 'cuda12' : 'skip',
    system_packages: systemPackages,
    setup_script: options.setupScript ?? '',
    bento_deps: options.bentoDeps ?? null,
    envs,
    runtime_env: runtimeEnv({ cuda: base.cudaVersion !== undefined }),
    environment: [...runtimeEnv({ cuda: base.cudaVersion !== undefined }), ...envs],
    models: bento.models.map((m) => ({ tag: m.tag, path: m.path })),
    context: CONTEXT,
    runtime_dir: IMAGE.runtimeDir,
    bento_path: IMAGE.bentoPath,
    bento__path: IMAGE.bentoPath,
    uid: IMAGE.uid,
    gid: IMAGE.gid,
    port: IMAGE.port,
    healthcheck: healthcheckScript(),
    ...runtimeCommand(),
  };
}

/**
 * A Dockerfile double-quoted word (ENV and LABEL values): backslash, quote and dollar escaped, so a
 * value is taken literally. Line breaks become spaces; callers refuse them where they matter.
 */
export function dockerQuote(value: unknown): string {
  const text = String(value ?? '').replace(/[\r\n]+/g, ' ');
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\$/g, '\\$')}"`;
}

/** Template errors are one line already ("[Line 3, Column 4] ..."); anything else is made one. */
function oneLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .join(' ');
}
