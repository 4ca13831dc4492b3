/**
 * Import: streams an archive (gzip or plain tar, told apart by its magic bytes) into a staging
 * directory, checking each member against the manifest as it arrives, then commits through the
 * store, which recomputes the digest once more. Any failure removes the staging directory, so the
 * store is unchanged unless the whole entry arrived intact.
 */
import { readFile } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';
import YAML from 'yaml';
import type { FileEntry } from '../../shared/schemas.js';
import { BentoError, IntegrityError, UsageError } from '../errors.js';
import { removeQuietly } from '../files.js';
import { type Progress, progress } from '../progress.js';
import { isTransient } from '../retry.js';
import type { EntryInfo, EntryStore, StoredEntry } from '../store.js';
import { parseTag } from '../tag.js';
import { operation, option, say } from '../user-text.js';
import { drained } from './drain.js';
import { type ArchiveManifest, exportOperation, memberName } from './format.js';
import { withRetries } from './http.js';
import { checkDeclaredSize, checkFreeSpace, DEFAULT_MAX_IMPORT_BYTES, TarBudget } from './limits.js';
import {
  checkManifest,
  type ExistingState,
  existingState,
  hashMember,
  readManifest,
  writeMember,
} from './members.js';
import { checkPresentCopy, sameFiles } from './present.js';
import { classifyMember, within } from './safety.js';
import { type ArchiveLocation, describeLocation, openSource, parseLocation } from './sources.js';

export type ImportOutcome = 'imported' | 'replaced' | 'already-present';

export interface ImportOptions {
  /** Replace an existing entry with the same tag and different content. */
  force?: boolean;
  /** The most bytes of files the archive may declare (`--max-size`); DEFAULT_MAX_IMPORT_BYTES when absent. */
  maxSize?: number;
  signal?: AbortSignal;
  /** Progress and retry lines; stderr when absent. */
  log?: (line: string) => void;
}

export interface ImportResult<I extends EntryInfo> {
  outcome: ImportOutcome;
  entry: StoredEntry<I>;
  /** The file path, "stdin" or the URL (without its query). */
  source: string;
}

/** `source` is a file path, `-` for stdin, or an http(s):// URL. */
export async function importArchive<I extends EntryInfo>(
  store: EntryStore<I>,
  source: string,
  options: ImportOptions = {},
): Promise<ImportResult<I>> {
  const location = parseLocation(source, 'archive');
  const label = describeLocation(location, 'stdin');
  const attempt = () => importOnce(store, location, label, options);
  if (location.kind !== 'url') return attempt();
  return withRetries(attempt, {
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.log ? { log: options.log } : {}),
  });
}

async function importOnce<I extends EntryInfo>(
  store: EntryStore<I>,
  location: ArchiveLocation,
  label: string,
  options: ImportOptions,
): Promise<ImportResult<I>> {
  const { signal } = options;
  const remote = location.kind === 'url';
  const opened = await openSource(location, signal).catch((err: unknown) => {
    throw describeFailure(err, label, remote, signal);
  });
  const input = opened.stream;
  const meter = progress(`importing ${label}`, opened.size, options.log);
  const extract = tar.extract();
  extract.on('error', () => undefined); // reported through the iterator
  const budget = new TarBudget(label);
  let feeding: Promise<void> | undefined;
  try {
    const head = await peek(input, 2);
    if (head.length === 0) throw new BentoError(`archive "${label}" is empty`);
    feeding = feed(input, head[0] === 0x1f && head[1] === 0x8b, extract, meter, budget, signal);
    feeding.catch((err: unknown) => extract.destroy(err as Error));
    return await readArchive(store, extract, feeding, {
      label,
      force: options.force ?? false,
      maxSize: options.maxSize ?? DEFAULT_MAX_IMPORT_BYTES,
      budget,
    });
  } catch (err) {
    // A refused stream surfaces in the reader as a broken member; the refusal says why.
    throw describeFailure(budget.refusal ?? err, label, remote, signal);
  } finally {
    extract.destroy();
    input.destroy();
    await feeding?.catch(() => undefined);
  }
}

/**
 * Decompresses (when gzipped) into the extractor, with backpressure; rejects on corrupt input, and
 * once the bytes read or decompressed pass what the archive's manifest accounts for.
 */
async function feed(
  input: Readable,
  gzipped: boolean,
  extract: tar.Extract,
  meter: Progress,
  budget: TarBudget,
  signal?: AbortSignal,
): Promise<void> {
  const count = async function* (source: AsyncIterable<Buffer>) {
    for await (const chunk of source) {
      budget.takeRaw(chunk.length);
      meter.add(chunk.length);
      yield chunk;
    }
  };
  let delivered = false;
  const into = async (source: AsyncIterable<Buffer>) => {
    for await (const chunk of source) {
      budget.takeTar(chunk.length);
      if (!extract.write(chunk)) await drained(extract);
    }
    extract.end(undefined);
    delivered = true;
  };
  const options = signal ? { signal } : {};
  try {
    if (gzipped) await pipeline(input, count, createGunzip({ chunkSize: 256 * 1024 }), into, options);
    else await pipeline(input, count, into, options);
  } catch (err) {
    // Zeros after the gzip stream (padding to a block, as tape tools write) end the gunzip there, as
    // gzip(1) does, and the pipeline reports the unread rest as aborted: by then every byte was
    // inflated, its CRC checked and handed to the tar reader, so the archive is whole.
    const padded = gzipped && delivered && !signal?.aborted && (err as Error)?.name === 'AbortError';
    if (!padded) throw err;
  }
  meter.done();
}

interface ReadContext {
  label: string;
  force: boolean;
  maxSize: number;
  budget: TarBudget;
}

async function readArchive<I extends EntryInfo>(
  store: EntryStore<I>,
  extract: tar.Extract,
  feeding: Promise<void>,
  context: ReadContext,
): Promise<ImportResult<I>> {
  const { label } = context;
  let manifest: ArchiveManifest | undefined;
  let expected = new Map<string, FileEntry>();
  const seen = new Set<string>();
  let existing: ExistingState<I> = { state: 'absent' };
  let staged: string | undefined;
  let infoBytes: Buffer | undefined;
  try {
    for await (const member of extract) {
      const role = classifyMember(member.header, label);
      if (!manifest) {
        if (role.role !== 'manifest') {
          throw new BentoError(
            say`archive "${label}" is not a bentoci archive: its first member is "${member.header.name}", not bentoci-archive.json (make archives with ${operation(exportOperation(store.kind.noun))})`,
          );
        }
        manifest = checkManifest(await readManifest(member, label), store, label);
        checkDeclaredSize(manifest, context.maxSize, label);
        context.budget.expect(manifest);
        expected = new Map(manifest.files.map((f) => [f.path, f]));
        existing = await existingState(store, parseTag(manifest.tag), manifest.digest);
        // An entry already stored is not rewritten, but the archive is still read and checked
        // member by member: "already present" must not vouch for an archive that was tampered with.
        if (existing.state !== 'identical') {
          refuseExisting(store, manifest, existing, context.force);
          staged = await store.stage();
          await checkFreeSpace(staged, manifest, label);
        }
        continue;
      }
      if (role.role === 'manifest')
        throw new BentoError(`archive "${label}" holds a second bentoci-archive.json; refusing to import it`);
      if (role.role === 'directory') {
        member.resume();
        continue;
      }
      const want = expected.get(role.rel);
      if (!want)
        throw new BentoError(
          `archive "${label}" has member "${member.header.name}" that its manifest does not list; refusing to import it`,
        );
      if (seen.has(role.rel))
        throw new BentoError(`archive "${label}" holds "${member.header.name}" twice; refusing to import it`);
      seen.add(role.rel);
      if (member.header.size !== want.size) {
        throw new IntegrityError(
          `archive "${label}": ${memberName(role.rel)} is ${member.header.size} bytes but its manifest says ${want.size}`,
        );
      }
      const declared = { size: want.size, name: `archive "${label}": ${memberName(role.rel)}` };
      const got = staged
        ? await writeMember(member, within(staged, role.rel), declared)
        : await hashMember(member, declared, role.rel === store.kind.infoFile);
      if (got.bytes) infoBytes = got.bytes;
      if (got.sha256 !== want.sha256 || got.size !== want.size) {
        throw new IntegrityError(
          `archive "${label}": ${memberName(role.rel)} does not match its sha256 in the manifest (expected ${want.sha256.slice(0, 12)}…, got ${got.sha256.slice(0, 12)}…); it was altered or damaged`,
        );
      }
      if (seen.size === expected.size) context.budget.complete();
    }
    // The gzip trailer (length and CRC) comes after the tar's last block: wait for the whole input.
    await feeding;
    if (!manifest) throw new BentoError(`archive "${label}" holds no members`);
    const missing = [...expected.keys()].filter((path) => !seen.has(path));
    if (missing.length > 0) {
      throw new IntegrityError(
        `archive "${label}" is incomplete: ${missing.map(memberName).join(', ')} listed in its manifest ${missing.length === 1 ? 'is' : 'are'} missing`,
      );
    }
    if (existing.state === 'identical') {
      checkPresentCopy(store, existing.entry, manifest, infoBytes ?? Buffer.alloc(0), label);
      return { outcome: 'already-present', entry: existing.entry, source: label };
    }
    if (!staged) throw new BentoError(`archive "${label}" holds no members`);
    const entry = await commitStaged(store, staged, manifest, label, context.force);
    staged = undefined;
    return { outcome: existing.state === 'absent' ? 'imported' : 'replaced', entry, source: label };
  } finally {
    if (staged) await removeQuietly(staged);
  }
}

function refuseExisting<I extends EntryInfo>(
  store: EntryStore<I>,
  manifest: ArchiveManifest,
  existing: ExistingState<I>,
  force: boolean,
): void {
  if (force || existing.state === 'absent') return;
  const what = `${store.kind.noun} ${manifest.tag}`;
  if (existing.state === 'damaged') {
    throw new UsageError(
      say`${what} already exists but is damaged (${existing.problem}); use ${option('force')} to replace it from the archive`,
    );
  }
  if (existing.state === 'different') {
    throw new UsageError(
      say`${what} already exists with different content (${existing.digest}; the archive holds ${manifest.digest}): saved tags are immutable (use ${option('force')} to replace it)`,
    );
  }
}

/** Validates the staged info file against the manifest, then commits (the store lists the staged files again). */
async function commitStaged<I extends EntryInfo>(
  store: EntryStore<I>,
  staged: string,
  manifest: ArchiveManifest,
  label: string,
  force: boolean,
): Promise<StoredEntry<I>> {
  const infoName = memberName(store.kind.infoFile);
  let raw: unknown;
  try {
    raw = YAML.parse(await readFile(within(staged, store.kind.infoFile), 'utf8'));
  } catch (err) {
    throw new IntegrityError(
      `archive "${label}": ${infoName} is not valid YAML (${(err as Error).message.split('\n')[0]})`,
    );
  }
  const parsed = store.kind.schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new IntegrityError(
      `archive "${label}": ${infoName} is not a valid ${store.kind.infoFile}: ${issue?.path.join('.') || '(root)'}: ${issue?.message}`,
    );
  }
  const info = parsed.data;
  const tag = parseTag(manifest.tag);
  if (info.name !== tag.name || info.version !== tag.version) {
    throw new IntegrityError(
      `archive "${label}": ${infoName} describes ${info.name}:${info.version} but the manifest says ${manifest.tag}`,
    );
  }
  if (info.digest !== manifest.digest) {
    throw new IntegrityError(
      `archive "${label}": ${infoName} records digest ${info.digest} but the manifest says ${manifest.digest}`,
    );
  }
  const content = manifest.files.filter((f) => store.isContent(f.path));
  if (!sameFiles(info.files, content)) {
    throw new IntegrityError(
      `archive "${label}": the files listed in ${infoName} differ from the archive's manifest`,
    );
  }
  // An older version arriving later must not take `latest` from a newer one already here.
  const others = await store.list({ name: tag.name });
  const moveLatest = others.every(
    (o) => o.tag.version === tag.version || o.info.creation_time <= info.creation_time,
  );
  // The commit takes the digest over the staged files and this info file: it must be the recorded one,
  // and the info's paths must stay among the content files, or nothing is stored.
  return store.commit(staged, tag, (computed) => ({ ...info, ...computed }), {
    force,
    moveLatest,
    // Every member was hashed as it was written and matched the manifest: no second read of the bytes.
    hashedWhileStaged: manifest.files,
    expectDigest: manifest.digest,
    source: `archive "${label}"`,
  });
}

/** Reads until `n` bytes are buffered (or the input ends) and puts them back, for sniffing. */
async function peek(stream: Readable, n: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let length = 0;
  while (length < n && !stream.readableEnded) {
    const chunk = stream.read() as Buffer | null;
    if (chunk !== null) {
      chunks.push(chunk);
      length += chunk.length;
      continue;
    }
    await new Promise<void>((resolve, reject) => {
      const done = (err?: Error) => {
        stream.off('readable', onReadable).off('end', onEnd).off('error', done).off('close', onEnd);
        if (err) reject(err);
        else resolve();
      };
      const onReadable = () => done();
      const onEnd = () => done();
      stream.on('readable', onReadable).on('end', onEnd).on('error', done).on('close', onEnd);
    });
    if (stream.destroyed && !stream.readableEnded) break;
  }
  const head = Buffer.concat(chunks);
  if (head.length > 0) stream.unshift(head);
  return head;
}

/** One line that names the archive for errors that are not already ours. */
function describeFailure(err: unknown, label: string, remote: boolean, signal?: AbortSignal): unknown {
  if (err instanceof BentoError) return err;
  const message = (err as Error)?.message ?? String(err);
  const code = (err as NodeJS.ErrnoException)?.code ?? '';
  if (signal?.aborted || (err as Error)?.name === 'AbortError')
    return new BentoError(`import of "${label}" was cancelled`, { cause: err });
  if (
    code.startsWith('Z_') ||
    /incorrect header check|unexpected end of file|invalid (stored )?block|checksum/i.test(message)
  ) {
    return new BentoError(
      `archive "${label}" is corrupt: its gzip data is damaged or truncated (${message})`,
      { cause: err },
    );
  }
  if (/Unexpected end of data/.test(message)) {
    return new BentoError(`archive "${label}" is truncated: the tar data ends in the middle of a member`, {
      cause: err,
    });
  }
  if (/Invalid tar header/.test(message)) {
    return new BentoError(`archive "${label}" is corrupt or not a tar archive (${message})`, { cause: err });
  }
  if (remote && isTransient(err))
    return new BentoError(`cannot download archive "${label}": ${message}`, { cause: err });
  return new BentoError(`cannot import archive "${label}": ${message}`, { cause: err });
}
