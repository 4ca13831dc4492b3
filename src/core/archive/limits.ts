/**
 * What an archive may cost an importer. The manifest (first member, at most MAX_MANIFEST_BYTES)
 * declares every member's size before any member is written, so everything after it is bounded by
 * what it declares: the total against `--max-size` and the free space where the entry is staged,
 * each member against its declared size, and the tar stream (after decompression) against the bytes
 * those members can take, plus a small allowance. A gzip bomb, zeros hidden between members or after
 * the tar's end, or an endless stdin are refused after a bounded amount of work, not read to the end.
 */
import { statfs } from 'node:fs/promises';
import { BentoError } from '../errors.js';
import { invalidValue, type ValueName } from '../invalid-value.js';
import { formatBytes } from '../progress.js';
import { option, say } from '../user-text.js';
import { type ArchiveManifest, ENTRY_DIR, MAX_MANIFEST_BYTES } from './format.js';

/**
 * The default for `--max-size`: above any single ONNX model or bento we expect (ONNX's own external
 * data layout tops out well below it), far below what a 1000:1 gzip bomb claims on a CI runner.
 */
export const DEFAULT_MAX_IMPORT_BYTES = 64 * 1024 ** 3;

/**
 * Tar bytes allowed after the last member: the end-of-archive blocks and the record padding GNU tar
 * and bsdtar add (10 KiB records; up to 1 MiB with a large `-b`). More than that is not a tar trailer.
 */
export const TRAILER_ALLOWANCE = 1024 * 1024;

/** Free space left over after the entry, for the info file the store rewrites and the filesystem. */
const FREE_SPACE_MARGIN = 16 * 1024 * 1024;
const BLOCK = 512;
/** Raw bytes may run ahead of decompressed ones by the stream buffers between them. */
const RAW_SLACK = 8 * 1024 * 1024;

const UNITS: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/** Parses a size (`maxSize`): bytes, or a number with K/KiB, M/MiB, G/GiB or T/TiB (powers of 1024). */
export function parseByteSize(text: string, name: ValueName = 'maxSize'): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(?:([kmgt])(i?b)?|b)?\s*$/i.exec(text);
  const unit = match?.[2]?.toLowerCase() ?? '';
  // "MB" is ambiguous (10^6 or 2^20); saying which is cheaper than guessing wrong.
  const decimal = match?.[3] !== undefined && match[3].toLowerCase() === 'b';
  if (!match || decimal) {
    throw invalidValue(name, text, 'expected bytes or a size like 512MiB, 64GiB or 1TiB (powers of 1024)');
  }
  const bytes = Math.floor(Number(match[1]) * (UNITS[unit] ?? 1));
  if (!Number.isSafeInteger(bytes) || bytes <= 0)
    throw invalidValue(name, text, 'expected a size above 0 bytes');
  return bytes;
}

/** Refuses a manifest that declares more than `maxBytes` before a single member is read. */
export function checkDeclaredSize(manifest: ArchiveManifest, maxBytes: number, label: string): void {
  if (manifest.size > maxBytes) {
    throw new BentoError(
      say`archive "${label}" declares ${formatBytes(manifest.size)} of files, more than the import limit of ${formatBytes(maxBytes)}; pass a larger ${option('maxSize')} if you expect an entry that big`,
    );
  }
}

/** Refuses to stage an entry that cannot fit on the filesystem holding `dir`. */
export async function checkFreeSpace(dir: string, manifest: ArchiveManifest, label: string): Promise<void> {
  const fs = await statfs(dir).catch(() => undefined);
  if (!fs) return; // No statfs (an exotic filesystem): the write itself will say ENOSPC.
  const free = fs.bavail * fs.bsize;
  if (manifest.size + FREE_SPACE_MARGIN > free) {
    throw new BentoError(
      `archive "${label}" declares ${formatBytes(manifest.size)} of files but only ${formatBytes(free)} is free where the store stages it (${dir}); free some space or point BENTOCI_HOME elsewhere`,
    );
  }
}

/**
 * The most tar bytes the members a manifest lists can take: each file's header and padded data,
 * a long-name header (pax or GNU) for it and for one directory member beside it.
 */
export function tarBytesFor(manifest: ArchiveManifest): number {
  let total = 0;
  for (const file of manifest.files) {
    const name = ENTRY_DIR.length + 1 + Buffer.byteLength(file.path);
    const longName = BLOCK + roundUp(name + 2 * BLOCK);
    total += BLOCK + roundUp(file.size) + 2 * (BLOCK + longName);
  }
  return total;
}

function roundUp(n: number): number {
  return Math.ceil(n / BLOCK) * BLOCK;
}

/**
 * Counts the bytes an import reads (raw) and feeds the tar parser (decompressed), and refuses once
 * either passes what the archive can legitimately hold at that point: the manifest's bound before
 * it is read, the members' bound after, and a trailer's once every listed member has arrived.
 */
export class TarBudget {
  private tar = 0;
  private raw = 0;
  private limit = MAX_MANIFEST_BYTES + 4 * BLOCK + TRAILER_ALLOWANCE;
  private stage: 'before the manifest' | 'in its members' | 'after its last member' = 'before the manifest';
  /** Set when the budget refused, so the importer reports it rather than the broken stream it causes. */
  refusal: BentoError | undefined;

  constructor(private readonly label: string) {}

  /** The manifest is read: the rest may take what its members can. */
  expect(manifest: ArchiveManifest): void {
    this.limit = this.tar + tarBytesFor(manifest) + TRAILER_ALLOWANCE;
    this.stage = 'in its members';
  }

  /** Every listed member arrived: only a tar trailer may follow. */
  complete(): void {
    this.limit = Math.min(this.limit, this.tar + TRAILER_ALLOWANCE);
    this.stage = 'after its last member';
  }

  takeRaw(bytes: number): void {
    this.raw += bytes;
    if (this.raw > this.limit + this.limit / 512 + RAW_SLACK) this.refuse('bytes');
  }

  takeTar(bytes: number): void {
    this.tar += bytes;
    if (this.tar > this.limit) this.refuse('tar bytes');
  }

  private refuse(what: string): never {
    this.refusal ??= new BentoError(
      `archive "${this.label}" holds more data than its manifest accounts for (over ${formatBytes(this.limit)} of ${what}, ${this.stage}); refusing to read further`,
    );
    throw this.refusal;
  }
}
