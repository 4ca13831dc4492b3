/**
 * The KServe v2 binary tensor data extension (issue #15), against the bundled runtime, through a
 * client written here from the spec (shared/interop/kserve/extension_binary_data.md), not from the
 * server's code: all-binary and mixed JSON/binary inputs, outputs as binary per output and for the
 * whole request, BOOL and BYTES layouts, and malformed bodies refused with one line each.
 */
import onnxProto from 'onnx-proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { post, type ServerProcess, startServer, tempHome, writeBento } from '../../support/bento-fixture.js';
import {
  type Answer,
  bools,
  bytesElements,
  floats,
  fp32,
  HEADER,
  infer as inferAt,
  int64,
  readBytesElements,
  splitAnswer,
} from '../../support/kserve-client.js';
import { encode, twoInputModel, valueInfo } from '../../support/onnx-fixture.js';

const { onnx } = onnxProto;
const T = onnx.TensorProto.DataType;

/**
 * `flag` BOOL [b, 3], `text` STRING [b], `x` FP32 [b, 3] -> `flag_out` (flag), `text_out` (text),
 * `y` = x * float(flag): a BOOL, a BYTES and an FP32 tensor each way.
 */
function boolTextModel(): Uint8Array {
  const cast = onnx.NodeProto.create({
    opType: 'Cast',
    input: ['flag'],
    output: ['flag_f'],
    attribute: [{ name: 'to', type: onnx.AttributeProto.AttributeType.INT, i: T.FLOAT }],
  });
  return encode({
    name: 'bool_text',
    node: [
      onnx.NodeProto.create({ opType: 'Identity', input: ['flag'], output: ['flag_out'] }),
      onnx.NodeProto.create({ opType: 'Identity', input: ['text'], output: ['text_out'] }),
      cast,
      onnx.NodeProto.create({ opType: 'Mul', input: ['x', 'flag_f'], output: ['y'] }),
    ],
    input: [
      valueInfo('flag', T.BOOL, ['batch', 3]),
      valueInfo('text', T.STRING, ['batch']),
      valueInfo('x', T.FLOAT, ['batch', 3]),
    ],
    output: [
      valueInfo('flag_out', T.BOOL, ['batch', 3]),
      valueInfo('text_out', T.STRING, ['batch']),
      valueInfo('y', T.FLOAT, ['batch', 3]),
    ],
  });
}

let server: ServerProcess;

beforeAll(async () => {
  const home = await tempHome();
  const bento = await writeBento(home, {
    models: [
      { name: 'two', onnx: twoInputModel() },
      { name: 'booltext', onnx: boolTextModel() },
    ],
    apis: [
      // Admission holds a request to max_latency_ms; the 20,000-row request needs more than the default.
      { name: 'score', model: 'two', batching: { max_latency_ms: 30_000 } },
      { name: 'mixed', model: 'booltext', batching: { enabled: false } },
    ],
  });
  server = await startServer(bento.dir, ['--workers', '1', '--threads', '1']);
}, 60_000);

afterAll(async () => {
  await server?.stop();
});

/** The client's infer against a model of this server. */
const infer = (model: string, request: unknown, parts: Buffer[] = [], headers: Record<string, string> = {}) =>
  inferAt(`${server.url}/v2/models/${model}/infer`, request, parts, headers);

const FEATURES = [0.5, -1, 2, 3.25, 1, 0, -0.5, 4];
const BUCKETS = [3n, -2n];

async function expectedScores(): Promise<number[]> {
  const viaRoute = await post(`${server.url}/score`, {
    features: [FEATURES.slice(0, 4), FEATURES.slice(4)],
    bucket: BUCKETS.map((b) => [Number(b)]),
  });
  expect(viaRoute.status).toBe(200);
  return (viaRoute.json as number[][]).flat();
}

describe('KServe v2 binary tensor data', () => {
  it('is advertised in the server metadata', async () => {
    const meta = (await (await fetch(`${server.url}/v2`)).json()) as { extensions: string[] };
    expect(meta.extensions).toContain('binary_tensor_data');
  });

  it('takes every input as binary and answers a binary output asked for by name', async () => {
    const expected = await expectedScores();
    const answer = await infer(
      'score',
      {
        id: 'b1',
        inputs: [
          { name: 'features', shape: [2, 4], datatype: 'FP32', parameters: { binary_data_size: 32 } },
          { name: 'bucket', shape: [2, 1], datatype: 'INT64', parameters: { binary_data_size: 16 } },
        ],
        outputs: [{ name: 'score', parameters: { binary_data: true } }],
      },
      [fp32(FEATURES), int64(BUCKETS)],
    );
    expect(answer.status, JSON.stringify(answer.json)).toBe(200);
    expect(answer.headers.get('content-type')).toBe('application/octet-stream');
    expect(answer.json.id).toBe('b1');
    expect(answer.json.outputs).toEqual([
      { name: 'score', datatype: 'FP32', shape: [2, 1], parameters: { binary_data_size: 8 } },
    ]);
    expect(floats(answer.blobs.get('score')!)).toEqual(expected.map((v) => Math.fround(v)));
  });

  it('takes JSON and binary inputs in one request, in either order, and answers JSON unless asked', async () => {
    const expected = await expectedScores();
    const binaryFirst = await infer(
      'score',
      {
        inputs: [
          { name: 'features', shape: [2, 4], datatype: 'FP32', parameters: { binary_data_size: 32 } },
          { name: 'bucket', shape: [2, 1], datatype: 'INT64', data: [3, -2] },
        ],
      },
      [fp32(FEATURES)],
    );
    expect(binaryFirst.status, JSON.stringify(binaryFirst.json)).toBe(200);
    expect(binaryFirst.headers.get(HEADER)).toBeNull();
    expect(binaryFirst.headers.get('content-type')).toBe('application/json');
    expect(binaryFirst.json.outputs![0]!.data).toEqual(expected);

    const jsonFirst = await infer(
      'score',
      {
        inputs: [
          { name: 'features', shape: [2, 4], datatype: 'FP32', data: FEATURES },
          { name: 'bucket', shape: [2, 1], datatype: 'INT64', parameters: { binary_data_size: 16 } },
        ],
        parameters: { binary_data_output: true },
      },
      [int64(BUCKETS)],
    );
    expect(jsonFirst.status, JSON.stringify(jsonFirst.json)).toBe(200);
    expect(floats(jsonFirst.blobs.get('score')!)).toEqual(expected.map((v) => Math.fround(v)));
  });

  it('carries BOOL (a byte each) and BYTES (length-prefixed) both ways, binary_data overriding the request', async () => {
    const text = ['héllo', '', 'tensor ✓'];
    const flags = [true, false, true, false, false, true, true, true, false];
    const x = [1, 2, 3, 4, 5, 6, 7, 8, 9];
    const answer = await infer(
      'mixed',
      {
        inputs: [
          { name: 'flag', shape: [3, 3], datatype: 'BOOL', parameters: { binary_data_size: 9 } },
          {
            name: 'text',
            shape: [3],
            datatype: 'BYTES',
            parameters: { binary_data_size: bytesElements(text).length },
          },
          { name: 'x', shape: [3, 3], datatype: 'FP32', data: x },
        ],
        outputs: [
          { name: 'text_out' },
          { name: 'y', parameters: { binary_data: false } },
          { name: 'flag_out' },
        ],
        parameters: { binary_data_output: true },
      },
      [bools(flags), bytesElements(text)],
    );
    expect(answer.status, JSON.stringify(answer.json)).toBe(200);
    expect(answer.json.outputs!.map((o) => [o.name, o.datatype, o.shape])).toEqual([
      ['text_out', 'BYTES', [3]],
      ['y', 'FP32', [3, 3]],
      ['flag_out', 'BOOL', [3, 3]],
    ]);
    expect(readBytesElements(answer.blobs.get('text_out')!)).toEqual(text);
    expect(Array.from(answer.blobs.get('flag_out')!)).toEqual(flags.map((b) => (b ? 1 : 0)));
    const y = answer.json.outputs!.find((o) => o.name === 'y')!;
    expect(y.parameters).toBeUndefined();
    expect(y.data).toEqual(x.map((v, i) => (flags[i] ? v : 0)));
  });

  it('answers every output as binary with binary_data_output and no outputs listed', async () => {
    const answer = await infer(
      'mixed',
      {
        inputs: [
          { name: 'flag', shape: [1, 3], datatype: 'BOOL', data: [true, true, false] },
          { name: 'text', shape: [1], datatype: 'BYTES', data: ['abc'] },
          { name: 'x', shape: [1, 3], datatype: 'FP32', parameters: { binary_data_size: 12 } },
        ],
        parameters: { binary_data_output: true },
      },
      [fp32([1.5, 2.5, 3.5])],
    );
    expect(answer.status, JSON.stringify(answer.json)).toBe(200);
    expect([...answer.blobs.keys()].sort()).toEqual(['flag_out', 'text_out', 'y']);
    expect(floats(answer.blobs.get('y')!)).toEqual([1.5, 2.5, 0]);
    expect(readBytesElements(answer.blobs.get('text_out')!)).toEqual(['abc']);
    for (const output of answer.json.outputs!) expect(output.data).toBeUndefined();
  });

  it('refuses malformed binary bodies with one line naming the input and what was expected', async () => {
    const features = (size: number, extra: Record<string, unknown> = {}) => ({
      name: 'features',
      shape: [2, 4],
      datatype: 'FP32',
      parameters: { binary_data_size: size },
      ...extra,
    });
    const bucketJson = { name: 'bucket', shape: [2, 1], datatype: 'INT64', data: [1, 2] };
    const refused = async (answer: Promise<Answer> | Answer, message: RegExp) => {
      const { status, json } = await answer;
      expect(status, JSON.stringify(json)).toBe(400);
      expect(json.error).toMatch(message);
      expect(json.error).not.toMatch(/[\n\r]|internal error|RangeError/);
    };
    const raw = async (body: Buffer, headerLength: string) =>
      splitAnswer(
        await fetch(`${server.url}/v2/models/score/infer`, {
          method: 'POST',
          body,
          headers: { 'content-type': 'application/octet-stream', [HEADER]: headerLength },
        }),
      );
    const good = Buffer.from(JSON.stringify({ inputs: [features(32), bucketJson] }));
    const goodBody = Buffer.concat([good, fp32(FEATURES)]);

    await refused(
      raw(goodBody, String(goodBody.length + 1)),
      /^Inference-Header-Content-Length \d+ is beyond the body's \d+ bytes/,
    );
    await refused(raw(goodBody, '12abc'), /^Inference-Header-Content-Length "12abc" is not a byte count/);
    await refused(
      raw(goodBody, String(good.length - 3)),
      /^the JSON header \(Inference-Header-Content-Length bytes\) is not valid JSON/,
    );
    await refused(
      infer('score', { inputs: [features(28), bucketJson] }, [fp32(FEATURES)]),
      /^4 bytes follow the last binary input \("features"\): the inputs' binary_data_size add up to 28, the body has 32/,
    );
    await refused(
      infer('score', { inputs: [features(36), bucketJson] }, [fp32(FEATURES)]),
      /^input "features": its 36 bytes \(binary_data_size\) run past the end of the body: 32 bytes of binary data remain/,
    );
    await refused(
      infer('score', { inputs: [features(28), bucketJson] }, [fp32(FEATURES.slice(1))]),
      /^input "features": binary_data_size is 28 bytes but FP32 \[2, 4\] takes 32$/,
    );
    await refused(
      infer('score', { inputs: [features(32, { data: FEATURES }), bucketJson] }, [fp32(FEATURES)]),
      /^input "features" has both data and parameters.binary_data_size/,
    );
    await refused(
      post(`${server.url}/v2/models/score/infer`, {
        inputs: [features(32), bucketJson],
      }) as unknown as Promise<Answer>,
      /^input "features" has parameters.binary_data_size, but the request has no Inference-Header-Content-Length header/,
    );
    await refused(
      infer('score', { inputs: [{ ...features(-1) }, bucketJson] }, [fp32(FEATURES)]),
      /^input "features": parameters.binary_data_size must be a whole number of bytes, got "-1"$/,
    );
    await refused(
      infer('score', { inputs: [{ name: 'features', shape: [2, 4], datatype: 'FP32' }, bucketJson] }, [
        Buffer.alloc(0),
      ]),
      /^input "features" has no data: send "data", or parameters.binary_data_size/,
    );
    await refused(
      infer('score', { inputs: [features(32), bucketJson], parameters: { binary_data_output: 'yes' } }, [
        fp32(FEATURES),
      ]),
      /^parameters.binary_data_output must be true or false, got "\\"yes\\""$/,
    );
    await refused(
      infer(
        'score',
        { inputs: [features(32), bucketJson], outputs: [{ name: 'score', parameters: { binary_data: 1 } }] },
        [fp32(FEATURES)],
      ),
      /^output "score": parameters.binary_data must be true or false/,
    );
    await refused(
      infer(
        'score',
        { inputs: [bucketJson, { name: 'features', shape: [2, 4], datatype: 'FP32', data: FEATURES }] },
        [Buffer.from('xyz')],
      ),
      /^3 bytes follow the JSON header \(Inference-Header-Content-Length\), but no input has parameters.binary_data_size$/,
    );
  });

  it('decodes a large JSON header in slices with binary inputs after it', async () => {
    const rows = 20_000;
    const features = Array.from({ length: rows * 4 }, (_, i) => ((i * 37) % 101) / 10);
    const buckets = Array.from({ length: rows }, (_, i) => BigInt((i % 9) - 4));
    const request = {
      inputs: [
        { name: 'features', shape: [rows, 4], datatype: 'FP32', data: features },
        { name: 'bucket', shape: [rows, 1], datatype: 'INT64', parameters: { binary_data_size: rows * 8 } },
      ],
      outputs: [{ name: 'score', parameters: { binary_data: true } }],
    };
    expect(JSON.stringify(request).length).toBeGreaterThan(256 * 1024);
    const viaBinary = await infer('score', request, [int64(buckets)]);
    expect(viaBinary.status, JSON.stringify(viaBinary.json)).toBe(200);
    const viaJson = await infer('score', {
      inputs: [
        request.inputs[0],
        { name: 'bucket', shape: [rows, 1], datatype: 'INT64', data: buckets.map(Number) },
      ],
    });
    expect(floats(viaBinary.blobs.get('score')!)).toEqual(viaJson.json.outputs![0]!.data);
  });

  it('refuses what it does not implement rather than ignore it: classification, compressed bodies', async () => {
    const request = {
      inputs: [
        { name: 'features', shape: [2, 4], datatype: 'FP32', data: FEATURES },
        { name: 'bucket', shape: [2, 1], datatype: 'INT64', data: [1, 2] },
      ],
      outputs: [{ name: 'score', parameters: { classification: 2 } }],
    };
    const classification = await infer('score', request);
    expect(classification.status).toBe(400);
    expect(classification.json.error).toBe(
      'output "score": parameters.classification is not supported; ask for the output tensor',
    );
    const gzip = await infer('score', { inputs: request.inputs }, [], { 'content-encoding': 'gzip' });
    expect(gzip.status).toBe(415);
    expect(gzip.json.error).toBe('Content-Encoding "gzip" is not supported: send the body uncompressed');
  });

  it('refuses BYTES elements that run past their data and BOOL bytes other than 0 and 1', async () => {
    const request = (textSize: number, flagSize = 3) => ({
      inputs: [
        { name: 'flag', shape: [1, 3], datatype: 'BOOL', parameters: { binary_data_size: flagSize } },
        { name: 'text', shape: [1], datatype: 'BYTES', parameters: { binary_data_size: textSize } },
        { name: 'x', shape: [1, 3], datatype: 'FP32', data: [1, 2, 3] },
      ],
    });
    const overlong = Buffer.alloc(7);
    overlong.writeUInt32LE(10, 0); // says 10 bytes, 3 follow
    const cases: Array<[Answer | Promise<Answer>, RegExp]> = [
      [
        infer('mixed', request(7), [bools([true, false, true]), overlong]),
        /^input "text": BYTES element \[0\] declares 10 bytes but only 3 remain of its 7-byte data$/,
      ],
      [
        infer('mixed', request(2), [bools([true, false, true]), Buffer.alloc(2)]),
        /^input "text": 1 BYTES elements need at least 4 bytes \(a 4-byte length each\), binary_data_size is 2$/,
      ],
      [
        infer('mixed', request(9), [bools([true, false, true]), bytesElements(['ab']), Buffer.from('zzz')]),
        /^input "text": 3 bytes follow its last BYTES element: its 1 elements take 6 of binary_data_size 9$/,
      ],
      [
        infer('mixed', request(6), [Buffer.from([1, 2, 0]), bytesElements(['ab'])]),
        /^input "flag": BOOL element \[1\] is byte 2; expected 0 \(false\) or 1 \(true\)$/,
      ],
      [
        infer('mixed', request(6), [bools([true, false, true]), Buffer.from([2, 0, 0, 0, 0xff, 0xfe])]),
        /^input "text": BYTES element \[0\] is not valid UTF-8/,
      ],
    ];
    for (const [answer, message] of cases) {
      const { status, json } = await answer;
      expect(status, JSON.stringify(json)).toBe(400);
      expect(json.error).toMatch(message);
    }
  });
});
