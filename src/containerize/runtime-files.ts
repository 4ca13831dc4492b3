/**
 * Where the runtime an image embeds comes from: the bundled server and worker (dist/runtime/*.js) and
 * runtime/package.json + package-lock.json of the bentoci package that is running, found by walking up
 * from this module (src/containerize/ in a checkout, dist/ once bundled).
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { z } from 'zod';
import { BentoError, OptionError } from '../core/errors.js';
import { exists } from '../core/files.js';
import { option, say } from '../core/user-text.js';

export interface RuntimeFiles {
  /** Directory with server.js and worker.js. */
  bundleDir: string;
  /** Directory with package.json and package-lock.json. */
  packageDir: string;
}

const RUNTIME_PACKAGE = 'bentoci-runtime';

export async function locateRuntime(env: NodeJS.ProcessEnv = process.env): Promise<RuntimeFiles> {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'runtime', 'package.json');
    if (await isRuntimePackage(pkg)) {
      const bundleDir = env['BENTOCI_RUNTIME_BUNDLE']
        ? resolve(env['BENTOCI_RUNTIME_BUNDLE'])
        : join(dir, 'dist', 'runtime');
      return { bundleDir, packageDir: join(dir, 'runtime') };
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new BentoError(
    `cannot find runtime/package.json of the ${RUNTIME_PACKAGE} package above ${fileURLToPath(import.meta.url)}; reinstall bentoci`,
  );
}

async function isRuntimePackage(path: string): Promise<boolean> {
  if (!(await exists(path))) return false;
  try {
    return (JSON.parse(await readFile(path, 'utf8')) as { name?: string }).name === RUNTIME_PACKAGE;
  } catch {
    return false;
  }
}

const registrySchema = z.url({ protocol: /^https?$/ });

/**
 * The `npmRegistry` option, else what `npm config get registry` says (it knows .npmrc), else the
 * public registry.
 */
export async function npmRegistryOf(given: string | undefined): Promise<string> {
  if (given !== undefined) {
    const parsed = registrySchema.safeParse(given);
    if (!parsed.success)
      throw new OptionError(
        'npmRegistry',
        say`invalid ${option('npmRegistry')} "${given}": expected an http(s) URL like https://registry.npmjs.org/`,
      );
    return parsed.data;
  }
  try {
    const { stdout } = await promisify(execFile)('npm', ['config', 'get', 'registry'], { timeout: 15_000 });
    const parsed = registrySchema.safeParse(stdout.trim());
    if (parsed.success) return parsed.data;
  } catch {
    // No npm on PATH: the public registry is the right default.
  }
  return 'https://registry.npmjs.org/';
}

/** The `caFile` option, else NODE_EXTRA_CA_CERTS when it names a file; undefined when neither. */
export async function caFileOf(
  given: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string | undefined> {
  if (given !== undefined) {
    if (!(await exists(given)))
      throw new OptionError(
        'caFile',
        say`invalid ${option('caFile')} "${given}": no such file (pass a PEM bundle, e.g. /etc/ssl/certs/ca-certificates.crt)`,
      );
    return resolve(given);
  }
  const fromEnv = env['NODE_EXTRA_CA_CERTS'];
  return fromEnv && (await exists(fromEnv)) ? resolve(fromEnv) : undefined;
}
