/**
 * The .npz reader: archives numpy itself wrote (np.savez and np.savez_compressed, zip64 local
 * headers), archives built here stored and deflated, and hostile or damaged ones, each refused with
 * one line that says what is wrong.
 */
import { describe, expect, it } from 'vitest';
import { encodeNpy } from '../../../runtime/tensors/binary.js';
import { readNpz } from '../../../runtime/tensors/npz.js';
import { buildZip, floatTensor, npz } from '../../support/npz.js';

// numpy 2.4: np.savez(f, input=np.arange(6, dtype=np.float32).reshape(1, 2, 3), ids=np.array([[7, -2]]))
const NUMPY_SAVEZ =
  'UEsDBC0AAAAAAAAAIQCpfI0r//////////8JABQAaW5wdXQubnB5AQAQAJgAAAAAAAAAmAAAAAAAAACTTlVNUFkBAHYAeydkZXNjcic6ICc8ZjQnLCAnZm9ydHJhbl9vcmRlcic6IEZhbHNlLCAnc2hhcGUnOiAoMSwgMiwgMyksIH0gICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgCgAAAAAAAIA/AAAAQAAAQEAAAIBAAACgQFBLAwQtAAAAAAAAACEAu9IQT///////////BwAUAGlkcy5ucHkBABAAkAAAAAAAAACQAAAAAAAAAJNOVU1QWQEAdgB7J2Rlc2NyJzogJzxpOCcsICdmb3J0cmFuX29yZGVyJzogRmFsc2UsICdzaGFwZSc6ICgxLCAyKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAKBwAAAAAAAAD+/////////1BLAQItAy0AAAAAAAAAIQCpfI0rmAAAAJgAAAAJAAAAAAAAAAAAAACAAQAAAABpbnB1dC5ucHlQSwECLQMtAAAAAAAAACEAu9IQT5AAAACQAAAABwAAAAAAAAAAAAAAgAHTAAAAaWRzLm5weVBLBQYAAAAAAgACAGwAAACcAQAAAAA=';
// The same arrays through np.savez_compressed.
const NUMPY_SAVEZ_COMPRESSED =
  'UEsDBC0AAAAIAAAAIQCpfI0r//////////8JABQAaW5wdXQubnB5AQAQAJgAAAAAAAAAWAAAAAAAAACb7BfqGxDJyFDGUK2eklqcXKRupaBuk2airqOgnpZfVFKUmBefX5SSChJ3S8wpTgWKF2ckFqQC+RqGOgpGOgrGmjoKtQrkAS4GMGiwBxIOQATEDUC8wAEAUEsDBC0AAAAIAAAAIQC70hBP//////////8HABQAaWRzLm5weQEAEACQAAAAAAAAAE0AAAAAAAAAm+wX6hsQychQxlCtnpJanFykbqWgbpNpoa6joJ6WX1RSlJgXn1+UkgoSd0vMKU4FihdnJBakAvkahjoKRpo6CrUKZAMudgYI+PcfAgBQSwECLQMtAAAACAAAACEAqXyNK1gAAACYAAAACQAAAAAAAAAAAAAAgAEAAAAAaW5wdXQubnB5UEsBAi0DLQAAAAgAAAAhALvSEE9NAAAAkAAAAAcAAAAAAAAAAAAAAIABkwAAAGlkcy5ucHlQSwUGAAAAAAIAAgBsAAAAGQEAAAAA';

const refused = (bytes: Uint8Array, message: RegExp, limits = {}) => {
  let error: unknown;
  try {
    readNpz(bytes, limits);
  } catch (err) {
    error = err;
  }
  expect(error, 'the archive was accepted').toBeInstanceOf(Error);
  const text = (error as Error).message;
  expect(text).toMatch(message);
  expect(text).not.toContain('\n');
  expect((error as { status?: number }).status).toBe(400);
};

describe('readNpz', () => {
  it('reads what numpy wrote, stored and compressed', () => {
    for (const encoded of [NUMPY_SAVEZ, NUMPY_SAVEZ_COMPRESSED]) {
      const arrays = readNpz(Buffer.from(encoded, 'base64'));
      expect([...arrays.keys()]).toEqual(['input', 'ids']);
      const input = arrays.get('input')!;
      expect(input.dtype).toBe('float32');
      expect(input.shape).toEqual([1, 2, 3]);
      expect(Array.from(input.data as Float32Array)).toEqual([0, 1, 2, 3, 4, 5]);
      const ids = arrays.get('ids')!;
      expect(ids.dtype).toBe('int64');
      expect(ids.shape).toEqual([1, 2]);
      expect(Array.from(ids.data as BigInt64Array)).toEqual([7n, -2n]);
    }
  });

  it('reads archives built here, stored and deflated, with and without zip64 local headers', () => {
    const image = floatTensor([2, 3, 8, 8]);
    for (const method of ['stored', 'deflated'] as const) {
      for (const zip64Local of [true, false]) {
        const { bytes } = buildZip([{ name: 'image.npy', data: encodeNpy(image) }], { method, zip64Local });
        const read = readNpz(bytes).get('image')!;
        expect(read.shape).toEqual([2, 3, 8, 8]);
        expect(Array.from(read.data as Float32Array)).toEqual(Array.from(image.data as Float32Array));
      }
    }
  });

  it('refuses what is not a zip, or is cut short', () => {
    refused(Buffer.from('not a zip at all, just text'), /^\.npz archive: no end of central directory record/);
    refused(Buffer.alloc(5), /too short to be a zip file/);
    const whole = npz({ input: floatTensor([1, 4]) });
    refused(whole.subarray(0, whole.length - 30), /no end of central directory record/);
    refused(whole.subarray(40), /central directory lies outside the file|local header is missing/);
  });

  it('refuses damaged members: CRC, sizes, methods, names, encryption', () => {
    const zip = buildZip([{ name: 'input.npy', data: encodeNpy(floatTensor([1, 4])) }]);
    const flip = (at: number, xor = 0xff) => {
      const copy = Buffer.from(zip.bytes);
      copy[at]! ^= xor;
      return copy;
    };
    const dataStart = 30 + 'input.npy'.length + 20;
    refused(flip(dataStart + 80), /member "input.npy" fails its CRC-32 check: the file is damaged$/);
    const central = zip.centralOffsets[0]!;
    const withField = (at: number, write: (b: Buffer) => void) => {
      const copy = Buffer.from(zip.bytes);
      write(copy.subarray(at));
      return copy;
    };
    refused(
      withField(central + 10, (b) => b.writeUInt16LE(12, 0)),
      /uses compression method 12; expected stored or deflated/,
    );
    refused(
      withField(central + 8, (b) => b.writeUInt16LE(1, 0)),
      /member "input.npy" is encrypted/,
    );
    refused(
      withField(central + 24, (b) => b.writeUInt32LE(10, 0)),
      /is stored but its sizes differ/,
    );
    refused(
      withField(central + 20, (b) => b.writeUInt32LE(1 << 30, 0)),
      /its data runs past the end of the archive/,
    );
    refused(
      withField(central + 46, (b) => b.write('other', 0, 'latin1')),
      /its local header names another file/,
    );
    const notNpy = buildZip([{ name: 'notes.txt', data: Buffer.from('hello') }]);
    refused(notNpy.bytes, /member "notes.txt" is not a \.npy file/);
    const twice = buildZip([
      { name: 'a.npy', data: encodeNpy(floatTensor([1])) },
      { name: 'a.npy', data: encodeNpy(floatTensor([2])) },
    ]);
    refused(twice.bytes, /array "a" appears twice/);
  });

  it('refuses a deflated member that inflates beyond its declared size, before keeping the output', () => {
    const big = new Uint8Array(1 << 20); // a megabyte of zeros deflates to about a kilobyte
    const zip = buildZip([{ name: 'input.npy', data: big }], { method: 'deflated' });
    const copy = Buffer.from(zip.bytes);
    copy.writeUInt32LE(1000, zip.centralOffsets[0]! + 24);
    refused(copy, /member "input.npy" inflates beyond its declared 1000 bytes/);
  });

  it('bounds the total size and the member count before inflating anything', () => {
    const big = npz({ input: floatTensor([256, 256]) }, 'deflated');
    refused(big, /its arrays take \d+ bytes uncompressed, more than the 1000 allowed/, { maxBytes: 1000 });
    const many = npz({ a: floatTensor([1]), b: floatTensor([1]), c: floatTensor([1]) });
    refused(many, /it has 3 members, more than the 2 allowed/, { maxMembers: 2 });
  });

  it('refuses members that overlap (one stretch of bytes read twice)', () => {
    const zip = buildZip([
      { name: 'a.npy', data: encodeNpy(floatTensor([4])) },
      { name: 'a.npy', data: encodeNpy(floatTensor([4])) },
    ]);
    const copy = Buffer.from(zip.bytes);
    copy.writeUInt32LE(zip.localOffsets[0]!, zip.centralOffsets[1]! + 42);
    refused(copy, /members "a.npy" and "a.npy" overlap$/);
  });
});
