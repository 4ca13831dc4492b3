/**
 * Reads a real archive into memory and writes altered copies of it: the raw material of the hostile
 * archive tests (members with escaping paths, links, devices, altered bytes, a changed manifest).
 */
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { gunzipSync, gzipSync } from 'node:zlib';
import tar from 'tar-stream';

type PackHeader = Parameters<tar.Pack['entry']>[0];

export interface RawMember {
  header: PackHeader;
  data: Buffer;
}

export async function readMembers(path: string): Promise<RawMember[]> {
  let bytes = await readFile(path);
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipSync(bytes);
  const extract = tar.extract();
  const members: RawMember[] = [];
  const done = (async () => {
    for await (const entry of extract) {
      const chunks: Buffer[] = [];
      for await (const chunk of entry) chunks.push(chunk as Buffer);
      const { name, type, mode, mtime, size } = entry.header;
      members.push({ header: { name, type, mode, mtime, size }, data: Buffer.concat(chunks) });
    }
  })();
  extract.end(bytes);
  await done;
  return members;
}

export async function packMembers(members: RawMember[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const collected = (async () => {
    for await (const chunk of pack) chunks.push(chunk as Buffer);
  })();
  for (const member of members) {
    const isFile = (member.header.type ?? 'file') === 'file';
    await new Promise<void>((resolve, reject) => {
      const header = { ...member.header, size: isFile ? member.data.length : 0 };
      const settle = (err?: Error | null) => (err ? reject(err) : resolve());
      // Links and devices carry no body; tar-stream settles them as soon as the header is out.
      if (isFile) pack.entry(header, member.data, settle);
      else pack.entry(header, settle);
    });
  }
  pack.finalize();
  await collected;
  return Buffer.concat(chunks);
}

export async function writeMembers(path: string, members: RawMember[], gzip = true): Promise<void> {
  const tarBytes = await packMembers(members);
  await writeFile(path, gzip ? gzipSync(tarBytes) : tarBytes);
}

export function file(name: string, data: Buffer | string): RawMember {
  return { header: { name, type: 'file', mode: 0o644 }, data: Buffer.from(data) };
}

export function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The members with the manifest (first member) rewritten by `change`. */
export function withManifest(
  members: RawMember[],
  change: (manifest: ArchiveManifestJson) => void,
): RawMember[] {
  const [first, ...rest] = members;
  const manifest = JSON.parse(first!.data.toString('utf8')) as ArchiveManifestJson;
  change(manifest);
  return [file(first!.header.name, `${JSON.stringify(manifest, null, 2)}\n`), ...rest];
}

export interface ArchiveManifestJson {
  kind: string;
  tag: string;
  digest: string;
  files: Array<{ path: string; sha256: string; size: number }>;
  size: number;
  [key: string]: unknown;
}
