/**
 * .npz archives built by hand for tests: a zip of .npy members, stored or deflated with node:zlib,
 * with numpy's layout (zip64 placeholder sizes in the local headers, the real ones in the central
 * directory) unless told otherwise. Hostile archives start from these bytes and change a field.
 */
import { crc32, deflateRawSync } from 'node:zlib';
import { encodeNpy } from '../../runtime/tensors/binary.js';
import type { Tensor } from '../../src/shared/service.js';

export interface ZipMember {
  name: string;
  data: Uint8Array;
}

export interface ZipOptions {
  method?: 'stored' | 'deflated';
  /** Local headers as numpy writes them: sizes 0xFFFFFFFF and a zip64 extra field (default true). */
  zip64Local?: boolean;
}

export interface BuiltZip {
  bytes: Buffer;
  /** Offsets of each member's local header and of the central directory, for tampering. */
  localOffsets: number[];
  centralOffsets: number[];
  directoryOffset: number;
}

export function buildZip(members: readonly ZipMember[], options: ZipOptions = {}): BuiltZip {
  const method = options.method === 'deflated' ? 8 : 0;
  const zip64Local = options.zip64Local ?? true;
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  const localOffsets: number[] = [];
  const centralOffsets: number[] = [];
  let offset = 0;
  let centralSize = 0;
  for (const member of members) {
    const name = Buffer.from(member.name, 'utf8');
    const data = method === 8 ? deflateRawSync(member.data) : Buffer.from(member.data);
    const crc = crc32(member.data) >>> 0;
    const extra = Buffer.alloc(zip64Local ? 20 : 0);
    if (zip64Local) {
      extra.writeUInt16LE(0x0001, 0);
      extra.writeUInt16LE(16, 2);
      extra.writeBigUInt64LE(BigInt(member.data.length), 4);
      extra.writeBigUInt64LE(BigInt(data.length), 12);
    }
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(45, 4);
    local.writeUInt16LE(0, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(zip64Local ? 0xffffffff : data.length, 18);
    local.writeUInt32LE(zip64Local ? 0xffffffff : member.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(extra.length, 28);
    localOffsets.push(offset);
    parts.push(local, name, extra, data);
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE(45, 4);
    entry.writeUInt16LE(45, 6);
    entry.writeUInt16LE(0, 8);
    entry.writeUInt16LE(method, 10);
    entry.writeUInt32LE(crc, 16);
    entry.writeUInt32LE(data.length, 20);
    entry.writeUInt32LE(member.data.length, 24);
    entry.writeUInt16LE(name.length, 28);
    entry.writeUInt32LE(offset, 42);
    centralOffsets.push(centralSize);
    central.push(entry, name);
    centralSize += entry.length + name.length;
    offset += local.length + name.length + extra.length + data.length;
  }
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(members.length, 8);
  end.writeUInt16LE(members.length, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(offset, 16);
  return {
    bytes: Buffer.concat([...parts, ...central, end]),
    localOffsets,
    centralOffsets: centralOffsets.map((o) => o + offset),
    directoryOffset: offset,
  };
}

/** An .npz of these arrays (numpy's layout), stored or deflated. */
export function npz(arrays: Record<string, Tensor>, method: 'stored' | 'deflated' = 'stored'): Buffer {
  return buildZip(
    Object.entries(arrays).map(([name, tensor]) => ({ name: `${name}.npy`, data: encodeNpy(tensor) })),
    { method },
  ).bytes;
}

/** A float32 tensor of this shape, filled with a seeded ramp (valid image-like values). */
export function floatTensor(shape: number[], seed = 1): Tensor {
  const count = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(count);
  for (let i = 0; i < count; i++) data[i] = ((i * 7919 + seed * 104729) % 1000) / 1000;
  return { dtype: 'float32', shape, data };
}
