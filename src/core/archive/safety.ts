/**
 * What an archive member may be before anything is written: a regular file or a directory whose path
 * stays inside the entry. Links and devices are refused outright, whatever they point at, so no
 * member can make a later one land outside the staging directory.
 */
import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { Header } from 'tar-stream';
import { BentoError } from '../errors.js';
import { ENTRY_DIR, MANIFEST_NAME } from './format.js';

export type Member = { role: 'manifest' } | { role: 'directory' } | { role: 'file'; rel: string };

/** Why a relative `/`-separated path is unsafe to create below a directory, or undefined when it is safe. */
export function pathProblem(path: string): string | undefined {
  if (path.length === 0) return 'is empty';
  if (path.length > 4096) return 'is longer than 4096 characters';
  if (path.includes('\0')) return 'contains a NUL byte';
  if (path.includes('\\')) return "contains '\\' (paths use '/')";
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path) || isAbsolute(path)) return 'is absolute';
  for (const segment of path.split('/')) {
    if (segment === '..') return "climbs out with '..'";
    if (segment === '' || segment === '.') return "has an empty or '.' segment";
  }
  return undefined;
}

export function assertSafePath(path: string, what: string, archive: string): void {
  const problem = pathProblem(path);
  if (problem)
    throw new BentoError(
      `archive "${archive}" is unsafe: ${what} "${path}" ${problem}; refusing to import it`,
    );
}

/** Classifies a tar header, refusing anything that is not a safe regular file or directory. */
export function classifyMember(header: Header, archive: string): Member {
  const raw = header.name;
  // Archives made with `tar -C dir .` name members "./x"; that prefix is harmless.
  let name = raw.startsWith('./') ? raw.slice(2) : raw;
  const type = header.type ?? 'file';
  if (type === 'directory') {
    if (name.endsWith('/')) name = name.slice(0, -1);
    if (name === '' || name === ENTRY_DIR) return { role: 'directory' };
  }
  assertSafePath(name, 'member', archive);
  if (type !== 'file' && type !== 'directory' && type !== 'contiguous-file') {
    const link = header.linkname ? ` -> "${header.linkname}"` : '';
    throw new BentoError(
      `archive "${archive}" is unsafe: member "${raw}" is a ${type}${link}; archives may hold only regular files and directories`,
    );
  }
  if (name === MANIFEST_NAME && type !== 'directory') return { role: 'manifest' };
  if (!name.startsWith(`${ENTRY_DIR}/`)) {
    throw new BentoError(
      `archive "${archive}" has member "${raw}" outside ${ENTRY_DIR}/ that its manifest does not list; refusing to import it`,
    );
  }
  if (type === 'directory') return { role: 'directory' };
  return { role: 'file', rel: name.slice(ENTRY_DIR.length + 1) };
}

/** The absolute path of `rel` below `root`, asserting (once more, after resolution) that it stays below. */
export function within(root: string, rel: string): string {
  const target = resolve(root, rel);
  const back = relative(root, target);
  if (back === '' || back.startsWith(`..${sep}`) || back === '..' || isAbsolute(back)) {
    throw new BentoError(`path "${rel}" resolves outside ${root}; refusing to write it`);
  }
  return target;
}
