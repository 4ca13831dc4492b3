/**
 * Loading bentofile.yaml: YAML syntax errors with line and column, schema errors as one line naming
 * the file, the key and the fix (unknown keys with a "did you mean"), and the checks across fields
 * that need no store.
 */
import { readFile } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import type { z } from 'zod';
import { UsageError } from '../core/errors.js';
import { type Bentofile, bentofileSchema } from './bentofile-schema.js';
import { cudaVersionHint, resolveCudaVersion } from './cuda.js';
import { describeIssue, flattenIssues } from './issues.js';
import { checkApiRoutes } from './resolve.js';
import { formatPath, type KeyPath, YamlSource } from './yaml-source.js';

export const DEFAULT_BENTOFILE = 'bentofile.yaml';

export interface LoadedBentofile {
  /** Absolute path of the file. */
  path: string;
  /** The build context: the directory whose files `include` selects. */
  context: string;
  config: Bentofile;
  source: YamlSource;
}

/** How a path reads in messages: relative to the working directory when below it. */
export function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') ? rel : path;
}

export async function loadBentofile(
  path: string,
  context = dirname(resolve(path)),
): Promise<LoadedBentofile> {
  const absolute = resolve(path);
  const file = displayPath(absolute);
  let text: string;
  try {
    text = await readFile(absolute, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new UsageError(
        `${file} not found: create a bentofile.yaml in the build context (see docs/bentofile.md) or pass -f PATH`,
      );
    }
    throw new UsageError(`${file} cannot be read (${code ?? (err as Error).message}); check its permissions`);
  }
  const source = YamlSource.parse(file, text);
  const config = validateBentofile(source);
  return { path: absolute, context: resolve(context), config, source };
}

export function validateBentofile(source: YamlSource): Bentofile {
  const data = source.toJS();
  if (data === null || data === undefined || typeof data !== 'object' || Array.isArray(data)) {
    throw new UsageError(
      `${source.file}:1:1: expected a mapping of bentofile keys with at least "service" (see docs/bentofile.md)`,
    );
  }
  const parsed = bentofileSchema.safeParse(data, { reportInput: true });
  if (!parsed.success) {
    const issue = firstIssue(source, flattenIssues(parsed.error.issues));
    throw new UsageError(
      describeIssue({ schema: bentofileSchema, locate: (p, o) => source.locate(p, o) }, issue),
    );
  }
  checkAcrossFields(source, parsed.data);
  return parsed.data;
}

/**
 * The issue a user meets first reading the file top to bottom. A missing key is reported last: its
 * position is the start of the mapping that lacks it, and it is often the misspelt key reported too.
 */
function firstIssue(source: YamlSource, issues: z.core.$ZodIssue[]): z.core.$ZodIssue {
  const rank = (issue: z.core.$ZodIssue) => {
    const path = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]!] : issue.path;
    const [line = '0', col = '0'] = source
      .locate(path, { key: issue.code === 'unrecognized_keys' })
      .split(':')
      .slice(-2);
    const missing =
      (issue.code === 'invalid_type' || issue.code === 'invalid_union') && issue.input === undefined;
    return (missing ? 1e12 : 0) + Number(line) * 1e6 + Number(col);
  };
  return [...issues].sort((a, b) => rank(a) - rank(b))[0]!;
}

/** Rules that span fields, checked before any file is read or written. */
function checkAcrossFields(source: YamlSource, config: Bentofile): void {
  const fail = (path: KeyPath, message: string): never => {
    throw new UsageError(`${source.locate(path)}: ${formatPath(path)}: ${message}`);
  };
  if (typeof config.service !== 'string') {
    checkApiRoutes(config.service.apis, (i, key) => {
      const path = ['service', 'apis', i, key];
      return `${source.locate(path)}: ${formatPath(path)}`;
    });
  }
  const envNames = new Map<string, number>();
  (config.envs ?? []).forEach((env, i) => {
    const seen = envNames.get(env.name);
    if (seen !== undefined)
      fail(['envs', i, 'name'], `${env.name} is already set by envs[${seen}]: set each variable once`);
    envNames.set(env.name, i);
  });
  const docker = config.docker;
  if (docker?.cuda_version !== undefined) {
    if (!resolveCudaVersion(docker.cuda_version)) {
      fail(
        ['docker', 'cuda_version'],
        `"${docker.cuda_version}" is not a known CUDA release: ${cudaVersionHint(docker.cuda_version)}`,
      );
    }
    if (docker.distro === 'alpine')
      fail(
        ['docker', 'distro'],
        'there are no CUDA images for alpine: use debian or ubuntu with cuda_version',
      );
    if (docker.base_image) {
      fail(
        ['docker', 'base_image'],
        'a base_image replaces the CUDA base image: remove cuda_version, or base_image and let cuda_version choose it',
      );
    }
  }
}
