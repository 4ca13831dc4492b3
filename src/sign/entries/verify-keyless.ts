/**
 * Verifying a store entry's keyless signature: some Sigstore bundle beside it must pass the checks
 * every keyless signature shares (keyless/verify.ts: trusted root, log entry, identity) and hold a
 * statement that names this entry and lists exactly the files on disk now.
 */
import { type EntryInfo, type EntryStore, SIGNATURES_DIR, type StoredEntry } from '../../core/store.js';
import { formatTag } from '../../core/tag.js';
import { operation, say, type UserText } from '../../core/user-text.js';
import { failureText, mostTelling } from '../failures.js';
import type { EntryStatement } from '../formats/in-toto.js';
import {
  checkBundle,
  type IdentityPolicy,
  type KeylessIdentity,
  type KeylessVerifyOptions,
  sigstoreCheck,
} from '../keyless/verify.js';
import { readEntryBundles } from './bundles.js';
import { subjectsOnDisk } from './statement.js';
import { matchStatement, type StatementMismatch } from './verify.js';

export type KeylessVerification =
  | { ok: true; file: string; signer: KeylessIdentity; logged: boolean; statement: EntryStatement }
  | (
      | {
          ok: false;
          reason: 'unsigned' | 'malformed' | 'untrusted' | 'wrong-identity';
          message: string;
          text?: UserText;
        }
      | StatementMismatch
    );

type Failure = Exclude<KeylessVerification, { ok: true }>;

export async function verifyEntryKeyless<I extends EntryInfo>(
  store: EntryStore<I>,
  entry: StoredEntry<I>,
  policy: IdentityPolicy,
  options: KeylessVerifyOptions,
): Promise<KeylessVerification> {
  const check = sigstoreCheck(policy, options);
  const what = `${store.kind.noun} ${formatTag(entry.tag)}`;
  const { bundles, malformed } = await readEntryBundles(entry.dir);
  if (bundles.length === 0) {
    if (malformed.length > 0)
      return {
        ok: false,
        reason: 'malformed',
        message: `${what}: ${SIGNATURES_DIR}/${malformed[0]} is not a Sigstore bundle`,
      };
    return {
      ok: false,
      reason: 'unsigned',
      ...failureText(
        say`${what} has no keyless signature (no *.sigstore.json in ${SIGNATURES_DIR}); sign it with ${operation('sign', formatTag(entry.tag), { keyless: true })}`,
      ),
    };
  }

  const failures: Failure[] = [];
  let actual: ReturnType<typeof subjectsOnDisk> | undefined;
  for (const { file, bundle: json } of bundles) {
    const checked = checkBundle(json, 'dsseEnvelope', undefined, check, `${SIGNATURES_DIR}/${file}`);
    if (!checked.ok) {
      failures.push({ ...checked, ...failureText(say`${what}: ${checked.text ?? checked.message}`) });
      continue;
    }
    if (checked.bundle.content.$case !== 'dsseEnvelope') continue;
    const envelope = checked.bundle.content.dsseEnvelope;
    const matched = await matchStatement(store, entry, file, envelope.payload, envelope.payloadType, () => {
      actual ??= subjectsOnDisk(store, entry.dir);
      return actual;
    });
    if (!matched.ok) {
      failures.push(matched);
      continue;
    }
    return { ok: true, file, signer: checked.signer, logged: checked.logged, statement: matched.statement };
  }
  return mostTelling(failures)!;
}
