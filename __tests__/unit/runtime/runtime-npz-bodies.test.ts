/**
 * .npz request and answer bodies (issue #15) against the bundled runtime: several inputs in one
 * archive, stored and deflated (built with node:zlib here), the content types numpy users send,
 * answers with Accept: application/x-npz read back by a zip reader written here, refusals of
 * archives that would inflate past --max-request-bytes, and the OpenAPI offering only what each API
 * takes.
 */
import { crc32 } from 'node:zlib';
import onnxProto from 'onnx-proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultOpenApi } from '../../../runtime/service/openapi.js';
import { readNpz, readNpzAsync } from '../../../runtime/tensors/npz.js';
import { writeNpz } from '../../../runtime/tensors/npz-write.js';
import { openApiDocument } from '../../../src/build/openapi.js';
import type { BentoApi } from '../../../src/shared/schemas.js';
import type { Tensor } from '../../../src/shared/service.js';
import {
  post,
  type ServerProcess,
  saveFixtureModel,
  startServer,
  tempHome,
  writeBento,
} from '../../support/bento-fixture.js';
import { buildZip, npz } from '../../support/npz.js';
import { encode, irisModel, valueInfo } from '../../support/onnx-fixture.js';

const { onnx } = onnxProto;
const T = onnx.TensorProto.DataType;

/** `x` FP32 [b, 3], `k` INT64 [b, 1] -> `doubled` = x + x, `k_out` = k: two tensors each way. */
function pairModel(): Uint8Array {
  return encode({
    name: 'pair',
    node: [
      onnx.NodeProto.create({ opType: 'Add', input: ['x', 'x'], output: ['doubled'] }),
      onnx.NodeProto.create({ opType: 'Identity', input: ['k'], output: ['k_out'] }),
    ],
    input: [valueInfo('x', T.FLOAT, ['batch', 3]), valueInfo('k', T.INT64, ['batch', 1])],
    output: [valueInfo('doubled', T.FLOAT, ['batch', 3]), valueInfo('k_out', T.INT64, ['batch', 1])],
  });
}

const MAX_REQUEST_BYTES = 2 * 1024 * 1024;
let server: ServerProcess;
let home: string;

beforeAll(async () => {
  home = await tempHome();
  const bento = await writeBento(home, {
    models: [{ name: 'pair', onnx: pairModel() }],
    // Admission holds a request to max_latency_ms; a 25,000-row request takes longer than the default.
    apis: [{ name: 'pair', model: 'pair', batching: { enabled: false, max_latency_ms: 60_000 } }],
  });
  server = await startServer(bento.dir, [
    '--workers',
    '1',
    '--threads',
    '1',
    '--max-request-bytes',
    String(MAX_REQUEST_BYTES),
  ]);
}, 60_000);

afterAll(async () => {
  await server?.stop();
});

/** A seeded float32 [rows, 3] that does not compress much (so a large deflated body stays large). */
function noisy(rows: number, seed = 3): Tensor {
  const data = new Float32Array(rows * 3);
  let s = seed;
  for (let i = 0; i < data.length; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    data[i] = s / 2147483648 - 0.5;
  }
  return { dtype: 'float32', shape: [rows, 3], data };
}
const ids = (rows: number): Tensor => ({
  dtype: 'int64',
  shape: [rows, 1],
  data: BigInt64Array.from({ length: rows }, (_, i) => BigInt(i * 7 - 3)),
});

const send = (body: Uint8Array, headers: Record<string, string>) => post(`${server.url}/pair`, body, headers);

/** The JSON answer the route must give for these inputs. */
function expectedAnswer(x: Tensor, k: Tensor) {
  const xs = Array.from(x.data as Float32Array);
  const rows = x.shape[0]!;
  return {
    doubled: Array.from({ length: rows }, (_, r) =>
      xs.slice(r * 3, r * 3 + 3).map((v) => Math.fround(v + v)),
    ),
    k_out: Array.from(k.data as BigInt64Array, (v) => [Number(v)]),
  };
}

/** A zip reader written from the format (not the server's): stored members, checked by CRC-32. */
function readStoredZip(bytes: Buffer): Map<string, Buffer> {
  const end = bytes.length - 22;
  expect(bytes.readUInt32LE(end)).toBe(0x06054b50);
  const count = bytes.readUInt16LE(end + 10);
  let at = bytes.readUInt32LE(end + 16);
  const members = new Map<string, Buffer>();
  for (let i = 0; i < count; i++) {
    expect(bytes.readUInt32LE(at)).toBe(0x02014b50);
    const method = bytes.readUInt16LE(at + 10);
    const crc = bytes.readUInt32LE(at + 16);
    const size = bytes.readUInt32LE(at + 24);
    const nameLength = bytes.readUInt16LE(at + 28);
    const local = bytes.readUInt32LE(at + 42);
    const name = bytes.subarray(at + 46, at + 46 + nameLength).toString('utf8');
    expect(method).toBe(0);
    expect(bytes.readUInt32LE(local)).toBe(0x04034b50);
    const start = local + 30 + bytes.readUInt16LE(local + 26) + bytes.readUInt16LE(local + 28);
    const data = bytes.subarray(start, start + size);
    expect(crc32(data) >>> 0).toBe(crc);
    members.set(name, data);
    at += 46 + nameLength + bytes.readUInt16LE(at + 30) + bytes.readUInt16LE(at + 32);
  }
  return members;
}

/** A .npy member's dtype descr, shape and data bytes, by its header. */
function readNpyMember(bytes: Buffer): { descr: string; shape: number[]; data: Buffer } {
  expect(bytes.subarray(0, 6).toString('latin1')).toBe('\x93NUMPY');
  const headerLength = bytes.readUInt16LE(8);
  const header = bytes.subarray(10, 10 + headerLength).toString('latin1');
  const descr = /'descr': '([^']+)'/.exec(header)![1]!;
  const shape = /'shape': \(([^)]*)\)/
    .exec(header)![1]!
    .split(',')
    .filter((d) => d.trim() !== '')
    .map(Number);
  return { descr, shape, data: bytes.subarray(10 + headerLength) };
}

describe('.npz request bodies', () => {
  it('carry every input of a multi-input API, stored or deflated', async () => {
    const x = noisy(4);
    const k = ids(4);
    const expected = expectedAnswer(x, k);
    for (const method of ['stored', 'deflated'] as const) {
      const answer = await send(npz({ x, k }, method), { 'content-type': 'application/x-npz' });
      expect(answer.status, answer.text).toBe(200);
      expect(answer.json).toEqual(expected);
    }
  });

  it('are read under the types numpy users send, and by position for np.savez(f, a, b)', async () => {
    const x = noisy(2, 9);
    const k = ids(2);
    const expected = expectedAnswer(x, k);
    const named = npz({ k, x });
    for (const type of [
      'application/npz',
      'application/zip',
      'application/x-zip-compressed',
      'application/octet-stream',
    ]) {
      const answer = await send(named, { 'content-type': type });
      expect(answer.status, `${type}: ${answer.text}`).toBe(200);
      expect(answer.json).toEqual(expected);
    }
    const positional = await send(npz({ arr_0: x, arr_1: k }, 'deflated'), {
      'content-type': 'application/x-npz',
    });
    expect(positional.status, positional.text).toBe(200);
    expect(positional.json).toEqual(expected);
  });

  it('are decoded off the event loop when large, with the same result', async () => {
    const x = noisy(25_000);
    const k = ids(25_000);
    const expected = expectedAnswer(x, k);
    for (const method of ['stored', 'deflated'] as const) {
      const body = npz({ x, k }, method);
      expect(body.length).toBeGreaterThan(256 * 1024);
      const answer = await send(body, { 'content-type': 'application/x-npz' });
      expect(answer.status, answer.text.slice(0, 300)).toBe(200);
      expect(answer.json).toEqual(expected);
    }
  });

  it('refuses unknown arrays, archives that inflate past --max-request-bytes, and zip bombs', async () => {
    const refused = async (body: Uint8Array, message: RegExp) => {
      const answer = await send(body, { 'content-type': 'application/x-npz' });
      expect(answer.status, answer.text).toBe(400);
      const error = (answer.json as { error: string }).error;
      expect(error).toMatch(message);
      expect(error).not.toMatch(/\n/);
    };
    await refused(
      npz({ x: noisy(1), kk: ids(1) }),
      /^\.npz array "kk" is not an input of this API \(inputs: "x", "k"\); save each under its input's name/,
    );
    // 3 MiB of zeros deflate to a few KiB: the body is small, what it inflates to is not.
    const zeros: Tensor = { dtype: 'float32', shape: [262_144, 3], data: new Float32Array(262_144 * 3) };
    const big = npz({ x: zeros, k: ids(1) }, 'deflated');
    expect(big.length).toBeLessThan(64 * 1024);
    await refused(
      big,
      new RegExp(
        `^\\.npz archive: its arrays take \\d+ bytes uncompressed, more than the ${MAX_REQUEST_BYTES} allowed$`,
      ),
    );
    // A member that declares 1000 bytes but inflates to a megabyte is cut off at its declared size.
    const bomb = buildZip([{ name: 'x.npy', data: new Uint8Array(1 << 20) }], { method: 'deflated' });
    const forged = Buffer.from(bomb.bytes);
    forged.writeUInt32LE(1000, bomb.centralOffsets[0]! + 24);
    await refused(forged, /^\.npz archive: member "x.npy" inflates beyond its declared 1000 bytes$/);
    await refused(
      Buffer.from('PK\x03\x04 looks like a zip, then is not one at all'),
      /^\.npz archive: no end of central directory record/,
    );
  });
});

describe('.npz answers', () => {
  it('hold one <output>.npy per output with Accept: application/x-npz', async () => {
    const x = noisy(3);
    const k = ids(3);
    const answer = await fetch(`${server.url}/pair`, {
      method: 'POST',
      body: npz({ x, k }),
      headers: { 'content-type': 'application/x-npz', accept: 'application/x-npz' },
    });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('application/x-npz');
    const members = readStoredZip(Buffer.from(await answer.arrayBuffer()));
    expect([...members.keys()]).toEqual(['doubled.npy', 'k_out.npy']);
    const doubled = readNpyMember(members.get('doubled.npy')!);
    expect(doubled.descr).toBe('<f4');
    expect(doubled.shape).toEqual([3, 3]);
    expect(Array.from(new Float32Array(new Uint8Array(doubled.data).buffer))).toEqual(
      Array.from(x.data as Float32Array, (v) => Math.fround(v + v)),
    );
    const kOut = readNpyMember(members.get('k_out.npy')!);
    expect(kOut.descr).toBe('<i8');
    expect(kOut.shape).toEqual([3, 1]);
    expect(Array.from(new BigInt64Array(new Uint8Array(kOut.data).buffer))).toEqual(
      Array.from(k.data as BigInt64Array),
    );
  });

  it('are what a single-tensor Accept type points to for several outputs', async () => {
    const answer = await send(npz({ x: noisy(1), k: ids(1) }), {
      'content-type': 'application/x-npz',
      accept: 'application/x-npy',
    });
    expect(answer.status).toBe(406);
    expect((answer.json as { error: string }).error).toMatch(
      /carries one tensor but this API returns 2 \(doubled, k_out\); ask for application\/x-npz or application\/json$/,
    );
  });
});

describe('OpenAPI body types', () => {
  const apiOf = (name: string, inputs: number, outputs: number): BentoApi => ({
    name,
    route: `/${name}`,
    model: 'm:1',
    method: 'run',
    batching: { enabled: false, max_batch_size: 1, max_latency_ms: 10 },
    input: Array.from({ length: inputs }, (_, i) => ({
      name: `in${i}`,
      dtype: 'float32' as const,
      shape: [-1, 2],
    })),
    output: Array.from({ length: outputs }, (_, i) => ({
      name: `out${i}`,
      dtype: 'float32' as const,
      shape: [-1, 2],
    })),
  });
  type Doc = {
    paths: Record<
      string,
      {
        post: {
          requestBody: { content: object };
          responses: { '200': { content: object } };
          parameters?: unknown[];
        };
      }
    >;
  };
  const types = (doc: Doc, route: string) => ({
    request: Object.keys(doc.paths[route]!.post.requestBody.content).sort(),
    response: Object.keys(doc.paths[route]!.post.responses['200'].content).sort(),
  });
  const all = ['application/json', 'application/octet-stream', 'application/x-npy', 'application/x-npz'];
  const multi = ['application/json', 'application/x-npz'];

  it('offer single-tensor types only for one tensor, .npz for any count (both documents)', () => {
    const apis = [apiOf('one', 1, 1), apiOf('many_in', 2, 1), apiOf('many_out', 1, 2)];
    const built = openApiDocument({ title: 't', apis, batchDims: {} }) as unknown as Doc;
    const served = defaultOpenApi('t', '1', apis) as unknown as Doc;
    for (const doc of [built, served]) {
      expect(types(doc, '/one')).toEqual({ request: all, response: all });
      expect(types(doc, '/many_in')).toEqual({ request: multi, response: all });
      expect(types(doc, '/many_out')).toEqual({ request: all, response: multi });
    }
    expect(built.paths['/many_in']!.post.parameters).toBeUndefined();
    expect(built.paths['/one']!.post.parameters).toHaveLength(2);
  });

  it('are what a served model entry describes at /docs.json', async () => {
    const pair = await saveFixtureModel(home, { name: 'pairentry', onnx: pairModel() });
    const iris = await saveFixtureModel(home, { name: 'irisentry', onnx: irisModel() });
    for (const [model, expected] of [
      [pair, { request: multi, response: multi }],
      [iris, { request: all, response: all }],
    ] as const) {
      const entry = await startServer(model.dir, ['--workers', '1', '--threads', '1']);
      try {
        const doc = (await (await fetch(`${entry.url}/docs.json`)).json()) as Doc;
        expect(types(doc, Object.keys(doc.paths)[0]!)).toEqual(expected);
      } finally {
        await entry.stop();
      }
    }
  }, 60_000);
});

describe('writeNpz and readNpzAsync', () => {
  it('write what the reader reads back, and read on the thread pool with the same checks', async () => {
    const tensors: Array<[string, Tensor]> = [
      ['x', noisy(5)],
      ['k', ids(5)],
      ['flag', { dtype: 'bool', shape: [3], data: new Uint8Array([1, 0, 1]) }],
      ['scalär', { dtype: 'float64', shape: [], data: new Float64Array([2.5]) }],
    ];
    const written = writeNpz(tensors);
    for (const read of [readNpz(written), await readNpzAsync(written)]) {
      expect([...read.keys()]).toEqual(['x', 'k', 'flag', 'scalär']);
      for (const [name, tensor] of tensors) expect(read.get(name)).toEqual(tensor);
    }
    const bomb = buildZip([{ name: 'x.npy', data: new Uint8Array(1 << 20) }], { method: 'deflated' });
    const forged = Buffer.from(bomb.bytes);
    forged.writeUInt32LE(1000, bomb.centralOffsets[0]! + 24);
    await expect(readNpzAsync(forged)).rejects.toThrow(
      /member "x.npy" inflates beyond its declared 1000 bytes$/,
    );
    const refuseName = (name: string) => {
      throw new Error(`no ${name}`);
    };
    // The name is refused before a byte is inflated: the forged member would fail inflation otherwise.
    expect(() => readNpz(forged, { checkName: refuseName })).toThrow(/^no x$/);
  });
});
