import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import YAML from 'yaml';
import type { z } from 'zod';
import {
  type BentoInfo,
  type BentoModelRef,
  bentoInfoSchema,
  type FileEntry,
  modelInfoSchema,
} from '../shared/schemas.js';
import { canonicalJson, entryDigest } from './digest.js';
import { type PathRule, pathRuleProblem, pathRuleProblems } from './entry-paths.js';
import { modelKind } from './model-store.js';
import { type EntryKind, EntryStore, type Problem, type StoredEntry } from './store.js';

const INFO_FILE = 'bento.yaml';
/** The copy of what bento.yaml says the runtime and containerize must do, written by build. */
export const LOCK_FILE = 'bentofile.lock.yaml';
/** The keys of bento.yaml a lock file always carries. */
const LOCKED_KEYS = ['service', 'models', 'envs', 'node', 'docker'];

export const bentoKind: EntryKind<BentoInfo> = {
  folder: 'bentos',
  noun: 'bento',
  infoFile: INFO_FILE,
  schema: bentoInfoSchema,
  checkInfo: checkBento,
};

export type BentoStore = EntryStore<BentoInfo>;
export type StoredBento = StoredEntry<BentoInfo>;

export function openBentoStore(home: string): BentoStore {
  return new EntryStore(home, bentoKind);
}

/**
 * What bento.yaml makes a consumer read must be the bento's own content: the service module, the
 * environment files containerize copies, warm-up samples and each bundled model (whose model.yaml
 * must be the one pinned, with its entrypoint among its files); and bentofile.lock.yaml, when there,
 * must say what bento.yaml says.
 */
async function checkBento(
  dir: string,
  info: BentoInfo,
  files: ReadonlyMap<string, FileEntry>,
): Promise<Problem[]> {
  const rules: PathRule[] = [];
  if (info.service.module !== undefined) {
    const file = `src/${moduleFile(info.service.module)}`;
    rules.push({ what: 'service.module', path: file, mustHold: file });
  }
  const option = (what: string, path: string | undefined) => {
    if (path !== undefined) rules.push({ what, path, dotSlash: true });
  };
  option('node.lockfile', info.node.lockfile);
  option('docker.setup_script', info.docker.setup_script);
  option('docker.dockerfile_template', info.docker.dockerfile_template);
  info.service.apis.forEach((api, i) => {
    const warmup = (api as { warmup?: { file?: unknown } }).warmup;
    if (typeof warmup?.file === 'string') option(`service.apis[${i}].warmup.file`, warmup.file);
  });
  const problems = pathRuleProblems(INFO_FILE, rules, files);
  for (const [i, ref] of info.models.entries()) {
    const confined = pathRuleProblem(
      INFO_FILE,
      { what: `models[${i}].path`, path: ref.path, mustHold: `${ref.path}/${modelKind.infoFile}` },
      files,
    );
    if (confined) problems.push(confined);
    else problems.push(...(await checkBundledModel(dir, ref, files)));
  }
  problems.push(...(await checkLock(dir, info, files)));
  return problems;
}

/** `file.js:export` -> `file.js`, as the runtime splits a service module spec. */
function moduleFile(spec: string): string {
  const colon = spec.lastIndexOf(':');
  return colon > 0 ? spec.slice(0, colon) : spec;
}

/** A bundled model is the one bento.yaml pins (tag and digest), whole, with a confined entrypoint. */
async function checkBundledModel(
  dir: string,
  ref: BentoModelRef,
  files: ReadonlyMap<string, FileEntry>,
): Promise<Problem[]> {
  const where = `${ref.path}/${modelKind.infoFile}`;
  const inconsistent = (detail: string): Problem[] => [{ path: where, problem: 'inconsistent', detail }];
  let raw: unknown;
  try {
    raw = YAML.parse(await readFile(join(dir, where), 'utf8'));
  } catch (err) {
    return inconsistent(`cannot be read (${(err as Error).message.split('\n')[0]})`);
  }
  const parsed = modelInfoSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return inconsistent(`is not a valid model.yaml: ${issue?.path.join('.')}: ${issue?.message}`);
  }
  const model = parsed.data;
  const tag = `${model.name}:${model.version}`;
  if (tag !== ref.tag) return inconsistent(`holds model ${tag}, but bento.yaml lists ${ref.tag} there`);
  if (model.digest !== ref.digest)
    return inconsistent(`records digest ${model.digest}, but bento.yaml pins ${ref.digest}`);
  const computed = entryDigest(modelKind.infoFile, model);
  if (computed !== model.digest)
    return inconsistent(`and the model's files digest to ${computed}, not the ${model.digest} it records`);
  const own = new Map<string, FileEntry>();
  for (const file of model.files) {
    const held = files.get(`${ref.path}/${file.path}`);
    if (!held || held.sha256 !== file.sha256 || held.size !== file.size)
      return inconsistent(`lists ${file.path}, which the bento does not hold as recorded`);
    own.set(file.path, file);
  }
  const ownProblems = (await modelKind.checkInfo?.(join(dir, ref.path), model, own)) ?? [];
  return ownProblems.map((p) => ({ ...p, path: where }));
}

/** bentofile.lock.yaml, when the bento has one, carries the same values as bento.yaml. */
async function checkLock(
  dir: string,
  info: BentoInfo,
  files: ReadonlyMap<string, FileEntry>,
): Promise<Problem[]> {
  if (!files.has(LOCK_FILE)) return [];
  const disagree = (detail: string): Problem[] => [{ path: LOCK_FILE, problem: 'inconsistent', detail }];
  let lock: unknown;
  try {
    lock = YAML.parse(await readFile(join(dir, LOCK_FILE), 'utf8'));
  } catch (err) {
    return disagree(`cannot be read (${(err as Error).message.split('\n')[0]})`);
  }
  if (!lock || typeof lock !== 'object' || Array.isArray(lock)) return disagree('is not a mapping');
  const locked = lock as Record<string, unknown>;
  const shape = bentoInfoSchema.shape as unknown as Record<string, z.ZodTypeAny>;
  for (const key of new Set([...LOCKED_KEYS, ...Object.keys(locked)])) {
    const schema = shape[key];
    if (!schema) return disagree(`holds "${key}", which is not a bento.yaml key`);
    const value = schema.safeParse(locked[key]);
    const ours = (info as unknown as Record<string, unknown>)[key];
    if (!value.success || canonicalJson(value.data) !== canonicalJson(ours))
      return disagree(`says other than bento.yaml at "${key}": the bento was altered after it was built`);
  }
  return [];
}
