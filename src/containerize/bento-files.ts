/**
 * What a bento directory holds for its image: the user's Dockerfile template, the setup script, the
 * npm packages of its service module, and the Dockerfile stored at build time. src/build copies the
 * template, script and lockfile into env/ and records those bento-relative paths in bento.yaml, as
 * BentoML does; a path that is not in the bento is also looked up under src/ (the build context).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UsageError } from '../core/errors.js';
import { exists } from '../core/files.js';
import { operation, say } from '../core/user-text.js';
import { CONTEXT } from './layout.js';
import { type DockerfileBento, type RenderOptions, renderDockerfile } from './render.js';

/** Where the Dockerfile a bento was built with lives inside it. */
export const STORED_DOCKERFILE = 'env/docker/Dockerfile';
const TEMPLATE_COPY = 'env/docker/Dockerfile.template';
const SETUP_SCRIPT_COPY = 'env/docker/setup_script';
const NODE_ENV_DIR = 'env/node';

export type BentoForImage = DockerfileBento & {
  node?: { packages: string[]; lockfile?: string | undefined } | undefined;
};

/** The bento's npm packages for the deps stage: file name -> content. */
export interface BentoDeps {
  files: Record<string, string>;
  /** Whether `npm ci` applies (a package.json with its own lockfile). */
  lockfile: boolean;
}

/**
 * Renders the Dockerfile of a bento directory: a stored bento, or one staged by src/build before its
 * commit (write the result to STORED_DOCKERFILE so the bento keeps what its image is built from).
 * `templateName` is how messages name the template (the project's file, at build time).
 */
export async function renderBentoDockerfile(
  dir: string,
  bento: BentoForImage,
  templateName?: string,
): Promise<string> {
  const options = await renderOptionsOf(dir, bento);
  if (options.template && templateName) options.template.path = templateName;
  return renderDockerfile(bento, options);
}

/**
 * The Dockerfile to build: the one stored at build time (the image is then built from exactly what
 * the bento records). A bento without one gets the base template, never its own: a template is
 * rendered by `bentoci build` on the machine that wrote it, not by whoever containerizes the bento.
 */
export async function dockerfileOf(
  dir: string,
  bento: BentoForImage & { version?: string },
): Promise<{ text: string; stored: boolean }> {
  const stored = join(dir, STORED_DOCKERFILE);
  if (await exists(stored)) return { text: await readFile(stored, 'utf8'), stored: true };
  if (bento.docker.dockerfile_template !== undefined || (await exists(join(dir, TEMPLATE_COPY)))) {
    const name = bento.version ? `${bento.name}:${bento.version}` : bento.name;
    throw new UsageError(
      say`bento ${name} has a docker.dockerfile_template but no ${STORED_DOCKERFILE}: containerize does not render a bento's template; ${operation('build')} to store the rendered Dockerfile`,
    );
  }
  return { text: await renderBentoDockerfile(dir, bento), stored: false };
}

export async function renderOptionsOf(dir: string, bento: BentoForImage): Promise<RenderOptions> {
  const options: RenderOptions = {};
  const template = await locate(
    dir,
    bento.docker.dockerfile_template,
    TEMPLATE_COPY,
    'docker.dockerfile_template',
  );
  if (template) {
    options.template = {
      source: await readFile(join(dir, template), 'utf8'),
      path: bento.docker.dockerfile_template ?? template,
    };
  }
  const script = await locate(dir, bento.docker.setup_script, SETUP_SCRIPT_COPY, 'docker.setup_script');
  if (script) options.setupScript = `${CONTEXT.bento}/${script}`;
  const deps = await bentoDepsOf(dir, bento);
  if (deps) options.bentoDeps = { lockfile: deps.lockfile };
  return options;
}

/** env/node/package.json (+ its lockfile) when the bento has one, else a package.json made from node.packages. */
export async function bentoDepsOf(dir: string, bento: BentoForImage): Promise<BentoDeps | undefined> {
  const envDir = join(dir, NODE_ENV_DIR);
  if (await exists(join(envDir, 'package.json'))) {
    const files: Record<string, string> = {
      'package.json': await readFile(join(envDir, 'package.json'), 'utf8'),
    };
    for (const lock of ['package-lock.json', 'npm-shrinkwrap.json']) {
      if (await exists(join(envDir, lock))) files[lock] = await readFile(join(envDir, lock), 'utf8');
    }
    return { files, lockfile: Object.keys(files).length > 1 };
  }
  const packages = bento.node?.packages ?? [];
  if (packages.length === 0) return undefined;
  const dependencies = Object.fromEntries(packages.map(splitPackageSpec));
  const files: Record<string, string> = {
    'package.json': `${JSON.stringify({ name: `${bento.name}-deps`, private: true, dependencies }, null, 2)}\n`,
  };
  // The project's lockfile pins the versions; made for another package.json, it can steer
  // `npm install` but not drive `npm ci`.
  const lock = await locate(dir, bento.node?.lockfile, undefined, 'node.lockfile');
  if (lock) files['package-lock.json'] = await readFile(join(dir, lock), 'utf8');
  return { files, lockfile: false };
}

/** "name@1.2", "@scope/name@^1" or "name" -> [name, range]. */
export function splitPackageSpec(spec: string): [string, string] {
  const at = spec.lastIndexOf('@');
  if (at <= 0) return [spec, '*'];
  return [spec.slice(0, at), spec.slice(at + 1) || '*'];
}

/**
 * A file the bento's options name, relative to the bento: the path as recorded, else the copy src/build
 * makes, else `src/<path>`. Undefined when the option is unset and there is no copy; an error when the
 * option names a file that is nowhere.
 */
async function locate(
  dir: string,
  option: string | undefined,
  copy: string | undefined,
  name: string,
): Promise<string | undefined> {
  const rel = option?.replace(/^\.\//, '');
  if (rel !== undefined && (rel.startsWith('/') || rel.split('/').includes('..'))) {
    throw new UsageError(`invalid ${name} "${option}" in bento.yaml: expected a path inside the bento`);
  }
  const candidates = [rel, copy, rel === undefined ? undefined : `src/${rel}`].filter(
    (c): c is string => c !== undefined,
  );
  for (const candidate of candidates) if (await exists(join(dir, candidate))) return candidate;
  if (rel === undefined) return undefined;
  throw new UsageError(
    `${name} "${option}" is not in the bento (looked for ${candidates.join(', ')}); rebuild the bento with the file inside the build context`,
  );
}
