/**
 * Which files of the build context go into the bento's src/: `include` globs (default: everything),
 * minus `exclude` globs, `.bentoignore`, and what never belongs in a bundle (.git, node_modules).
 * Symbolic links are not followed, files or directories, even where a pattern names one outright.
 */
import { realpath } from 'node:fs/promises';
import { isAbsolute, relative, sep } from 'node:path';
import { glob } from 'tinyglobby';
import { UsageError } from '../core/errors.js';
import { readBentoignore } from './bentoignore.js';
import { throughLink } from './context-path.js';

/** Dependencies come from `node.packages` and the bundle of the service module, never a copied tree. */
export const ALWAYS_EXCLUDED = ['**/.git/**', '**/node_modules/**'];

export interface SourceSelection {
  context: string;
  include?: string[] | undefined;
  exclude?: string[] | undefined;
  /** Absolute directories inside the context that must not be copied (e.g. the store home). */
  skipDirs?: string[];
  /** Where the n-th include pattern is written, for messages: `bentofile.yaml:7:5`. */
  locateInclude: (index: number) => string;
}

/** Relative `/`-separated paths of the selected files, sorted. */
export async function selectSources(selection: SourceSelection): Promise<string[]> {
  const { context } = selection;
  const include = selection.include ?? ['**'];
  const exclude = selection.exclude ?? [];
  const skip = (selection.skipDirs ?? [])
    .map((dir) => relative(context, dir).split(sep).join('/'))
    .filter((rel) => rel && !rel.startsWith('..') && !isAbsolute(rel))
    .map((rel) => `${rel}/**`);
  const ignore = [...ALWAYS_EXCLUDED, ...skip];
  const options = { cwd: context, dot: false, onlyFiles: true, followSymbolicLinks: false };

  for (const [i, pattern] of include.entries()) {
    if (isAbsolute(pattern) || pattern.split('/').includes('..')) {
      throw new UsageError(
        `${selection.locateInclude(i)}: include[${i}]: "${pattern}" leaves the build context: write it relative to ${context}`,
      );
    }
  }
  const realContext = await realpath(context);
  // tinyglobby lists no link itself, but walks into a linked directory a pattern names (`data/x`).
  const direct = async (files: string[]) => {
    const kept: string[] = [];
    const linked: { file: string; real: string }[] = [];
    for (const file of files) {
      const real = await throughLink(realContext, file);
      if (real === undefined) kept.push(file);
      else linked.push({ file, real });
    }
    return { kept, linked };
  };
  if (selection.include) {
    // Checked one by one so the message names the pattern that matches nothing.
    for (const [i, pattern] of include.entries()) {
      const { kept, linked } = await direct(await glob(pattern, { ...options, ignore }));
      if (kept.length === 0 && linked.length > 0) {
        throw new UsageError(
          `${selection.locateInclude(i)}: include[${i}]: "${pattern}" matches only files behind a symbolic link ("${linked[0]!.file}" is ${linked[0]!.real}), which builds do not follow: copy the files into the project`,
        );
      }
      if (kept.length === 0) {
        throw new UsageError(
          `${selection.locateInclude(i)}: include[${i}]: "${pattern}" matches no file in ${context}: fix the pattern or remove it`,
        );
      }
    }
  }
  const ignored = await readBentoignore(context);
  const { kept } = await direct(await glob(include, { ...options, ignore: [...ignore, ...exclude] }));
  return kept.filter((f) => !ignored(f)).sort();
}
