/**
 * Export: streams a stored entry into a tar (gzip by default) with its digest manifest first. Content
 * is read once, hashed on the way and compared with the recorded digest, so a damaged entry aborts
 * the export instead of travelling on; memory stays flat whatever the entry's size.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import tar from 'tar-stream';
import { BENTOCI_VERSION } from '../../version.js';
import { IntegrityError } from '../errors.js';
import { exists, listFiles } from '../files.js';
import { type Progress, progress } from '../progress.js';
import { type EntryInfo, type EntryStore, SIGNATURES_DIR, type StoredEntry } from '../store.js';
import { formatTag, type Tag } from '../tag.js';
import { drained } from './drain.js';
import {
  type ArchiveFormat,
  type ArchiveManifest,
  DEFAULT_GZIP_LEVEL,
  defaultArchiveName,
  FORMAT_NAME,
  FORMAT_VERSION,
  MANIFEST_NAME,
  memberName,
} from './format.js';
import { assertSafePath, within } from './safety.js';
import { describeLocation, resolveDestination, writeArchive } from './sources.js';

type PackHeader = Parameters<tar.Pack['entry']>[0];

export interface ExportOptions {
  format?: ArchiveFormat;
  /** gzip level 1-9; 6 (gzip's and GNU tar's default) when absent. */
  level?: number;
  signal?: AbortSignal;
  /** Progress and retry lines; stderr when absent. */
  log?: (line: string) => void;
}

export interface ExportResult {
  tag: Tag;
  /** The file path, "stdout" or the URL (without its query). */
  destination: string;
  format: ArchiveFormat;
  /** Archive bytes written. */
  bytes: number;
  /** Entry bytes archived (all members but the manifest). */
  size: number;
  digest: string;
}

/** One member under `entry/`: small ones are held in memory, content is streamed from `path`. */
interface PlannedMember {
  rel: string;
  size: number;
  sha256: string;
  data?: Buffer;
  path?: string;
}

export interface ArchivePlan {
  manifest: ArchiveManifest;
  members: PlannedMember[];
  mtime: Date;
}

/** `destination` is a path, a directory, `-` or an http(s):// URL; `<name>-<version>.<ext>` here when absent. */
export async function exportEntry<I extends EntryInfo>(
  store: EntryStore<I>,
  tag: string,
  destination: string | undefined,
  options: ExportOptions = {},
): Promise<ExportResult> {
  const format = options.format ?? 'gz';
  const entry = await store.get(tag);
  const plan = await planArchive(store, entry);
  const location = await resolveDestination(destination, defaultArchiveName(store.kind.noun, entry.tag));
  const label = `exporting ${formatTag(entry.tag)}`;
  const bytes = await writeArchive(
    location,
    () =>
      archiveStream(plan, {
        format,
        level: options.level ?? DEFAULT_GZIP_LEVEL,
        meter: progress(label, plan.manifest.size, options.log),
      }),
    {
      contentType: format === 'gz' ? 'application/gzip' : 'application/x-tar',
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.log ? { log: options.log } : {}),
    },
  );
  return {
    tag: entry.tag,
    destination: describeLocation(location, 'stdout'),
    format,
    bytes,
    size: plan.manifest.size,
    digest: plan.manifest.digest,
  };
}

/** The manifest and member list of an entry, checking what can be checked before streaming. */
export async function planArchive<I extends EntryInfo>(
  store: EntryStore<I>,
  entry: StoredEntry<I>,
): Promise<ArchivePlan> {
  const damaged = (what: string) =>
    new IntegrityError(
      `${store.kind.noun} ${formatTag(entry.tag)} is damaged: ${what}; check it with \`bentoci ${store.kind.folder} verify\``,
    );
  // The metadata is checked here (digest, confined paths); the files as they are streamed.
  await store.assertMetadata(entry);
  const infoData = await readFile(join(entry.dir, store.kind.infoFile));
  const members: PlannedMember[] = [
    { rel: store.kind.infoFile, size: infoData.length, sha256: sha256(infoData), data: infoData },
  ];
  for (const file of entry.info.files) {
    assertSafePath(file.path, 'recorded file', entry.dir);
    const path = within(entry.dir, file.path);
    const actual = await stat(path).catch(() => undefined);
    if (!actual?.isFile()) throw damaged(`${file.path} is missing`);
    if (actual.size !== file.size)
      throw damaged(`${file.path} is ${actual.size} bytes, ${file.size} recorded`);
    members.push({ rel: file.path, size: file.size, sha256: file.sha256, path });
  }
  const signaturesDir = join(entry.dir, SIGNATURES_DIR);
  if (await exists(signaturesDir)) {
    for (const rel of await listFiles(signaturesDir)) {
      const data = await readFile(join(signaturesDir, rel));
      members.push({ rel: `${SIGNATURES_DIR}/${rel}`, size: data.length, sha256: sha256(data), data });
    }
  }
  const files = members
    .map((m) => ({ path: m.rel, sha256: m.sha256, size: m.size }))
    .sort((a, b) => compare(a.path, b.path));
  const manifest: ArchiveManifest = {
    format: FORMAT_NAME,
    format_version: FORMAT_VERSION,
    kind: store.kind.noun,
    tag: formatTag(entry.tag),
    digest: entry.info.digest,
    info_file: store.kind.infoFile,
    files,
    size: files.reduce((sum, f) => sum + f.size, 0),
    bentoci_version: BENTOCI_VERSION,
  };
  // The entry's creation time as every member's mtime: the same entry always makes the same bytes.
  return { manifest, members, mtime: new Date(entry.info.creation_time) };
}

/** The archive's bytes: a tar made by tar-stream, gzipped unless `format` is "tar". */
export function archiveStream(
  plan: ArchivePlan,
  options: { format: ArchiveFormat; level: number; meter: Progress },
): Readable {
  const pack = tar.pack();
  // Failures surface through the iterator below; streamx would throw an unheard 'error' event.
  pack.on('error', () => undefined);
  fillPack(pack, plan, options.meter).then(
    () => options.meter.done(),
    (err: unknown) => pack.destroy(err as Error),
  );
  // tar-stream's streams are streamx streams; Node's pipeline gets an async iterable of them instead.
  const tarBytes = (async function* () {
    for await (const chunk of pack) yield chunk as Buffer;
  })();
  if (options.format === 'tar') return Readable.from(tarBytes, { objectMode: false, highWaterMark: 1 << 20 });
  const gzip = createGzip({ level: options.level, chunkSize: 256 * 1024 });
  pipeline(tarBytes, gzip).catch((err: unknown) => gzip.destroy(err as Error));
  return gzip;
}

async function fillPack(pack: tar.Pack, plan: ArchivePlan, meter: Progress): Promise<void> {
  const header = (name: string, size: number): PackHeader => ({
    name,
    size,
    mode: 0o644,
    mtime: plan.mtime,
    type: 'file',
    uid: 0,
    gid: 0,
    uname: '',
    gname: '',
  });
  const manifest = Buffer.from(`${JSON.stringify(plan.manifest, null, 2)}\n`);
  await addBuffer(pack, header(MANIFEST_NAME, manifest.length), manifest);
  for (const member of plan.members) {
    const name = memberName(member.rel);
    if (member.data) {
      await addBuffer(pack, header(name, member.size), member.data);
      meter.add(member.size);
    } else await addFile(pack, header(name, member.size), member, meter);
  }
  pack.finalize();
}

function addBuffer(pack: tar.Pack, header: PackHeader, data: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    pack.entry(header, data, (err) => (err ? reject(err) : resolve()));
  });
}

async function addFile(
  pack: tar.Pack,
  header: PackHeader,
  member: PlannedMember,
  meter: Progress,
): Promise<void> {
  let settle: (err?: Error | null) => void = () => undefined;
  const added = new Promise<void>((resolve, reject) => {
    settle = (err) => (err ? reject(err) : resolve());
  });
  added.catch(() => undefined);
  const sink = pack.entry(header, (err) => settle(err));
  sink.on('error', () => undefined);
  const hash = createHash('sha256');
  if (member.size > 0) {
    // Only the recorded size is read: a file that grew fails the digest check, not the tar framing.
    const input = createReadStream(member.path!, { highWaterMark: 1 << 20, end: member.size - 1 });
    try {
      for await (const chunk of input) {
        hash.update(chunk as Buffer);
        meter.add((chunk as Buffer).length);
        if (!sink.write(chunk)) await drained(sink);
      }
    } catch (err) {
      input.destroy();
      sink.destroy(err as Error);
      throw err;
    }
  }
  const actual = hash.digest('hex');
  if (actual !== member.sha256) {
    const err = new IntegrityError(
      `${member.path} does not match its recorded sha256 (${member.sha256.slice(0, 12)}…, found ${actual.slice(0, 12)}…); the entry is damaged, so it is not exported`,
    );
    sink.destroy(err);
    throw err;
  }
  sink.end(undefined);
  await added;
}

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
