/**
 * What `bentoci sign` and `bentoci verify` are pointed at, shared by both: the target flags, and a
 * store tag resolved to the bento or model it names.
 */
import type { Command } from 'commander';
import { openBentoStore } from '../core/bento-store.js';
import { UsageError } from '../core/errors.js';
import { bentociHome } from '../core/home.js';
import { openModelStore } from '../core/model-store.js';
import type { EntryInfo, EntryStore, StoredEntry } from '../core/store.js';
import type { RegistryFlags } from '../sign/oci-registry.js';

type Kind = 'model' | 'bento';

export interface TargetFlags extends RegistryFlags {
  kind?: string;
  json?: boolean;
}

export const TARGET_HELP = 'name[:version] in the store, or oci://host/repo:tag, host:port/repo@sha256:...';

export function withTargetFlags(command: Command): Command {
  return command
    .option('--kind <kind>', 'model or bento, when a tag names both')
    .option('--insecure', 'images: plain HTTP to the registry')
    .option('--ca-file <pem>', 'images: extra CA certificates for the registry')
    .option('--json', 'print the result as JSON');
}

/** A store tag: the bento or the model of that name (`--kind` settles a name used by both). */
export async function findEntry(
  tag: string,
  kind: string | undefined,
): Promise<{ store: EntryStore<EntryInfo>; entry: StoredEntry<EntryInfo> }> {
  if (kind !== undefined && kind !== 'model' && kind !== 'bento') {
    throw new UsageError(`invalid --kind "${kind}": expected model or bento`);
  }
  const home = bentociHome();
  const stores: Record<Kind, EntryStore<EntryInfo>> = {
    bento: openBentoStore(home),
    model: openModelStore(home),
  };
  if (kind) return { store: stores[kind as Kind], entry: await stores[kind as Kind].get(tag) };
  const found = [];
  for (const k of ['bento', 'model'] as const) {
    const entry = await stores[k].find(tag);
    if (entry) found.push({ store: stores[k], entry });
  }
  if (found.length === 0) {
    throw new UsageError(
      `"${tag}" is neither a bento nor a model in the store (${home}); list them with \`bentoci list\` and \`bentoci models list\``,
    );
  }
  if (found.length > 1)
    throw new UsageError(`"${tag}" names both a bento and a model; pass --kind bento or --kind model`);
  return found[0]!;
}
