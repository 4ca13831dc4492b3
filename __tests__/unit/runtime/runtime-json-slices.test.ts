/**
 * Large JSON bodies are parsed and decoded in slices (runtime/tensors/json-parse.ts, the sliced
 * number scan, TensorWalk): whatever the slice boundaries, the results must be JSON.parse's and the
 * synchronous path's, bit for bit, and the same bodies must be refused.
 */
import { describe, expect, it } from 'vitest';
import { decodeBody, decodeRequest, SLICED_JSON_BYTES } from '../../../runtime/http/decode.js';
import { decodeJsonTensor, decodeJsonTensorInSlices } from '../../../runtime/tensors/json.js';
import { NumberArraysInSlices, parseNumberArrays } from '../../../runtime/tensors/json-numbers.js';
import { JsonSliceParser } from '../../../runtime/tensors/json-parse.js';
import type { TensorSpec } from '../../../src/shared/schemas.js';

function parseSliced(text: string, budget: number): unknown {
  const parser = new JsonSliceParser(Buffer.from(text));
  while (!parser.step(budget));
  return parser.result;
}

function scanSliced(text: string, dtype: 'float32' | 'float64', budget: number) {
  const scan = new NumberArraysInSlices(Buffer.from(text), dtype);
  while (!scan.step(budget));
  return scan.tensor;
}

const NUMBERS = [
  '0',
  '-0',
  '-0.0',
  '0.1',
  '0.30000000000000004',
  '2.718281828459045235360287',
  '123456789012345678901234567890',
  '1e22',
  '1e23',
  '9007199254740993',
  '4.9e-324',
  '1e-400',
  '1.7976931348623157e308',
  '1e400',
  '-1E+3',
  '0.000000000000000000000001',
  '123456789012345.6',
];

const DOCUMENTS = [
  '[]',
  '{}',
  ' [ 1 , [ 2 , [ ] ] , { } ] \n',
  `[${NUMBERS.join(',')}]`,
  '{"a": {"b": [true, false, null]}, "c": "d", "a": 2}',
  '"plain"',
  '"esc \\" \\\\ \\/ \\b \\f \\n \\r \\t \\u00e9 \\ud83d\\ude00 \\ud800"',
  '["héllo wörld ✓ 😀", "\\u0000"]',
  '{"__proto__": {"polluted": true}, "constructor": 1}',
  '{"1": 1, "b": 2, "0": 0}',
  '[[[[[[[[[[1]]]]]]]]]]',
  'true',
  ' null ',
  '-12.5e-3',
];

const INVALID = [
  '',
  ' ',
  '[',
  '[1,]',
  '[,1]',
  '[1 2]',
  '{"a" 1}',
  '{"a":}',
  '{a: 1}',
  '{"a": 1,}',
  '[01]',
  '[+1]',
  '[.5]',
  '[1.]',
  '[1e]',
  '[-]',
  '[NaN]',
  '[Infinity]',
  '[tru]',
  '[nul]',
  '"unterminated',
  '"bad \\x escape"',
  '"bad \\u12 escape"',
  '"raw \n newline"',
  '[1]]',
  '[1] x',
  '\ufeff[1]',
  "['single']",
];

describe('JSON in slices', () => {
  it('gives what JSON.parse gives, wherever the slices fall', () => {
    let seed = 11;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const randoms = Array.from({ length: 500 }, () => {
      const x = (random() - 0.5) * 10 ** Math.floor(random() * 40 - 20);
      return [String(x), x.toExponential(Math.floor(random() * 17)), String(Math.fround(x))];
    }).flat();
    for (const text of [...DOCUMENTS, `[${randoms.join(',')}]`]) {
      const expected = JSON.parse(text) as unknown;
      for (const budget of [1, 3, 64, 1 << 14]) {
        const got = parseSliced(text, budget);
        expect(got, `${text.slice(0, 60)} in steps of ${budget}`).toStrictEqual(expected);
      }
    }
  });

  it('keeps "__proto__" an own key, as JSON.parse does, and never the prototype', () => {
    const got = parseSliced('{"__proto__": {"polluted": true}}', 5) as Record<string, unknown>;
    expect(Object.getPrototypeOf(got)).toBe(Object.prototype);
    expect(Object.hasOwn(got, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('refuses what JSON.parse refuses, in one line naming the byte', () => {
    for (const text of INVALID) {
      expect(() => JSON.parse(text), text).toThrow();
      for (const budget of [1, 1 << 14]) {
        expect(() => parseSliced(text, budget), text).toThrow(
          /^the body is not valid JSON: expected .+ at byte \d+, got [^\n]+$/,
        );
      }
    }
    expect(() => parseSliced('[1,\n2,,]', 2)).toThrow(
      "the body is not valid JSON: expected a value at byte 6, got ','",
    );
    expect(() => parseSliced(`${'['.repeat(1001)}${']'.repeat(1001)}`, 1 << 14)).toThrow(
      'the body nests arrays and objects more than 1000 deep',
    );
  });
});

describe('number arrays in slices', () => {
  it("gives the synchronous scan's tensor, or steps aside for the same bodies", () => {
    const bodies = [
      '[[5.1, 3.5, 1.4, 0.2], [6.2, 3.4, 5.4, 2.3]]',
      ` [ ${NUMBERS.filter((n) => !n.includes('e400')).join(' , ')} ] `,
      '[[[1],[2]],[[3],[4]]]',
      '[[1,2],[3]]',
      '[1,[2]]',
      '[1e400]',
      '[1e39]',
      '[1,',
      '[1]x',
      '{"x": [1]}',
    ];
    for (const text of bodies) {
      for (const dtype of ['float32', 'float64'] as const) {
        const expected = parseNumberArrays(Buffer.from(text), dtype);
        for (const budget of [1, 2, 5, 1 << 14]) {
          expect(scanSliced(text, dtype, budget), `${text} ${dtype} in steps of ${budget}`).toStrictEqual(
            expected,
          );
        }
      }
    }
  });
});

describe('tensors in slices', () => {
  it('decodes what decodeJsonTensor decodes and refuses what it refuses, with the same message', async () => {
    const cases: Array<[unknown, TensorSpec['dtype']]> = [
      [
        [
          [1, 2],
          [3, 4],
        ],
        'float32',
      ],
      [
        [
          [[1], [2]],
          [[3], [4]],
        ],
        'int32',
      ],
      [[['9007199254740993', 1]], 'int64'],
      [[true, 0, 1], 'bool'],
      [[['a', 'b']], 'string'],
      [[1.5, 65504], 'float16'],
      [7, 'uint8'],
      [[], 'float32'],
      [[[], []], 'float64'],
      [[[1, 2], [3]], 'float32'],
      [[[1, 2], 3], 'int8'],
      [[[1, 'x']], 'float64'],
      [[[1, 1e39]], 'float32'],
      [[70000], 'float16'],
      [
        [
          [[1, 2]],
          [
            [3, 4],
            [5, 6],
          ],
        ],
        'int16',
      ],
    ];
    for (const [value, dtype] of cases) {
      let expected: unknown;
      try {
        expected = decodeJsonTensor(value, dtype, 'x');
      } catch (err) {
        expected = err;
      }
      const got = await decodeJsonTensorInSlices(value, dtype, 'x').catch((err: unknown) => err);
      if (expected instanceof Error)
        expect((got as Error).message, JSON.stringify(value)).toBe(expected.message);
      else expect(got, JSON.stringify(value)).toStrictEqual(expected);
    }
  });

  it("takes a large body through the sliced path with the synchronous path's result", async () => {
    const specs: TensorSpec[] = [{ name: 'x', dtype: 'float32', shape: [-1, 4] }];
    const headers = { 'content-type': 'application/json' };
    const rows = Array.from({ length: 12_000 }, (_, r) => [r / 7, -r, Math.fround(r * 1.1), 1e-7 * r]);
    const body = Buffer.from(JSON.stringify(rows));
    expect(body.length).toBeGreaterThan(SLICED_JSON_BYTES);
    for (const keepJson of [false, true]) {
      const pending = decodeBody(headers, body, specs, keepJson);
      expect(pending).toBeInstanceOf(Promise);
      const sliced = await pending;
      const sync = decodeRequest(headers, body, specs, keepJson);
      expect(sliced.inputs).toStrictEqual(sync.inputs);
      if (keepJson) expect(sliced.json).toStrictEqual(sync.json);
    }
    // A small body takes the synchronous path: no Promise, no extra turn of the event loop.
    expect(decodeBody(headers, Buffer.from('[[1,2,3,4]]'), specs, false)).not.toBeInstanceOf(Promise);
  });
});
