/**
 * Where keyless signatures live: Sigstore bundles in the entry's `.signatures/` directory, beside the
 * key-based DSSE envelopes. The store keeps that directory out of the content manifest, and export
 * archives and push/pull carry every file in it, so a bundle travels with the entry the same way.
 *
 * A bundle is stored as the JSON sigstore-js serializes; it is parsed here only far enough to know it
 * is a bundle at all (formats/sigstore-bundle.ts; keyless/verify.ts does the real validation).
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { writeFileAtomic } from '../../core/files.js';
import { SIGNATURES_DIR } from '../../core/store.js';
import { type SigstoreBundleJson, sigstoreBundleJsonSchema } from '../formats/sigstore-bundle.js';
import { readSignatureFiles } from './signature-files.js';

export const BUNDLE_SUFFIX = '.sigstore.json';

export interface StoredBundle {
  /** File name inside `.signatures/`. */
  file: string;
  bundle: SigstoreBundleJson;
}

/** The Sigstore bundles stored beside an entry; files that are not bundles are named in `malformed`. */
export async function readEntryBundles(
  dir: string,
): Promise<{ bundles: StoredBundle[]; malformed: string[] }> {
  const { files, malformed } = await readSignatureFiles(dir, BUNDLE_SUFFIX, sigstoreBundleJsonSchema);
  return { bundles: files.map(({ file, value }) => ({ file, bundle: value })), malformed };
}

/**
 * Stores a bundle beside an entry, named by the sha256 of its text. Unlike key ids, an identity in a
 * certificate is only known after verification, so it cannot name the file: signing again adds a
 * bundle (verify accepts any that passes), and a bundle from a pull can never replace a local one.
 */
export async function writeEntryBundle(dir: string, bundle: SigstoreBundleJson): Promise<string> {
  const text = `${JSON.stringify(bundle, null, 2)}\n`;
  const stem = `sha256-${createHash('sha256').update(text).digest('hex')}`;
  const path = join(dir, SIGNATURES_DIR, `${stem}${BUNDLE_SUFFIX}`);
  await writeFileAtomic(path, text);
  return path;
}
