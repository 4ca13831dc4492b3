/**
 * OMS signatures of store entries: signing with the `oms` format writes `.signatures/model.sig`, the
 * bundle model_signing would write for the entry's directory (signed with a key, or keyless through
 * Fulcio and Rekor). The statement records `.signatures` and the info file (model.yaml, bento.yaml)
 * in `ignore_paths`: the first holds the signatures, the second is rewritten by pull and import (key
 * order), which must not break a signature over the files. So `model_signing verify` accepts the
 * entry directory as it is; the metadata is covered by the bentoci format instead.
 *
 * Push attaches model.sig like the other bundles, and pull stores it back as a Sigstore bundle
 * (`*.sigstore.json`), so verification reads both.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../../core/files.js';
import { type EntryInfo, type EntryStore, SIGNATURES_DIR, type StoredEntry } from '../../core/store.js';
import { formatTag } from '../../core/tag.js';
import { operation, say } from '../../core/user-text.js';
import { readEntryBundles } from '../entries/bundles.js';
import { failureText, mostTelling } from '../failures.js';
import { type SigstoreBundleJson, sigstoreBundleJsonSchema } from '../formats/sigstore-bundle.js';
import { type KeylessSignOptions, signStatement } from '../keyless/sign.js';
import { signEnvelope } from '../keys/envelope.js';
import type { Signer } from '../keys/signer.js';
import { keyHint } from './ec-keys.js';
import {
  IN_TOTO_PAYLOAD_TYPE,
  MAX_SIGNATURE_BYTES,
  OMS_PREDICATE_TYPE,
  OMS_SIGNATURE_FILE,
  type OmsBundle,
  type OmsStatement,
  SIGSTORE_BUNDLE_V03_MEDIA_TYPE,
} from './format.js';
import { hashModel, ignoredPaths, omsStatement } from './model-hash.js';
import { type OmsTrust, type OmsVerification, verifyOmsSignature } from './verify.js';

export function entryIgnorePaths<I extends EntryInfo>(store: EntryStore<I>): string[] {
  return [SIGNATURES_DIR, store.kind.infoFile];
}

/** The OMS statement of an entry as it is on disk now. */
export async function entryOmsStatement<I extends EntryInfo>(
  store: EntryStore<I>,
  entry: StoredEntry<I>,
): Promise<OmsStatement> {
  const ignore = entryIgnorePaths(store);
  const resources = await hashModel(entry.dir, {
    ignore: ignoredPaths(entry.dir, ignore),
    allowSymlinks: false,
  });
  return omsStatement(formatTag(entry.tag), resources, ignore);
}

/** The payload bytes as model_signing lays them out (protobuf JSON, two-space indent). */
export function statementPayload(statement: OmsStatement): Buffer {
  return Buffer.from(JSON.stringify(statement, null, 2));
}

/** A key-signed OMS bundle as model_signing v1.1 writes it: the key named by its hint only. */
export async function signOmsWithKey(statement: OmsStatement, signer: Signer): Promise<OmsBundle> {
  const envelope = await signEnvelope(IN_TOTO_PAYLOAD_TYPE, statementPayload(statement), signer);
  return {
    mediaType: SIGSTORE_BUNDLE_V03_MEDIA_TYPE,
    verificationMaterial: { publicKey: { hint: keyHint(signer.publicKey) }, tlogEntries: [] },
    dsseEnvelope: {
      payload: envelope.payload,
      payloadType: envelope.payloadType,
      signatures: envelope.signatures.map((s) => ({ sig: s.sig, keyid: '' })),
    },
  };
}

export type OmsSigning = { signer: Signer } | { keyless: KeylessSignOptions };

export interface OmsSigned {
  path: string;
  statement: OmsStatement;
  bundle: unknown;
  logged: boolean;
}

/** Signs an intact entry in the OMS format and writes `.signatures/model.sig` (replacing an older one). */
export async function signEntryOms<I extends EntryInfo>(
  store: EntryStore<I>,
  entry: StoredEntry<I>,
  how: OmsSigning,
): Promise<OmsSigned> {
  await store.assertIntact(entry);
  const statement = await entryOmsStatement(store, entry);
  const bundle =
    'signer' in how
      ? await signOmsWithKey(statement, how.signer)
      : await signStatement(statementPayload(statement), how.keyless);
  const path = join(entry.dir, SIGNATURES_DIR, OMS_SIGNATURE_FILE);
  await writeFileAtomic(path, `${JSON.stringify(bundle, null, 2)}\n`);
  const tlog = (bundle.verificationMaterial as { tlogEntries?: unknown[] }).tlogEntries;
  return { path, statement, bundle, logged: Array.isArray(tlog) && tlog.length > 0 };
}

/** `.signatures/model.sig` when it is there and has the shape of a bundle (for push to attach). */
export async function readOwnOmsBundle(dir: string): Promise<SigstoreBundleJson | undefined> {
  const bytes = await readFile(join(dir, SIGNATURES_DIR, OMS_SIGNATURE_FILE)).catch(() => undefined);
  if (!bytes || bytes.length > MAX_SIGNATURE_BYTES) return undefined;
  const parsed = sigstoreBundleJsonSchema.safeParse(parseJson(bytes));
  return parsed.success ? parsed.data : undefined;
}

/** The OMS bundles beside an entry: model.sig and pulled bundles whose statement is an OMS one. */
export async function readEntryOmsBundles(dir: string): Promise<{ file: string; json: unknown }[]> {
  const found: { file: string; json: unknown }[] = [];
  const own = await readFile(join(dir, SIGNATURES_DIR, OMS_SIGNATURE_FILE)).catch(() => undefined);
  if (own && own.length <= MAX_SIGNATURE_BYTES)
    found.push({ file: OMS_SIGNATURE_FILE, json: parseJson(own) });
  const { bundles } = await readEntryBundles(dir);
  for (const { file, bundle } of bundles) if (isOmsBundle(bundle)) found.push({ file, json: bundle });
  return found;
}

/** Whether a bundle's DSSE payload claims the OMS predicate type (unverified: for sorting files only). */
export function isOmsBundle(bundle: unknown): boolean {
  const envelope = (bundle as { dsseEnvelope?: { payload?: unknown } } | null)?.dsseEnvelope;
  if (typeof envelope?.payload !== 'string') return false;
  const payload = parseJson(Buffer.from(envelope.payload, 'base64'));
  return (payload as { predicateType?: unknown } | undefined)?.predicateType === OMS_PREDICATE_TYPE;
}

/** Some OMS signature beside the entry verifies for `trust` and matches the files on disk. */
export async function verifyEntryOms<I extends EntryInfo>(
  store: EntryStore<I>,
  entry: StoredEntry<I>,
  trust: OmsTrust,
): Promise<OmsVerification & { file?: string }> {
  const what = `${store.kind.noun} ${formatTag(entry.tag)}`;
  const bundles = await readEntryOmsBundles(entry.dir);
  if (bundles.length === 0)
    return {
      ok: false,
      reason: 'unsigned',
      ...failureText(
        say`${what} has no OMS signature (no ${SIGNATURES_DIR}/${OMS_SIGNATURE_FILE}); sign it with ${operation('sign', formatTag(entry.tag), { format: 'oms' })}`,
      ),
    };
  const failures: Extract<OmsVerification, { ok: false }>[] = [];
  for (const { file, json } of bundles) {
    const result = await verifyOmsSignature(entry.dir, json, trust, {
      where: `${what}: ${SIGNATURES_DIR}/${file}`,
      ignoreGitPaths: false,
    });
    if (result.ok) return { ...result, file };
    failures.push(result);
  }
  return mostTelling(failures)!;
}

function parseJson(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
}
