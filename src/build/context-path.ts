/**
 * Paths a bentofile names stay inside the build context, after symlinks are resolved: a build copies
 * what they point at into the bento (and from there into bento.yaml, the OpenAPI document and image
 * labels), so `../x`, `/etc/shadow` or a link to either would publish a file of the build machine.
 */
import { realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { UsageError } from '../core/errors.js';

/** Whether `path` (absolute) is `root` or below it. */
export function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

export interface ContextFileRef {
  /** The build context (absolute). */
  context: string;
  /** The path as the bentofile writes it, relative to the context. */
  rel: string;
  /** Where the key is, for messages: `bentofile.yaml:12:3: docker.setup_script`. */
  where: string;
  /** A word before the path in messages (`description: file "README.md" ...`). */
  noun?: string;
  /** The message tail when the file does not exist: `not found in ctx: create it or fix the path`. */
  missing: string;
}

/**
 * The real path of a regular file inside the context. Refuses, naming the key: a path that leaves the
 * context as written, one that does through a symlink (the link and its target are named), and one
 * that is missing or not a regular file.
 */
export async function contextFile(ref: ContextFileRef): Promise<string> {
  const { context, rel } = ref;
  const where = `${ref.where}: ${ref.noun ? `${ref.noun} ` : ''}`;
  const lexical = resolve(context, rel);
  if (!isInside(context, lexical)) {
    throw new UsageError(
      `${where}"${rel}" is outside the build context ${context}: copy the file into the project and name it relative to it`,
    );
  }
  const real = await realpath(lexical).catch(() => undefined);
  if (real === undefined || !(await stat(real)).isFile())
    throw new UsageError(`${where}"${rel}" ${ref.missing}`);
  const realContext = await realpath(context);
  if (!isInside(realContext, real)) {
    throw new UsageError(
      `${where}"${rel}" leads through a symbolic link to ${real}, outside the build context ${context}: copy the file into the project instead of linking it`,
    );
  }
  return real;
}

/**
 * Whether a context-relative path is reached through a symbolic link (its real path is not the path
 * itself). Builds copy no such file: include globs do not follow links, even where a pattern names
 * the linked directory outright (`data/**` with `data -> /elsewhere`).
 */
export async function throughLink(realContext: string, rel: string): Promise<string | undefined> {
  const path = join(realContext, rel);
  const real = await realpath(path).catch(() => path);
  return real === path ? undefined : real;
}
