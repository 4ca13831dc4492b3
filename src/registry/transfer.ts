import { join } from 'node:path';
import type { RepositoryOptions } from '../oci/client.js';

/** What every push and pull takes besides its subject. */
export interface TransferOptions extends RepositoryOptions {
  /** $BENTOCI_HOME: stores, partial downloads, blob-location hints, config.yaml. */
  home: string;
  /** Blobs moved at once. */
  parallel?: number;
  /** Progress and summary lines (stderr in the CLI). */
  log?: (line: string) => void;
  /** Upload tuning: blobs up to `monolithicMax` go in one PUT, larger ones in `chunkSize` PATCHes. */
  monolithicMax?: number;
  chunkSize?: number;
}

/** Four streams keep a link busy without starving the registry or this machine's two cores. */
export const DEFAULT_PARALLEL = 4;

export function ociDir(home: string): string {
  return join(home, '.oci');
}

export function uniqueBy<T>(items: readonly T[], key: (item: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const k = key(item);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
