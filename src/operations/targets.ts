/**
 * What sign and verify are pointed at: a model or bento in the store (`name[:version]`), resolved to
 * the entry it names, or an image or artifact in a registry (`oci://host/repo:tag`,
 * `host:port/repo@sha256:...`).
 */
import { openBentoStore } from '../core/bento-store.js';
import { OptionError, UsageError } from '../core/errors.js';
import { bentociHome } from '../core/home.js';
import { openModelStore } from '../core/model-store.js';
import type { EntryInfo, EntryStore, StoredEntry } from '../core/store.js';
import { operation, option, say } from '../core/user-text.js';
import { type ImageRef, parseSignTarget } from '../sign/index.js';

export type EntryKind = 'model' | 'bento';

export interface FoundEntry {
  store: EntryStore<EntryInfo>;
  entry: StoredEntry<EntryInfo>;
}

export type ResolvedTarget = ({ type: 'entry' } & FoundEntry) | { type: 'image'; ref: ImageRef };

/** `kind` as given: model or bento, or undefined to look in both stores. */
export function parseEntryKind(kind: string | undefined): EntryKind | undefined {
  if (kind === undefined || kind === 'model' || kind === 'bento') return kind;
  throw new OptionError('kind', say`invalid ${option('kind')} "${kind}": expected model or bento`);
}

/** A store tag: the bento or the model of that name (`kind` settles a name used by both). */
export async function findEntry(
  tag: string,
  kind: string | undefined,
  home: string = bentociHome(),
): Promise<FoundEntry> {
  const only = parseEntryKind(kind);
  const stores: Record<EntryKind, EntryStore<EntryInfo>> = {
    bento: openBentoStore(home),
    model: openModelStore(home),
  };
  if (only) return { store: stores[only], entry: await stores[only].get(tag) };
  const found: FoundEntry[] = [];
  for (const k of ['bento', 'model'] as const) {
    const entry = await stores[k].find(tag);
    if (entry) found.push({ store: stores[k], entry });
  }
  if (found.length === 0)
    throw new UsageError(
      say`"${tag}" is neither a bento nor a model in the store (${home}); list them with ${operation('list-bentos')} and ${operation('list-models')}`,
    );
  if (found.length > 1)
    throw new OptionError(
      'kind',
      say`"${tag}" names both a bento and a model; pass ${option('kind', 'bento')} or ${option('kind', 'model')}`,
    );
  return found[0]!;
}

/** A sign or verify target, a store tag looked up now (so a missing entry fails before any network work). */
export async function resolveTarget(text: string, kind: string | undefined): Promise<ResolvedTarget> {
  const target = parseSignTarget(text);
  if (target.type === 'image') return target;
  return { type: 'entry', ...(await findEntry(target.tag, kind)) };
}
