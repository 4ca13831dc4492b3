/**
 * The in-toto statement of a store entry: one subject per content file, plus the info file itself so
 * that changing model.yaml/bento.yaml (labels, metadata, APIs, pinned models) is detected too, and the
 * entry's digest (`contentDigest`), which covers the same files and metadata (src/core/digest.ts): the
 * signature signs the digest and stays outside it.
 *
 * The info file's subject is its content as canonical JSON (keys sorted, no spaces), the same bytes
 * as the config blob of the pushed OCI artifact: import and pull rewrite the YAML (key order of
 * labels, formatting), which must not break a signature, while any change of a value must.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import YAML from 'yaml';
import { canonicalJson } from '../../core/digest.js';
import { IntegrityError } from '../../core/errors.js';
import { manifestOf } from '../../core/files.js';
import type { EntryInfo, EntryStore, StoredEntry } from '../../core/store.js';
import { formatTag } from '../../core/tag.js';
import { BENTOCI_BENTO_CONFIG, BENTOCI_MODEL_CONFIG } from '../../oci/media-types.js';
import { BENTOCI_VERSION } from '../../version.js';
import {
  ENTRY_PREDICATE_TYPE,
  type EntryPredicate,
  type EntryStatement,
  IN_TOTO_STATEMENT_TYPE,
  type Subject,
} from '../formats/in-toto.js';

export type EntryKindName = EntryPredicate['kind'];

export function kindNameOf<I extends EntryInfo>(store: EntryStore<I>): EntryKindName {
  const noun = store.kind.noun;
  if (noun !== 'model' && noun !== 'bento') throw new Error(`cannot sign entries of kind "${noun}"`);
  return noun;
}

/** The media type naming the form the info file's digest is taken over (the OCI config's). */
export function infoMediaType(kind: EntryKindName): string {
  return kind === 'model' ? BENTOCI_MODEL_CONFIG : BENTOCI_BENTO_CONFIG;
}

/** sha256 (hex) of the info file's content as canonical JSON. Every key counts, known to the schema or not. */
export async function infoDigest(path: string): Promise<string> {
  let value: unknown;
  try {
    value = YAML.parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw new IntegrityError(`${path} is not valid YAML (${(err as Error).message.split('\n')[0]})`);
  }
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}

/** The subjects as the entry is on disk now: every content file and the info file, sorted by name. */
export async function subjectsOnDisk<I extends EntryInfo>(
  store: EntryStore<I>,
  dir: string,
): Promise<Subject[]> {
  const files = await manifestOf(dir, (rel) => !store.isContent(rel));
  const subjects: Subject[] = files.map((f) => ({ name: f.path, digest: { sha256: f.sha256 } }));
  subjects.push({
    name: store.kind.infoFile,
    digest: { sha256: await infoDigest(join(dir, store.kind.infoFile)) },
    mediaType: infoMediaType(kindNameOf(store)),
  });
  return subjects.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export async function entryStatement<I extends EntryInfo>(
  store: EntryStore<I>,
  entry: StoredEntry<I>,
  now: Date = new Date(),
): Promise<EntryStatement> {
  return {
    _type: IN_TOTO_STATEMENT_TYPE,
    subject: await subjectsOnDisk(store, entry.dir),
    predicateType: ENTRY_PREDICATE_TYPE,
    predicate: {
      kind: kindNameOf(store),
      tag: formatTag(entry.tag),
      contentDigest: entry.info.digest,
      infoFile: store.kind.infoFile,
      signedAt: now.toISOString(),
      signer: { tool: 'bentoci', version: BENTOCI_VERSION },
    },
  };
}

export type SubjectChange =
  | { name: string; change: 'modified'; expected: string; actual: string }
  | { name: string; change: 'missing' }
  | { name: string; change: 'unexpected' };

/** How the files on disk differ from the signed subjects; empty when they match exactly. */
export function compareSubjects(signed: readonly Subject[], actual: readonly Subject[]): SubjectChange[] {
  const actualByName = new Map(actual.map((s) => [s.name, s.digest.sha256]));
  const changes: SubjectChange[] = [];
  for (const s of signed) {
    const found = actualByName.get(s.name);
    actualByName.delete(s.name);
    if (found === undefined) changes.push({ name: s.name, change: 'missing' });
    else if (found !== s.digest.sha256)
      changes.push({ name: s.name, change: 'modified', expected: s.digest.sha256, actual: found });
  }
  for (const name of actualByName.keys()) changes.push({ name, change: 'unexpected' });
  return changes;
}

/** The first change in words, and how many more there are. */
export function describeChanges(changes: readonly SubjectChange[]): string {
  const more =
    changes.length > 1 ? ` (and ${changes.length - 1} more change${changes.length > 2 ? 's' : ''})` : '';
  return `${describeChange(changes[0]!)}${more}`;
}

function describeChange(c: SubjectChange): string {
  switch (c.change) {
    case 'modified':
      return `${c.name} changed (signed sha256 ${c.expected.slice(0, 12)}…, now ${c.actual.slice(0, 12)}…)`;
    case 'missing':
      return `${c.name} is missing`;
    case 'unexpected':
      return `${c.name} was added after signing`;
  }
}
