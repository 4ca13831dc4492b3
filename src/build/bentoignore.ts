/**
 * `.bentoignore`: gitignore-style patterns, one a line, rooted at the build context (as BentoML reads
 * it): `#` comments, `!` re-includes, a trailing `/` matches directories only, a leading or inner `/`
 * anchors the pattern at the context, and a pattern without `/` matches at any depth.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import picomatch from 'picomatch';

export const BENTOIGNORE = '.bentoignore';

interface Rule {
  negate: boolean;
  matches: (path: string) => boolean;
}

export type IgnoreMatcher = (path: string) => boolean;

export function parseBentoignore(text: string): IgnoreMatcher {
  const rules: Rule[] = [];
  for (const raw of text.split(/\r?\n/)) {
    let line = raw.replace(/(?<!\\)\s+$/, '');
    if (!line || line.startsWith('#')) continue;
    const negate = line.startsWith('!');
    if (negate) line = line.slice(1);
    line = line.replace(/^\\([#!])/, '$1');
    const directoryOnly = line.endsWith('/');
    if (directoryOnly) line = line.replace(/\/+$/, '');
    const anchored = line.includes('/');
    line = line.replace(/^\//, '');
    if (!line) continue;
    const base = anchored ? line : `**/${line}`;
    // Only files are matched, so a directory pattern matches what lies below it (`build/` ignores
    // build/a/b but not a file named build); `/**/*` because picomatch lets `x/**` match `x` itself.
    const patterns = directoryOnly ? [`${base}/**/*`] : [base, `${base}/**/*`];
    const matches = picomatch(patterns, { dot: true });
    rules.push({ negate, matches });
  }
  return (path) => {
    let ignored = false;
    for (const rule of rules) if (rule.matches(path)) ignored = !rule.negate;
    return ignored;
  };
}

/** The matcher of `<context>/.bentoignore`, or one that ignores nothing when there is no such file. */
export async function readBentoignore(context: string): Promise<IgnoreMatcher> {
  const text = await readFile(join(context, BENTOIGNORE), 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return '';
    throw err;
  });
  return parseBentoignore(text);
}
