/** The byte-level number-array parser must give what JSON.parse and the general walk give, or step aside. */
import { describe, expect, it } from 'vitest';
import { decodeRequest } from '../../../runtime/http/decode.js';
import { decodeJsonTensor } from '../../../runtime/tensors/json.js';
import { parseNumberArrays } from '../../../runtime/tensors/json-numbers.js';

const general = (text: string, dtype: 'float32' | 'float64') =>
  decodeJsonTensor(JSON.parse(text), dtype, 'x');

function expectSame(text: string, dtype: 'float32' | 'float64' = 'float64'): void {
  const fast = parseNumberArrays(Buffer.from(text), dtype);
  expect(fast, text).toBeDefined();
  const slow = general(text, dtype);
  expect(fast!.shape).toEqual(slow.shape);
  expect(fast!.data.constructor).toBe(slow.data.constructor);
  // Object.is per element: -0 and exact bits matter.
  const a = Array.from(fast!.data as Float64Array);
  const b = Array.from(slow.data as Float64Array);
  for (let i = 0; i < b.length; i++)
    expect(Object.is(a[i], b[i]), `element ${i}: ${a[i]} vs ${b[i]}`).toBe(true);
}

describe('number arrays without JSON.parse', () => {
  it('reads nested arrays of every depth and spacing', () => {
    expectSame('[1,2,3]');
    expectSame('[[5.1, 3.5, 1.4, 0.2]]', 'float32');
    expectSame(' [ [ 1 , -2 ] ,\n\t[ 3e2 , 4E-2 ] ] \r\n');
    expectSame('[[[1],[2]],[[3],[4]]]');
    expectSame('[-0, 0, -0.0, 0.000123, 1e0, 1e-0, 1E+3, -1.5e-7]');
  });

  it('gives the same doubles as JSON.parse, rounding included', () => {
    const tokens = [
      '0.1',
      '0.2',
      '0.30000000000000004',
      '3.141592653589793',
      '2.718281828459045235360287',
      '123456789012345678901234567890',
      '1e22',
      '1e23',
      '9007199254740993',
      '4.9e-324',
      '1e-400',
      '3.4028234663852886e38',
      '0.1e-22',
      '123456789012345.6',
      '0.000000000000000000000001',
    ];
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let i = 0; i < 2000; i++) {
      const x = (random() - 0.5) * 10 ** Math.floor(random() * 40 - 20);
      tokens.push(
        String(x),
        x.toFixed(Math.floor(random() * 12)),
        x.toExponential(Math.floor(random() * 17)),
      );
      tokens.push(String(Math.fround(x)));
    }
    for (const dtype of ['float64', 'float32'] as const) expectSame(`[${tokens.join(',')}]`, dtype);
    expectSame('[1.7976931348623157e308, -1.7976931348623157e308, 3.4028235677973362e38]', 'float64');
  });

  it('refuses a number the dtype cannot hold on both paths, naming the input', () => {
    for (const [token, dtype] of [
      ['1e400', 'float64'],
      ['-1e400', 'float64'],
      ['1e400', 'float32'],
      ['3.4028235677973366e38', 'float32'],
      ['-1e39', 'float32'],
    ] as const) {
      const text = `[[1, ${token}]]`;
      expect(parseNumberArrays(Buffer.from(text), dtype), text).toBeUndefined();
      expect(() => general(text, dtype), text).toThrow(
        new RegExp(`^input "x": the number at \\[0\\]\\[1\\] is beyond the ${dtype} range`),
      );
    }
    // The largest float32, and the largest double below the rounding boundary, stay finite.
    expectSame('[3.4028235677973362e38, -3.4028234663852886e38]', 'float32');
  });

  it('steps aside for anything else, so the general path names the problem', () => {
    for (const text of [
      '{"x": [1]}',
      '[]',
      '[[]]',
      '[1,]',
      '[,1]',
      '[1 2]',
      '[[1,2],[3]]',
      '[[1],2]',
      '[1,[2]]',
      '[01]',
      '[+1]',
      '[.5]',
      '[1.]',
      '[1e]',
      '[-]',
      '[NaN]',
      '["1"]',
      '[true]',
      '[null]',
      '[1]x',
      '[1]]',
      '[[1]',
      '',
      '1',
      '[1',
      '[1e+]',
    ]) {
      expect(parseNumberArrays(Buffer.from(text), 'float32'), text).toBeUndefined();
    }
  });

  it('is what decodeRequest uses when nobody needs the parsed body, with the same errors otherwise', () => {
    const specs = [{ name: 'x', dtype: 'float32' as const, shape: [-1, 2] }];
    const headers = { 'content-type': 'application/json' };
    const fast = decodeRequest(headers, Buffer.from('[[1, 2]]'), specs, false);
    expect(fast.json).toBeUndefined();
    expect(Array.from(fast.inputs['x']!.data as Float32Array)).toEqual([1, 2]);
    const kept = decodeRequest(headers, Buffer.from('[[1, 2]]'), specs, true);
    expect(kept.json).toEqual([[1, 2]]);
    expect(() => decodeRequest(headers, Buffer.from('[[1, 2], [3]]'), specs, false)).toThrow(
      /not rectangular/,
    );
    expect(() => decodeRequest(headers, Buffer.from('[[1, "a"]]'), specs, false)).toThrow(
      /expected float32 numbers/,
    );
    expect(() => decodeRequest(headers, Buffer.from('[[1, 2]'), specs, false)).toThrow(/not valid JSON/);
  });
});
