/**
 * Verifying a store entry: some envelope beside it must verify with the given key, name this entry
 * and its digest, and list exactly the files (and info file) on disk now. Failures say which of these
 * broke. Whether the entry itself is intact (its digest over files and metadata) is the store's check
 * (`assertIntact`), which serve, containerize and sign run as well.
 */
import { join } from 'node:path';
import { BentoError, IntegrityError } from '../../core/errors.js';
import { type EntryInfo, type EntryStore, SIGNATURES_DIR, type StoredEntry } from '../../core/store.js';
import { formatTag } from '../../core/tag.js';
import { operation, option, say, type UserText } from '../../core/user-text.js';
import { failureText, mostTelling } from '../failures.js';
import {
  ENTRY_PREDICATE_TYPE,
  type EntryStatement,
  entryStatementSchema,
  IN_TOTO_PAYLOAD_TYPE,
  type Subject,
} from '../formats/in-toto.js';
import { verifyEnvelope } from '../keys/envelope.js';
import type { Verifier } from '../keys/signer.js';
import { readEntryEnvelopes } from './envelopes.js';
import {
  compareSubjects,
  describeChanges,
  kindNameOf,
  type SubjectChange,
  subjectsOnDisk,
} from './statement.js';

export type EntryVerification =
  | { ok: true; keyid: string; file: string; statement: EntryStatement }
  | {
      ok: false;
      reason: 'unsigned' | 'wrong-key' | 'bad-signature' | 'malformed' | 'other-entry' | 'changed';
      message: string;
      text?: UserText;
      changes?: SubjectChange[];
    };

/** Checks that some envelope beside the entry is signed by `verifier` and matches the files on disk. */
export async function verifyEntry<I extends EntryInfo>(
  store: EntryStore<I>,
  entry: StoredEntry<I>,
  verifier: Verifier,
): Promise<EntryVerification> {
  const what = `${store.kind.noun} ${formatTag(entry.tag)}`;
  const { envelopes, malformed } = await readEntryEnvelopes(entry.dir);
  if (envelopes.length === 0) {
    if (malformed.length > 0) {
      return {
        ok: false,
        reason: 'malformed',
        message: `${what}: ${SIGNATURES_DIR}/${malformed[0]} is not a DSSE envelope`,
      };
    }
    return {
      ok: false,
      reason: 'unsigned',
      ...failureText(
        say`${what} has no signature (${join(entry.dir, SIGNATURES_DIR)} holds none); sign it with ${operation('sign', formatTag(entry.tag), { key: 'KEY' })}`,
      ),
    };
  }

  const failures: Exclude<EntryVerification, { ok: true }>[] = [];
  const otherKeys = new Set<string>();
  let actual: ReturnType<typeof subjectsOnDisk> | undefined;
  for (const { file, envelope } of envelopes) {
    const check = verifyEnvelope(envelope, verifier);
    if (!check.ok) {
      if (check.reason === 'bad-signature') {
        failures.push({
          ok: false,
          reason: 'bad-signature',
          message: `${what}: the signature in ${SIGNATURES_DIR}/${file} names key ${short(verifier.keyid)} but does not verify (the envelope was altered)`,
        });
      }
      for (const k of check.keyids) otherKeys.add(k ? short(k) : '(no keyid)');
      continue;
    }
    const matched = await matchStatement(store, entry, file, check.payload, envelope.payloadType, () => {
      actual ??= subjectsOnDisk(store, entry.dir);
      return actual;
    });
    if (!matched.ok) {
      failures.push(matched);
      continue;
    }
    const { statement } = matched;
    return { ok: true, keyid: verifier.keyid, file, statement };
  }
  return (
    mostTelling(failures) ?? {
      ok: false,
      reason: 'wrong-key',
      ...failureText(
        say`${what} is not signed by the key in ${option('pub')} (keyid ${short(verifier.keyid)}); it is signed by ${[...otherKeys].join(', ')}`,
      ),
    }
  );
}

export type StatementMismatch = {
  ok: false;
  reason: 'malformed' | 'other-entry' | 'changed';
  message: string;
  text?: UserText;
  changes?: SubjectChange[];
};

/**
 * The checks after a signature verified, shared by key-based and keyless verification: the payload is
 * our statement, names this entry, and lists exactly the files on disk (`actual`, computed once).
 */
export async function matchStatement<I extends EntryInfo>(
  store: EntryStore<I>,
  entry: StoredEntry<I>,
  file: string,
  payload: Buffer,
  payloadType: string,
  actual: () => Promise<Subject[]>,
): Promise<{ ok: true; statement: EntryStatement } | StatementMismatch> {
  const what = `${store.kind.noun} ${formatTag(entry.tag)}`;
  const statement = parseStatement(payload, payloadType);
  if (!statement) {
    return {
      ok: false,
      reason: 'malformed',
      message: `${what}: ${SIGNATURES_DIR}/${file} is signed but is not a bentoci ${ENTRY_PREDICATE_TYPE} statement`,
    };
  }
  const p = statement.predicate;
  if (p.kind !== kindNameOf(store) || p.tag !== formatTag(entry.tag)) {
    return {
      ok: false,
      reason: 'other-entry',
      message: `${what}: ${SIGNATURES_DIR}/${file} is a signature of ${p.kind} ${p.tag}, not of this entry`,
    };
  }
  // The statement signs the entry's digest (files and metadata); the subjects say what changed.
  if (p.contentDigest !== entry.info.digest) {
    return {
      ok: false,
      reason: 'changed',
      message: `${what} does not match its signature: ${SIGNATURES_DIR}/${file} signs digest ${p.contentDigest}, the entry records ${entry.info.digest}`,
    };
  }
  const changes = compareSubjects(statement.subject, await actual());
  if (changes.length > 0) {
    return {
      ok: false,
      reason: 'changed',
      message: `${what} does not match its signature: ${describeChanges(changes)}`,
      changes,
    };
  }
  return { ok: true, statement };
}

function parseStatement(payload: Buffer, payloadType: string): EntryStatement | undefined {
  if (payloadType !== IN_TOTO_PAYLOAD_TYPE) return undefined;
  try {
    const parsed = entryStatementSchema.safeParse(JSON.parse(payload.toString('utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Throws (exit 1, one line) unless the entry verifies; returns the verified statement. */
export async function assertEntryVerified<I extends EntryInfo>(
  store: EntryStore<I>,
  entry: StoredEntry<I>,
  verifier: Verifier,
): Promise<EntryStatement> {
  const result = await verifyEntry(store, entry, verifier);
  if (result.ok) return result.statement;
  const text = result.text ?? result.message;
  if (result.reason === 'changed' || result.reason === 'bad-signature') throw new IntegrityError(text);
  throw new BentoError(text);
}

function short(keyid: string): string {
  return keyid.slice(0, 12);
}
