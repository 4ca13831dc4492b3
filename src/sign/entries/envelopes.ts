/**
 * Where entry signatures live: DSSE envelopes in the entry's `.signatures/` directory, which the store
 * keeps out of the content manifest, so they travel with the entry through export archives and can
 * be attached to a pushed artifact as they are.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { writeFileAtomic } from '../../core/files.js';
import { SIGNATURES_DIR } from '../../core/store.js';
import { SHA256_HEX } from '../../shared/schemas.js';
import { type DsseEnvelope, dsseEnvelopeSchema } from '../formats/dsse.js';
import { readSignatureFiles } from './signature-files.js';

export const ENVELOPE_SUFFIX = '.dsse.json';

export interface StoredEnvelope {
  /** File name inside `.signatures/`. */
  file: string;
  envelope: DsseEnvelope;
}

/** The DSSE envelopes stored beside an entry; files that are not valid envelopes are named in `malformed`. */
export async function readEntryEnvelopes(
  dir: string,
): Promise<{ envelopes: StoredEnvelope[]; malformed: string[] }> {
  const { files, malformed } = await readSignatureFiles(dir, ENVELOPE_SUFFIX, dsseEnvelopeSchema);
  return { envelopes: files.map(({ file, value }) => ({ file, envelope: value })), malformed };
}

/**
 * Stores an envelope beside an entry. Our own signatures are named by key id (one per key: signing
 * again with the same key replaces it). Envelopes from elsewhere (a pull) are named by their content
 * digest: their key id is unverified, so it must neither become a path nor replace a local signature.
 */
export async function writeEntryEnvelope(
  dir: string,
  envelope: DsseEnvelope,
  options: { nameBy: 'keyid' | 'content' } = { nameBy: 'keyid' },
): Promise<string> {
  const text = `${JSON.stringify(envelope, null, 2)}\n`;
  const keyid = envelope.signatures[0]?.keyid ?? '';
  const stem =
    options.nameBy === 'keyid' && SHA256_HEX.test(keyid)
      ? keyid
      : `sha256-${createHash('sha256').update(text).digest('hex')}`;
  const path = join(dir, SIGNATURES_DIR, `${stem}${ENVELOPE_SUFFIX}`);
  await writeFileAtomic(path, text);
  return path;
}
