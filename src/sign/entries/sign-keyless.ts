/**
 * Keyless signing of a store entry (model or bento): the same in-toto statement the key-based path
 * signs, in a DSSE envelope packed as a Sigstore bundle (v0.3) and stored beside the entry.
 */
import type { EntryInfo, EntryStore, StoredEntry } from '../../core/store.js';
import type { EntryStatement } from '../formats/in-toto.js';
import type { SigstoreBundleJson } from '../formats/sigstore-bundle.js';
import { type KeylessSignOptions, signStatement } from '../keyless/sign.js';
import { writeEntryBundle } from './bundles.js';
import { entryStatement } from './statement.js';

export interface KeylessSigned {
  path: string;
  statement: EntryStatement;
  bundle: SigstoreBundleJson;
  /** Whether the bundle carries a transparency-log entry. */
  logged: boolean;
}

/** Signs an intact entry as it is on disk; a damaged entry is refused rather than blessed. */
export async function signEntryKeyless<I extends EntryInfo>(
  store: EntryStore<I>,
  entry: StoredEntry<I>,
  options: KeylessSignOptions,
  now: Date = new Date(),
): Promise<KeylessSigned> {
  await store.assertIntact(entry);
  const statement = await entryStatement(store, entry, now);
  const bundle = await signStatement(Buffer.from(JSON.stringify(statement)), options);
  const path = await writeEntryBundle(entry.dir, bundle);
  const logged = Array.isArray(bundle.verificationMaterial['tlogEntries'])
    ? bundle.verificationMaterial['tlogEntries'].length > 0
    : false;
  return { path, statement, bundle, logged };
}
