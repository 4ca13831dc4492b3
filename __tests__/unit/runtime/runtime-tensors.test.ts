/** Tensor codecs and batch merging of the runtime, without ORT or HTTP. */
import { describe, expect, it } from 'vitest';
import { HttpError } from '../../../runtime/errors.js';
import { decodeRequest } from '../../../runtime/http/decode.js';
import { encodeOutputs } from '../../../runtime/http/encode.js';
import { axesOfSpecs, batchKey, rowsOf } from '../../../runtime/tensors/batch-layout.js';
import { decodeNpy, encodeNpy, tensorFromBytes } from '../../../runtime/tensors/binary.js';
import { concatAlong, splitAlong } from '../../../runtime/tensors/concat.js';
import { fromHalfBits, toHalfBits } from '../../../runtime/tensors/dtype.js';
import { decodeJsonTensor, encodeJsonTensor } from '../../../runtime/tensors/json.js';
import { validateInputs } from '../../../runtime/tensors/validate.js';
import type { Tensor } from '../../../src/shared/service.js';

function badRequest(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(HttpError);
    expect((err as HttpError).status).toBe(400);
    return (err as Error).message;
  }
  throw new Error('expected a 400');
}

describe('JSON tensors', () => {
  it('decodes nested arrays into a typed array with the shape of the nesting', () => {
    const t = decodeJsonTensor(
      [
        [1, 2, 3],
        [4, 5, 6],
      ],
      'float32',
      'x',
    );
    expect(t.shape).toEqual([2, 3]);
    expect(t.data).toEqual(new Float32Array([1, 2, 3, 4, 5, 6]));
    expect(decodeJsonTensor(7, 'int32', 's')).toEqual({
      dtype: 'int32',
      shape: [],
      data: new Int32Array([7]),
    });
    expect(decodeJsonTensor([['9007199254740993']], 'int64', 'i').data).toEqual(
      new BigInt64Array([9007199254740993n]),
    );
    expect(decodeJsonTensor([true, 0], 'bool', 'b').data).toEqual(new Uint8Array([1, 0]));
  });

  it('names the input, the element and what was expected', () => {
    expect(badRequest(() => decodeJsonTensor([[1, 'a']], 'float32', 'x'))).toBe(
      'input "x": expected float32 numbers, got the string "a" at [0][1]',
    );
    expect(badRequest(() => decodeJsonTensor([[1, 2], [3]], 'float32', 'x'))).toMatch(
      /input "x": the nested arrays are not rectangular: expected 2 elements at \[1\], got 1/,
    );
    expect(badRequest(() => decodeJsonTensor([1.5], 'int64', 'ids'))).toMatch(
      /input "ids": expected int64 integers .* got 1.5 at \[0\]/,
    );
    expect(badRequest(() => decodeJsonTensor([300], 'uint8', 'u'))).toMatch(
      /expected uint8 integers \(0..255\)/,
    );
    expect(badRequest(() => decodeJsonTensor([null], 'float32', 'x'))).toMatch(/got null at \[0\]/);
  });

  it('encodes nested JSON; NaN as null, big int64 as strings, float16 from half bits', () => {
    expect(
      encodeJsonTensor({ dtype: 'float32', shape: [2, 2], data: new Float32Array([1, 2.5, Number.NaN, 4]) }),
    ).toBe('[[1,2.5],[null,4]]');
    expect(encodeJsonTensor({ dtype: 'int64', shape: [2], data: new BigInt64Array([3n, 2n ** 60n]) })).toBe(
      `[3,"${2n ** 60n}"]`,
    );
    expect(encodeJsonTensor({ dtype: 'bool', shape: [1, 2], data: new Uint8Array([1, 0]) })).toBe(
      '[[true,false]]',
    );
    expect(
      encodeJsonTensor({
        dtype: 'float16',
        shape: [2],
        data: new Uint16Array([toHalfBits(1.5), toHalfBits(-2)]),
      }),
    ).toBe('[1.5,-2]');
    expect(encodeJsonTensor({ dtype: 'float32', shape: [], data: new Float32Array([3]) })).toBe('3');
    expect(
      JSON.parse(encodeJsonTensor({ dtype: 'float32', shape: [2, 0], data: new Float32Array([]) })),
    ).toEqual([[], []]);
  });

  it('converts float16 with round-to-nearest-even and keeps specials', () => {
    for (const x of [0, 1, -1, 0.5, 65504, 2 ** -14, 2 ** -24]) expect(fromHalfBits(toHalfBits(x))).toBe(x);
    expect(fromHalfBits(toHalfBits(1 + 2 ** -11))).toBe(1);
    expect(fromHalfBits(toHalfBits(1e6))).toBe(Number.POSITIVE_INFINITY);
    expect(Number.isNaN(fromHalfBits(toHalfBits(Number.NaN)))).toBe(true);
  });
});

describe('binary tensors', () => {
  it('round-trips .npy and checks sizes', () => {
    const t: Tensor = { dtype: 'float32', shape: [2, 3], data: new Float32Array([1, 2, 3, 4, 5, 6]) };
    const npy = encodeNpy(t);
    expect(npy.subarray(0, 6).toString('latin1')).toBe('\x93NUMPY');
    expect((npy.length - 24) % 64).toBe(0); // header padded to 64 bytes, then 6 x 4 data bytes
    expect(decodeNpy(new Uint8Array(npy), 'x')).toEqual(t);
    const bad = Buffer.concat([npy.subarray(0, npy.length - 4)]);
    expect(badRequest(() => decodeNpy(bad, 'x'))).toBe(
      'input "x": body has 20 bytes but float32 [2, 3] needs 24',
    );
    expect(badRequest(() => decodeNpy(Buffer.from('nope'), 'x'))).toMatch(/not a .npy file/);
  });

  it('copies raw bytes into a buffer the tensor owns', () => {
    const raw = Buffer.from(new Int32Array([1, -2]).buffer);
    const t = tensorFromBytes(raw, 'int32', [2], 'x');
    expect(t.data).toEqual(new Int32Array([1, -2]));
    expect((t.data as Int32Array).buffer.byteLength).toBe(8);
  });

  it('decodes octet-stream bodies by their headers and refuses unknown content types', () => {
    const specs = [{ name: 'x', dtype: 'float32' as const, shape: ['batch', 2] }];
    const body = Buffer.from(new Float32Array([1, 2, 3, 4]).buffer);
    const headers = {
      'content-type': 'application/octet-stream',
      'x-tensor-dtype': 'float32',
      'x-tensor-shape': '2,2',
    };
    expect(decodeRequest(headers, body, specs).inputs['x']!.shape).toEqual([2, 2]);
    expect(badRequest(() => decodeRequest({ ...headers, 'x-tensor-shape': 'a' }, body, specs))).toMatch(
      /invalid x-tensor-shape "a"/,
    );
    expect(
      badRequest(() => decodeRequest({ ...headers, 'x-tensor-dtype': 'complex64' }, body, specs)),
    ).toMatch(/unsupported x-tensor-dtype "complex64"/);
    expect(() => decodeRequest({ 'content-type': 'image/png' }, body, specs)).toThrow(
      /unsupported content-type "image\/png"/,
    );
    expect(
      badRequest(() => decodeRequest({ 'content-type': 'application/json' }, Buffer.from('[[1,2'), specs)),
    ).toMatch(/the body is not valid JSON/);
  });

  it('encodes a single output as .npy or raw bytes, several as a JSON object', () => {
    const a: Tensor = { dtype: 'float32', shape: [1, 2], data: new Float32Array([1, 2]) };
    const b: Tensor = { dtype: 'int32', shape: [1], data: new Int32Array([7]) };
    expect(encodeOutputs({ a }, undefined).body).toBe('[[1,2]]');
    expect(encodeOutputs({ a, b }, 'application/json').body).toBe('{"a":[[1,2]],"b":[7]}');
    const raw = encodeOutputs({ a }, 'application/octet-stream');
    expect(raw.headers['x-tensor-shape']).toBe('1,2');
    expect(decodeNpy(new Uint8Array(encodeOutputs({ a }, 'application/x-npy').body as Buffer), 'a')).toEqual(
      a,
    );
    expect(() => encodeOutputs({ a, b }, 'application/x-npy')).toThrow(
      /carries one tensor but this API returns 2/,
    );
  });
});

describe('signatures and batches', () => {
  const specs = [
    { name: 'features', dtype: 'float32' as const, shape: ['batch', 4] },
    { name: 'bucket', dtype: 'int64' as const, shape: ['batch', 1] },
  ];
  const f = (rows: number): Tensor => ({
    dtype: 'float32',
    shape: [rows, 4],
    data: new Float32Array(rows * 4),
  });
  const b = (rows: number): Tensor => ({ dtype: 'int64', shape: [rows, 1], data: new BigInt64Array(rows) });

  it('says which input is wrong and what was expected', () => {
    validateInputs({ features: f(2), bucket: b(2) }, specs);
    expect(badRequest(() => validateInputs({ features: f(2) }, specs))).toBe(
      'input "bucket" is missing: expected int64 [batch, 1] (inputs: "features", "bucket")',
    );
    expect(
      badRequest(() => validateInputs({ features: { ...f(1), shape: [1, 3] }, bucket: b(1) }, specs)),
    ).toBe('input "features": expected float32 [batch, 4], got float32 [1, 3]');
    expect(
      badRequest(() =>
        validateInputs(
          { features: { dtype: 'int32', shape: [1, 4], data: new Int32Array(4) }, bucket: b(1) },
          specs,
        ),
      ),
    ).toBe('input "features": expected float32 [batch, 4], got int32 [1, 4]');
    expect(badRequest(() => validateInputs({ features: f(1), bucket: b(1), extra: f(1) }, specs))).toMatch(
      /input "extra" is not an input/,
    );
    expect(badRequest(() => rowsOf({ features: f(2), bucket: b(3) }, axesOfSpecs(specs, 0)))).toMatch(
      /input "bucket": 3 rows along its batch axis 0, but "features" has 2; they must match/,
    );
    expect(rowsOf({ features: f(3), bucket: b(3) }, axesOfSpecs(specs, 0))).toBe(3);
  });

  it('keys requests by every dim but the batch dim', () => {
    const x = (shape: number[]): Tensor => ({
      dtype: 'float32',
      shape,
      data: new Float32Array(shape.reduce((a, c) => a * c, 1)),
    });
    const spec = [{ name: 'x', dtype: 'float32' as const, shape: ['batch', 'n'] }];
    const key = (t: Tensor) => batchKey({ x: t }, axesOfSpecs(spec, 0));
    expect(key(x([1, 3]))).toBe(key(x([5, 3])));
    expect(key(x([1, 3]))).not.toBe(key(x([1, 5])));
  });

  it('concatenates and splits along any axis, each part in its own buffer', () => {
    // Two tensors [2, k, 2] concatenated along axis 1.
    const a: Tensor = { dtype: 'int32', shape: [2, 1, 2], data: new Int32Array([1, 2, 3, 4]) };
    const b: Tensor = { dtype: 'int32', shape: [2, 2, 2], data: new Int32Array([5, 6, 7, 8, 9, 10, 11, 12]) };
    const merged = concatAlong([a, b], 1);
    expect(merged.shape).toEqual([2, 3, 2]);
    expect(Array.from(merged.data as Int32Array)).toEqual([1, 2, 5, 6, 7, 8, 3, 4, 9, 10, 11, 12]);
    const [a2, b2] = splitAlong(merged, 1, [1, 2]);
    expect(a2).toEqual(a);
    expect(b2).toEqual(b);
    expect((a2!.data as Int32Array).buffer).not.toBe((b2!.data as Int32Array).buffer);
    const rows = splitAlong({ dtype: 'string', shape: [3], data: ['a', 'b', 'c'] }, 0, [2, 1]);
    expect(rows.map((r) => r.data)).toEqual([['a', 'b'], ['c']]);
  });
});
