/**
 * An archive of an entry the store already holds under the same tag and digest is not written
 * again, but it is still read to the end and checked (issue #16): "already present" must not vouch
 * for an archive that was altered. Every member has matched its sha256 in the manifest by then; this
 * ties the manifest and the archive's info file to the stored entry, without relying on how the
 * digest is defined: the same content files, and an info file that says exactly what the stored one says.
 */
import { isDeepStrictEqual } from 'node:util';
import YAML from 'yaml';
import type { FileEntry } from '../../shared/schemas.js';
import { IntegrityError } from '../errors.js';
import type { EntryInfo, EntryStore, StoredEntry } from '../store.js';
import { formatTag } from '../tag.js';
import { type ArchiveManifest, memberName } from './format.js';

export function checkPresentCopy<I extends EntryInfo>(
  store: EntryStore<I>,
  entry: StoredEntry<I>,
  manifest: ArchiveManifest,
  infoBytes: Buffer,
  label: string,
): void {
  const what = `${store.kind.noun} ${formatTag(entry.tag)}`;
  const infoName = memberName(store.kind.infoFile);
  const content = manifest.files.filter((f) => store.isContent(f.path));
  if (!sameFiles(content, entry.info.files)) {
    throw new IntegrityError(
      `archive "${label}": its files differ from those of ${what}, already stored under the same digest; the archive was altered`,
    );
  }
  let parsed: I | undefined;
  try {
    const result = store.kind.schema.safeParse(YAML.parse(infoBytes.toString('utf8')));
    if (result.success) parsed = result.data;
  } catch {
    parsed = undefined;
  }
  // Through JSON so an absent key and one holding `undefined` compare alike.
  if (!parsed || !isDeepStrictEqual(plain(parsed), plain(entry.info))) {
    throw new IntegrityError(
      `archive "${label}": ${infoName} differs from the ${store.kind.infoFile} of ${what}, already stored under the same digest; the archive was altered`,
    );
  }
}

function plain(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value));
}

/** The same paths with the same sha256 and size, in any order. */
export function sameFiles(a: readonly FileEntry[], b: readonly FileEntry[]): boolean {
  if (a.length !== b.length) return false;
  const byPath = new Map(b.map((f) => [f.path, f]));
  return a.every((f) => {
    const other = byPath.get(f.path);
    return other !== undefined && other.sha256 === f.sha256 && other.size === f.size;
  });
}
