/**
 * Building: bentofile.yaml -> a versioned bento in the store. Everything is checked before
 * anything is written (plan.ts); the bento is staged and committed atomically, and a rebuild of
 * unchanged inputs returns the bento already stored.
 */
import { join } from 'node:path';
import YAML from 'yaml';
import { renderBentoDockerfile, STORED_DOCKERFILE } from '../containerize/bento-files.js';
import { type BentoStore, LOCK_FILE, openBentoStore, type StoredBento } from '../core/bento-store.js';
import { isLegacyDigest } from '../core/digest.js';
import { OptionError, UsageError } from '../core/errors.js';
import { manifestDigest, removeQuietly, writeFileAtomic } from '../core/files.js';
import { newVersion, type Tag } from '../core/tag.js';
import { option, say } from '../core/user-text.js';
import type { BentoInfo, FileEntry } from '../shared/schemas.js';
import { BENTOCI_VERSION } from '../version.js';
import { displayPath } from './bentofile.js';
import { openApiDocument } from './openapi.js';
import { type BuildPlan, type PlanOptions, planBuild, sortKeys } from './plan.js';
import { derivedVersion } from './reproducible.js';
import { StagedBento } from './stage.js';

/** The copy of what bento.yaml says the runtime and containerize must do; verify checks they agree. */
export { LOCK_FILE };
export const OPENAPI_FILE = 'apis/openapi.yaml';

export interface BuildOptions extends PlanOptions {
  /** The store home (models are read from it, the bento is written to it). */
  home: string;
  /** The bentofile; default `<context>/bentofile.yaml`. */
  bentofile?: string | undefined;
  /** The build context; default the bentofile's directory. */
  context?: string | undefined;
  version?: string | undefined;
  /** Labels on top of the bentofile's. */
  labels?: Record<string, string> | undefined;
  /** SOURCE_DATE_EPOCH, for reproducible builds. */
  sourceDateEpoch?: string | undefined;
  /** Progress lines (stderr in the CLI). */
  log?: (line: string) => void;
}

export interface BuildResult {
  bento: StoredBento;
  /** True when an identical bento was already stored and is returned instead of a new version. */
  reused: boolean;
}

export async function buildBento(options: BuildOptions): Promise<BuildResult> {
  const plan = await planBuild(options);
  const { name, labels, description, createdAt } = plan;
  const store = openBentoStore(options.home);
  const staged = new StagedBento(await store.stage());
  try {
    await fill(staged, plan);
    const { digest } = await staged.manifest(store.isContent);
    const existing = await findSame(store, name, digest, labels, description, plan.version);
    if (existing) {
      await removeQuietly(staged.dir);
      await writeFileAtomic(join(store.root, name, 'latest'), `${existing.tag.version}\n`);
      return { bento: existing, reused: true };
    }
    const identity = JSON.stringify({ digest, labels, description: description ?? null });
    const version = plan.version ?? (createdAt ? derivedVersion(createdAt, identity) : newVersion());
    const tag: Tag = { name, version };
    const info = (content: { files: FileEntry[]; digest: string; size: number }): BentoInfo => ({
      name,
      version,
      api_version: 'v1',
      ...(description !== undefined ? { description } : {}),
      labels,
      creation_time: (createdAt ?? new Date()).toISOString(),
      bentoci_version: BENTOCI_VERSION,
      ...plan.spec,
      ...content,
    });
    try {
      return { bento: await store.commit(staged.dir, tag, info), reused: false };
    } catch (err) {
      // A concurrent build of the same inputs (same derived version) got there first: that is ours.
      const winner = err instanceof UsageError ? await store.find(tag) : undefined;
      if (winner && sameBento(winner, digest, labels, description)) return { bento: winner, reused: true };
      throw err;
    }
  } catch (err) {
    await removeQuietly(staged.dir);
    throw err;
  }
}

/** Writes the bento's files: sources, the service bundle, models, env files, OpenAPI, lock file. */
async function fill(staged: StagedBento, plan: BuildPlan): Promise<void> {
  for (const rel of plan.sources) await staged.copyIn(join(plan.context, rel), `src/${rel}`);
  if (plan.compiled) await staged.writeText(`src/${plan.compiled.file}`, plan.compiled.code);
  for (const { model, ref } of plan.models) await staged.addModel(model, ref.path);
  for (const file of plan.envFiles) await staged.copyIn(file.source, file.target);
  const openapi = openApiDocument({
    title: plan.spec.service.name,
    description: plan.description,
    apis: plan.spec.service.apis,
    batchDims: plan.batchDims,
    ...(plan.compiled ? { preHooks: plan.compiled.preHooks, postHooks: plan.compiled.postHooks } : {}),
  });
  const yaml = (value: unknown) => YAML.stringify(value, { aliasDuplicateObjects: false, lineWidth: 0 });
  await staged.writeText(OPENAPI_FILE, yaml(openapi));
  await staged.writeText(LOCK_FILE, yaml(plan.spec));
  // The bento keeps the Dockerfile its image is built from, so what was built can always be read; it
  // does not depend on the version, so unchanged rebuilds keep their digest.
  // The one place a bento's template is rendered: here, from the project's own file, never at
  // containerize (and by an engine that can only produce text).
  const template = plan.envFiles.find((f) => f.target === plan.spec.docker.dockerfile_template);
  const dockerfile = await renderBentoDockerfile(
    staged.dir,
    {
      name: plan.name,
      description: plan.description,
      models: plan.spec.models,
      docker: plan.spec.docker,
      envs: plan.spec.envs,
      node: plan.spec.node,
    },
    template ? displayPath(template.source) : undefined,
  );
  await staged.writeText(STORED_DOCKERFILE, dockerfile);
}
/** A stored bento of this name with the same content and metadata, if any. */
async function findSame(
  store: BentoStore,
  name: string,
  digest: string,
  labels: Record<string, string>,
  description: string | undefined,
  version: string | undefined,
): Promise<StoredBento | undefined> {
  const same = (b: StoredBento) => sameBento(b, digest, labels, description);
  if (version) {
    const stored = await store.find({ name, version });
    if (!stored) return undefined;
    if (same(stored)) return stored;
    const what = manifestDigest(stored.info.files) === digest ? 'labels or description' : 'content';
    throw new OptionError(
      'version',
      say`bento ${name}:${version} already exists with other ${what}: saved tags are immutable; pick another ${option('version')}`,
    );
  }
  return (await store.list({ name })).filter(same).at(-1);
}

function sameBento(
  bento: StoredBento,
  digest: string,
  labels: Record<string, string>,
  description: string | undefined,
): boolean {
  // `digest` is the staged files' (the stored digest covers bento.yaml as well, creation time and all);
  // a bento stored with bentoci 0.1's files-only digest is never reused: it would be refused.
  return (
    manifestDigest(bento.info.files) === digest &&
    !isLegacyDigest(bento.info) &&
    bento.info.description === description &&
    JSON.stringify(sortKeys(bento.info.labels)) === JSON.stringify(labels)
  );
}
