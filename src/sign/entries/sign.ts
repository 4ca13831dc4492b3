/**
 * Signing a store entry (model or bento): an in-toto statement over its files and info file, in a
 * DSSE envelope stored beside the entry.
 */
import type { EntryInfo, EntryStore, StoredEntry } from '../../core/store.js';
import type { DsseEnvelope } from '../formats/dsse.js';
import { type EntryStatement, IN_TOTO_PAYLOAD_TYPE } from '../formats/in-toto.js';
import { signEnvelope } from '../keys/envelope.js';
import type { Signer } from '../keys/signer.js';
import { writeEntryEnvelope } from './envelopes.js';
import { entryStatement } from './statement.js';

/** Signs an intact entry as it is on disk; a damaged entry is refused rather than blessed. */
export async function signEntry<I extends EntryInfo>(
  store: EntryStore<I>,
  entry: StoredEntry<I>,
  signer: Signer,
  now: Date = new Date(),
): Promise<{ path: string; keyid: string; statement: EntryStatement; envelope: DsseEnvelope }> {
  await store.assertIntact(entry);
  const statement = await entryStatement(store, entry, now);
  const envelope = await signEnvelope(IN_TOTO_PAYLOAD_TYPE, Buffer.from(JSON.stringify(statement)), signer);
  const path = await writeEntryEnvelope(entry.dir, envelope);
  return { path, keyid: signer.keyid, statement, envelope };
}
