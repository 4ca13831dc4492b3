/**
 * NumPy .npz archives (np.savez, np.savez_compressed): a zip of .npy members named after the arrays.
 * Members are found through the central directory, because numpy writes its local headers with zip64
 * placeholder sizes (so zip64 and data descriptors are fine: the directory's sizes are the ones used);
 * only stored and deflated members are read, and encrypted or multi-part archives are refused. Every
 * offset and size is checked against the buffer before it is used, members may not overlap each other
 * or the directory, names and sizes are checked before anything is inflated, and each member's CRC-32
 * is checked.
 */
import { promisify } from 'node:util';
import { crc32, inflateRaw, inflateRawSync } from 'node:zlib';
import type { Dtype } from '../../src/shared/schemas.js';
import type { Tensor } from '../../src/shared/service.js';
import { badRequest, type HttpError } from '../errors.js';
import { decodeNpy } from './binary.js';

/** A tensor read from a .npy file: never strings. */
export type NpyTensor = Tensor & { dtype: Exclude<Dtype, 'string'> };

export interface NpzLimits {
  /** Uncompressed bytes of all members together (default 256 MiB). */
  maxBytes?: number;
  /** Members at most (default 1024). */
  maxMembers?: number;
  /** Called with each array's name before anything is inflated: throws to refuse an unwanted one. */
  checkName?: (name: string) => void;
}

const DEFAULT_MAX_BYTES = 256 * 1024 * 1024;
const DEFAULT_MAX_MEMBERS = 1024;

const SIG = {
  local: 0x04034b50,
  central: 0x02014b50,
  end: 0x06054b50,
  zip64End: 0x06064b50,
  zip64Locator: 0x07064b50,
} as const;
const END_SIZE = 22;
const LOCAL_SIZE = 30;
const CENTRAL_SIZE = 46;
const ZIP64_EXTRA = 0x0001;
const U16_MAX = 0xffff;
const U32_MAX = 0xffffffff;
const FLAG_ENCRYPTED = 0x1;
const FLAG_UTF8 = 0x800;
const STORED = 0;
const DEFLATED = 8;

const fail = (problem: string): HttpError => badRequest(`.npz archive: ${problem}`);

interface Member {
  name: string;
  method: number;
  flags: number;
  crc: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

/** A member found in the directory, checked, with where its (compressed) data lies. */
interface Located {
  member: Member;
  /** The array's name: the member name without `.npy`. */
  key: string;
  start: number;
  end: number;
}

/** Reads a .npz archive into its arrays, by name (the member name without `.npy`). */
export function readNpz(buffer: Uint8Array, limits: NpzLimits = {}): Map<string, NpyTensor> {
  const arrays = new Map<string, NpyTensor>();
  for (const { member, key, start, end } of locate(buffer, limits)) {
    const data = buffer.subarray(start, end);
    arrays.set(key, toTensor(member, key, member.method === DEFLATED ? inflateSync(member, data) : data));
  }
  return arrays;
}

const inflateRawAsync = promisify(inflateRaw);

/**
 * `readNpz` with deflated members inflated on libuv's thread pool, so a large compressed body does not
 * hold the event loop for the whole inflation; the checks and bounds are the same.
 */
export async function readNpzAsync(
  buffer: Uint8Array,
  limits: NpzLimits = {},
): Promise<Map<string, NpyTensor>> {
  const arrays = new Map<string, NpyTensor>();
  for (const { member, key, start, end } of locate(buffer, limits)) {
    const data = buffer.subarray(start, end);
    let bytes: Uint8Array = data;
    if (member.method === DEFLATED) {
      try {
        bytes = await inflateRawAsync(data, { maxOutputLength: Math.max(1, member.size) });
      } catch (err) {
        throw inflateFailure(member, err);
      }
    }
    arrays.set(key, toTensor(member, key, bytes));
  }
  return arrays;
}

/** Everything checked before a byte is inflated: directory, bounds, overlaps, names, methods. */
function locate(buffer: Uint8Array, limits: NpzLimits): Located[] {
  const maxBytes = limits.maxBytes ?? DEFAULT_MAX_BYTES;
  const maxMembers = limits.maxMembers ?? DEFAULT_MAX_MEMBERS;
  const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  const directory = findDirectory(buffer, view);
  if (directory.count > maxMembers)
    throw fail(`it has ${directory.count} members, more than the ${maxMembers} allowed`);
  const members = readDirectory(buffer, view, directory);

  let total = 0;
  for (const m of members) total += m.size;
  if (total > maxBytes)
    throw fail(`its arrays take ${total} bytes uncompressed, more than the ${maxBytes} allowed`);

  // Data ranges, checked disjoint and before the directory: overlapping members are how zip bombs
  // multiply their output, and no writer of .npz files produces them.
  const ranges = members
    .map((m) => ({ member: m, ...dataRange(buffer, view, m, directory.offset) }))
    .sort((a, b) => a.start - b.start);
  for (let i = 1; i < ranges.length; i++) {
    if (ranges[i]!.headerStart < ranges[i - 1]!.end)
      throw fail(`members "${ranges[i - 1]!.member.name}" and "${ranges[i]!.member.name}" overlap`);
  }

  const keys = new Set<string>();
  const located: Located[] = [];
  for (const { member, start, end } of ranges) {
    if (!member.name.endsWith('.npy') || member.name.length === 4)
      throw fail(`member "${member.name}" is not a .npy file (np.savez names them <array>.npy)`);
    const key = member.name.slice(0, -4);
    if (keys.has(key)) throw fail(`array "${key}" appears twice`);
    keys.add(key);
    checkMethod(member);
    limits.checkName?.(key);
    located.push({ member, key, start, end });
  }
  return located;
}

interface Directory {
  offset: number;
  size: number;
  count: number;
}

function findDirectory(buffer: Uint8Array, view: DataView): Directory {
  if (buffer.byteLength < END_SIZE) throw fail(`${buffer.byteLength} bytes is too short to be a zip file`);
  // The end record sits before a comment of at most 64 KiB; search back from the end for it.
  const lowest = Math.max(0, buffer.byteLength - END_SIZE - U16_MAX);
  let end = -1;
  for (let at = buffer.byteLength - END_SIZE; at >= lowest; at--) {
    if (
      view.getUint32(at, true) === SIG.end &&
      at + END_SIZE + view.getUint16(at + 20, true) <= buffer.byteLength
    ) {
      end = at;
      break;
    }
  }
  if (end < 0) throw fail('no end of central directory record: it is not a zip file, or it is truncated');
  if (view.getUint16(end + 4, true) !== 0 || view.getUint16(end + 6, true) !== 0)
    throw fail('multi-part zip files are not supported');
  let count = view.getUint16(end + 10, true);
  let size = view.getUint32(end + 12, true);
  let offset = view.getUint32(end + 16, true);
  if (count === U16_MAX || size === U32_MAX || offset === U32_MAX) {
    const locator = end - 20;
    if (locator < 0 || view.getUint32(locator, true) !== SIG.zip64Locator)
      throw fail('the end record points to a zip64 record that is missing');
    const record = u64(view, locator + 8, 'the zip64 end record offset');
    if (record + 56 > locator || view.getUint32(record, true) !== SIG.zip64End)
      throw fail('the zip64 end record is missing or out of bounds');
    count = u64(view, record + 32, 'the member count');
    size = u64(view, record + 40, 'the central directory size');
    offset = u64(view, record + 48, 'the central directory offset');
  }
  if (offset + size > end) throw fail('the central directory lies outside the file');
  return { offset, size, count };
}

function readDirectory(buffer: Uint8Array, view: DataView, directory: Directory): Member[] {
  const members: Member[] = [];
  const limit = directory.offset + directory.size;
  let at = directory.offset;
  for (let i = 0; i < directory.count; i++) {
    if (at + CENTRAL_SIZE > limit || view.getUint32(at, true) !== SIG.central)
      throw fail(`central directory entry ${i + 1} is missing or damaged`);
    const flags = view.getUint16(at + 8, true);
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const commentLength = view.getUint16(at + 32, true);
    const next = at + CENTRAL_SIZE + nameLength + extraLength + commentLength;
    if (next > limit) throw fail(`central directory entry ${i + 1} runs past the directory`);
    const nameBytes = buffer.subarray(at + CENTRAL_SIZE, at + CENTRAL_SIZE + nameLength);
    const name = Buffer.from(nameBytes).toString(flags & FLAG_UTF8 ? 'utf8' : 'latin1');
    const member: Member = {
      name,
      method: view.getUint16(at + 10, true),
      flags,
      crc: view.getUint32(at + 16, true),
      compressedSize: view.getUint32(at + 20, true),
      size: view.getUint32(at + 24, true),
      localOffset: view.getUint32(at + 42, true),
    };
    const disk = view.getUint16(at + 34, true);
    readZip64Extra(view, at + CENTRAL_SIZE + nameLength, extraLength, member, disk === U16_MAX);
    members.push(member);
    at = next;
  }
  return members;
}

/** Sizes and offsets at their 32-bit maximum are given in the zip64 extra field, in this order. */
function readZip64Extra(view: DataView, start: number, length: number, member: Member, disk: boolean): void {
  const wanted = [member.size, member.compressedSize, member.localOffset].some((v) => v === U32_MAX) || disk;
  if (!wanted) return;
  const end = start + length;
  for (let at = start; at + 4 <= end; ) {
    const id = view.getUint16(at, true);
    const size = view.getUint16(at + 2, true);
    if (at + 4 + size > end) break;
    if (id === ZIP64_EXTRA) {
      let field = at + 4;
      const take = (what: string): number => {
        if (field + 8 > at + 4 + size) throw fail(`member "${member.name}": the zip64 field lacks ${what}`);
        const value = u64(view, field, what);
        field += 8;
        return value;
      };
      if (member.size === U32_MAX) member.size = take('its size');
      if (member.compressedSize === U32_MAX) member.compressedSize = take('its compressed size');
      if (member.localOffset === U32_MAX) member.localOffset = take('its offset');
      return;
    }
    at += 4 + size;
  }
  throw fail(`member "${member.name}": its sizes point to a zip64 field that is missing`);
}

function dataRange(
  buffer: Uint8Array,
  view: DataView,
  member: Member,
  directoryOffset: number,
): { headerStart: number; start: number; end: number } {
  const at = member.localOffset;
  if (at + LOCAL_SIZE > directoryOffset || view.getUint32(at, true) !== SIG.local)
    throw fail(`member "${member.name}": its local header is missing or out of bounds`);
  const nameLength = view.getUint16(at + 26, true);
  const extraLength = view.getUint16(at + 28, true);
  const start = at + LOCAL_SIZE + nameLength + extraLength;
  const end = start + member.compressedSize;
  if (end > directoryOffset) throw fail(`member "${member.name}": its data runs past the end of the archive`);
  const localName = buffer.subarray(at + LOCAL_SIZE, at + LOCAL_SIZE + nameLength);
  if (Buffer.compare(localName, Buffer.from(member.name, member.flags & FLAG_UTF8 ? 'utf8' : 'latin1')) !== 0)
    throw fail(`member "${member.name}": its local header names another file`);
  return { headerStart: at, start, end };
}

function checkMethod(member: Member): void {
  if (member.flags & FLAG_ENCRYPTED) throw fail(`member "${member.name}" is encrypted`);
  if (member.method === STORED && member.compressedSize !== member.size)
    throw fail(
      `member "${member.name}" is stored but its sizes differ (${member.compressedSize} and ${member.size})`,
    );
  if (member.method !== STORED && member.method !== DEFLATED)
    throw fail(
      `member "${member.name}" uses compression method ${member.method}; expected stored or deflated (np.savez or np.savez_compressed)`,
    );
}

function inflateSync(member: Member, data: Uint8Array): Uint8Array {
  try {
    // The output may not exceed the declared size: the bound was checked before inflating.
    return inflateRawSync(data, { maxOutputLength: Math.max(1, member.size) });
  } catch (err) {
    throw inflateFailure(member, err);
  }
}

function inflateFailure(member: Member, err: unknown): HttpError {
  const code = (err as NodeJS.ErrnoException).code;
  return fail(
    `member "${member.name}" ${code === 'ERR_BUFFER_TOO_LARGE' ? `inflates beyond its declared ${member.size} bytes` : `does not inflate (${(err as Error).message})`}`,
  );
}

/** The member's bytes (stored, or inflated) checked against its size and CRC, read as .npy. */
function toTensor(member: Member, key: string, bytes: Uint8Array): NpyTensor {
  if (bytes.byteLength !== member.size)
    throw fail(
      `member "${member.name}" holds ${bytes.byteLength} bytes, not the ${member.size} its header says`,
    );
  if (crc32(bytes) >>> 0 !== member.crc)
    throw fail(`member "${member.name}" fails its CRC-32 check: the file is damaged`);
  return decodeNpy(bytes, key) as NpyTensor;
}

function u64(view: DataView, at: number, what: string): number {
  if (at + 8 > view.byteLength) throw fail(`${what} lies outside the file`);
  const value = view.getBigUint64(at, true);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw fail(`${what} is too large`);
  return Number(value);
}
