/**
 * Paths an entry's metadata names (a model's entrypoint, a bento's bundled models, service module,
 * environment files): each must be a plain relative path that stays inside the entry, off its info
 * file and out of .signatures/, so that what a consumer reads through the metadata is always a
 * content file the digest covers. Every file in an entry but those two is a content file (verify
 * flags any other as unexpected), so a confined path cannot reach anything the digest misses.
 */
import type { FileEntry } from '../shared/schemas.js';
import { pathProblem } from './archive/safety.js';
import type { Problem } from './store.js';

const SIGNATURES = '.signatures';

export interface PathRule {
  /** Where the metadata names it, for messages: "entrypoint", "models[0].path". */
  what: string;
  path: string;
  /** The content file that must exist for it: the path itself, or e.g. `<dir>/model.yaml`. */
  mustHold?: string;
  /** A leading `./` is accepted (and ignored), as containerize reads these options. */
  dotSlash?: boolean;
}

/** The problem with one path the metadata names, or undefined when it is confined (see above). */
export function pathRuleProblem(
  infoFile: string,
  rule: PathRule,
  files: ReadonlyMap<string, FileEntry>,
): Problem | undefined {
  const path = rule.dotSlash ? rule.path.replace(/^(\.\/)+/, '') : rule.path;
  const unsafe = (why: string): Problem => ({
    path: infoFile,
    problem: 'unsafe-path',
    detail: `${rule.what} "${rule.path}" ${why}`,
  });
  const problem = pathProblem(path);
  if (problem) return unsafe(problem);
  if (path === SIGNATURES || path.startsWith(`${SIGNATURES}/`))
    return unsafe(`points into ${SIGNATURES}/, which the digest does not cover`);
  if (path === infoFile) return unsafe('names the info file, not a content file');
  if (rule.mustHold !== undefined && !files.has(rule.mustHold))
    return unsafe(`names no content file of the entry (${rule.mustHold} is not one)`);
  return undefined;
}

/** The problems of several rules, in order. */
export function pathRuleProblems(
  infoFile: string,
  rules: readonly PathRule[],
  files: ReadonlyMap<string, FileEntry>,
): Problem[] {
  return rules.map((r) => pathRuleProblem(infoFile, r, files)).filter((p): p is Problem => p !== undefined);
}
