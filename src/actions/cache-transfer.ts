/**
 * Moving models and bentos between jobs through the GitHub Actions cache: job A exports an entry to
 * an archive and saves it under a key made of the tag and content digest; job B restores that key
 * (or, for `name` alone, the newest entry of that name through a restore-key prefix), imports the
 * archive, and checks the digest, so B gets exactly what A built. A miss is an error naming the key:
 * a job that expected an artifact must not quietly rebuild a different one.
 *
 * The archive lives at a fixed path relative to the workspace: @actions/cache mixes the path into the
 * entry's "version", so save and restore must name the same path, whatever tag is moved.
 */
import { mkdir, rm, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import * as cache from '@actions/cache';
import { exportEntry } from '../core/archive/export.js';
import { importArchive } from '../core/archive/import.js';
import { BentoError, IntegrityError } from '../core/errors.js';
import type { EntryInfo, EntryStore, StoredEntry } from '../core/store.js';
import { formatTag, LATEST } from '../core/tag.js';
import type { EntryRef } from './input-fields.js';
import type { Transfer } from './report.js';

const TRANSFER_DIR = '.bentoci-transfer';
const DIGEST_CHARS = 12;

export type TransferKind = 'model' | 'bento';

/** `bentoci-model-iris:<version>@<digest12>`: ':' and '@' cannot occur in names or versions, so a
 * prefix of one name never matches another (`iris` vs `iris-v2`). */
export function cacheKeyOf(
  kind: TransferKind,
  tag: { name: string; version: string },
  digest: string,
): string {
  return `${cachePrefixOf(kind, tag.name, tag.version)}${digest.replace(/^sha256:/, '').slice(0, DIGEST_CHARS)}`;
}

/** The key prefix for a name (`...iris:`) or, with a version, one version (`...iris:<version>@`). */
export function cachePrefixOf(kind: TransferKind, name: string, version?: string): string {
  return version === undefined || version === LATEST
    ? `bentoci-${kind}-${name}:`
    : `bentoci-${kind}-${name}:${version}@`;
}

/** The primary key and restore keys to look up for a reference. */
export function lookupKeysOf(kind: TransferKind, ref: EntryRef): { key: string; restoreKeys: string[] } {
  if (ref.explicitVersion && ref.digest)
    return { key: cacheKeyOf(kind, ref.tag, ref.digest), restoreKeys: [] };
  const prefix = cachePrefixOf(kind, ref.tag.name, ref.explicitVersion ? ref.tag.version : undefined);
  return { key: prefix, restoreKeys: [prefix] };
}

export interface TransferContext {
  /** The job's workspace; @actions/cache archives paths relative to it. */
  workspace: string;
  log?: (line: string) => void;
}

/** The archive's path as @actions/cache sees it (relative, `/`-separated) and on disk. */
function archivePaths(context: TransferContext, kind: TransferKind): { pattern: string; file: string } {
  // @actions/cache globs relative patterns from the process's directory and tars them relative to
  // GITHUB_WORKSPACE; the runner starts actions in the workspace, and this keeps the two the same.
  if (process.cwd() !== context.workspace) process.chdir(context.workspace);
  const file = join(context.workspace, TRANSFER_DIR, `${kind}${kind === 'model' ? '.bentomodel' : '.bento'}`);
  return { pattern: relative(context.workspace, file).split(sep).join('/'), file };
}

export function assertCacheAvailable(): void {
  if (!cache.isFeatureAvailable()) {
    throw new BentoError(
      'the Actions cache service is not reachable from this step (ACTIONS_RESULTS_URL / ACTIONS_CACHE_URL is not set): ' +
        'the runner gives its URL and ACTIONS_RUNTIME_TOKEN only to JavaScript actions, so use export-to/import-from: cache ' +
        'on a bentoci action, not in a `run:` step',
    );
  }
}

export async function exportToCache<I extends EntryInfo>(
  store: EntryStore<I>,
  entry: StoredEntry<I>,
  kind: TransferKind,
  context: TransferContext,
): Promise<Transfer> {
  assertCacheAvailable();
  const key = cacheKeyOf(kind, entry.tag, entry.info.digest);
  const ref = formatTag(entry.tag);
  const { pattern, file } = archivePaths(context, kind);
  await mkdir(join(context.workspace, TRANSFER_DIR), { recursive: true });
  try {
    // A plain tar: the cache compresses the whole upload itself (zstd or gzip), once.
    await exportEntry(store, ref, file, { format: 'tar', ...(context.log ? { log: context.log } : {}) });
    const size = (await stat(file)).size;
    const id = await cache.saveCache([pattern], key);
    if (id !== -1) return { direction: 'export', kind, ref, key, outcome: 'saved', size };
    // -1 is every failure the library swallowed; the one that is fine is "this key already exists",
    // which with a content-addressed key means the same content is already cached.
    const existing = await cache.restoreCache([pattern], key, [], { lookupOnly: true });
    if (existing === key) return { direction: 'export', kind, ref, key, outcome: 'already cached', size };
    throw new BentoError(
      `could not save ${kind} ${ref} to the Actions cache under key ${key} (see the warning above; a read-only cache token, e.g. on a pull request from a fork, cannot save)`,
    );
  } finally {
    await rm(join(context.workspace, TRANSFER_DIR), { recursive: true, force: true });
  }
}

export async function importFromCache<I extends EntryInfo>(
  store: EntryStore<I>,
  kind: TransferKind,
  ref: EntryRef,
  context: TransferContext,
): Promise<{ transfer: Transfer; entry: StoredEntry<I> }> {
  const wanted = ref.explicitVersion ? formatTag(ref.tag) : ref.tag.name;
  // Already here with the asked-for content (a re-run, or a self-hosted runner's warm store).
  if (ref.explicitVersion && ref.digest) {
    const present = await store.find(ref.tag);
    if (present && present.info.digest === ref.digest) {
      await store.assertIntact(present);
      const key = cacheKeyOf(kind, present.tag, present.info.digest);
      return {
        transfer: { direction: 'import', kind, ref: wanted, key, outcome: 'already in store' },
        entry: present,
      };
    }
  }
  assertCacheAvailable();
  const { key, restoreKeys } = lookupKeysOf(kind, ref);
  const { pattern, file } = archivePaths(context, kind);
  try {
    const matched = await cache.restoreCache([pattern], key, restoreKeys);
    if (!matched) {
      const tried = restoreKeys.length > 0 ? `key prefix ${restoreKeys[0]}` : `key ${key}`;
      throw new BentoError(
        `${kind} ${wanted}${ref.digest ? `@${ref.digest}` : ''} is not in the Actions cache (${tried}); export it in an earlier job with \`export-to: cache\` and make this job \`needs:\` that one (warnings above, if any, say why a lookup failed)`,
      );
    }
    const size = (await stat(file)).size;
    const imported = await importArchive(store, file, context.log ? { log: context.log } : {});
    const entry = imported.entry;
    try {
      checkImported(kind, ref, matched, entry);
      await store.assertIntact(entry);
    } catch (err) {
      // Nothing that failed its check stays in the store for a later step to pick up as `latest`.
      if (imported.outcome !== 'already-present')
        await store.delete(formatTag(entry.tag)).catch(() => undefined);
      throw err;
    }
    return {
      transfer: {
        direction: 'import',
        kind,
        ref: formatTag(entry.tag),
        key: matched,
        outcome: imported.outcome === 'already-present' ? 'restored (already in store)' : 'restored',
        size,
      },
      entry,
    };
  } finally {
    await rm(join(context.workspace, TRANSFER_DIR), { recursive: true, force: true });
  }
}

/** The entry that arrived must be the one the key and the request name, digest included. */
function checkImported<I extends EntryInfo>(
  kind: TransferKind,
  ref: EntryRef,
  matchedKey: string,
  entry: StoredEntry<I>,
): void {
  const got = `${formatTag(entry.tag)} (${entry.info.digest})`;
  if (cacheKeyOf(kind, entry.tag, entry.info.digest) !== matchedKey) {
    throw new IntegrityError(
      `the Actions cache entry ${matchedKey} holds ${kind} ${got}, which does not match its key`,
    );
  }
  if (entry.tag.name !== ref.tag.name || (ref.explicitVersion && entry.tag.version !== ref.tag.version)) {
    throw new IntegrityError(
      `the Actions cache entry ${matchedKey} holds ${kind} ${got}, not ${formatTag(ref.tag)}`,
    );
  }
  if (ref.digest && entry.info.digest !== ref.digest) {
    throw new IntegrityError(
      `${kind} ${got} from the Actions cache does not have the expected digest ${ref.digest}`,
    );
  }
}
