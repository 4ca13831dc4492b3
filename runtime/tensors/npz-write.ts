/**
 * Writing .npz answers: one stored (uncompressed) `<name>.npy` member per tensor, as np.savez writes
 * them, readable by np.load and any zip tool. The sizes are known before writing, so every header
 * holds its real sizes and CRC-32 (no data descriptors); archives that would need zip64 (a member or
 * the whole archive at 4 GiB, or more than 65535 members) are refused rather than written wrong.
 */
import { crc32 } from 'node:zlib';
import type { Tensor } from '../../src/shared/service.js';
import { HttpError } from '../errors.js';
import { encodeNpy } from './binary.js';

const LOCAL_SIZE = 30;
const CENTRAL_SIZE = 46;
const END_SIZE = 22;
const U16_MAX = 0xffff;
const U32_MAX = 0xffffffff;
/** "Version needed to extract": 2.0, plain stored members. */
const VERSION = 20;
const FLAG_UTF8 = 0x800;
/** 1980-01-01 00:00 in DOS time: a fixed date, so the same tensors always give the same bytes. */
const DOS_DATE = (0 << 9) | (1 << 5) | 1;

/** The tensors as a .npz archive, in the order given. */
export function writeNpz(tensors: ReadonlyArray<readonly [string, Tensor]>): Buffer {
  if (tensors.length > U16_MAX)
    throw new HttpError(500, `an .npz answer holds at most ${U16_MAX} arrays, not ${tensors.length}`);
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  let centralSize = 0;
  for (const [name, tensor] of tensors) {
    const file = Buffer.from(`${name}.npy`, 'utf8');
    const data = encodeNpy(tensor);
    const utf8 = /[^\x20-\x7e]/.test(name) ? FLAG_UTF8 : 0;
    const crc = crc32(data) >>> 0;
    if (data.length >= U32_MAX || offset >= U32_MAX)
      throw new HttpError(
        500,
        `output "${name}" is too large for an .npz answer without zip64; ask for JSON`,
      );

    const local = Buffer.alloc(LOCAL_SIZE);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(VERSION, 4);
    local.writeUInt16LE(utf8, 6);
    local.writeUInt16LE(0, 8); // stored
    local.writeUInt16LE(0, 10);
    local.writeUInt16LE(DOS_DATE, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(file.length, 26);
    local.writeUInt16LE(0, 28);

    const entry = Buffer.alloc(CENTRAL_SIZE);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE(VERSION, 4); // made by
    entry.writeUInt16LE(VERSION, 6); // needed
    entry.writeUInt16LE(utf8, 8);
    entry.writeUInt16LE(0, 10);
    entry.writeUInt16LE(0, 12);
    entry.writeUInt16LE(DOS_DATE, 14);
    entry.writeUInt32LE(crc, 16);
    entry.writeUInt32LE(data.length, 20);
    entry.writeUInt32LE(data.length, 24);
    entry.writeUInt16LE(file.length, 28);
    entry.writeUInt32LE(offset, 42);

    parts.push(local, file, data);
    central.push(entry, file);
    offset += LOCAL_SIZE + file.length + data.length;
    centralSize += CENTRAL_SIZE + file.length;
  }
  if (offset + centralSize >= U32_MAX)
    throw new HttpError(500, 'the outputs are too large for an .npz answer without zip64; ask for JSON');
  const end = Buffer.alloc(END_SIZE);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(tensors.length, 8);
  end.writeUInt16LE(tensors.length, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, ...central, end]);
}
