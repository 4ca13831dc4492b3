/**
 * The bundled runtime against bodies built to break it (issue #16): each is a 4xx with one line that
 * names the input and what was expected, never a 500 carrying a RangeError's text, and a 20 MB JSON
 * body is parsed without stalling the requests that arrive meanwhile.
 */
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredBento } from '../../../src/core/bento-store.js';
import { post, type ServerProcess, startServer, tempHome, writeBento } from '../../support/bento-fixture.js';
import { doubleIntModel, irisModel } from '../../support/onnx-fixture.js';

let bento: StoredBento;
let server: ServerProcess;

const HOOKS = `export const svc = { apis: { labelled: { pre: (input, ctx) => input } } };`;

beforeAll(async () => {
  const home = await tempHome();
  bento = await writeBento(home, {
    models: [
      { name: 'iris', onnx: irisModel() },
      { name: 'ints', onnx: doubleIntModel() },
    ],
    apis: [
      { name: 'classify', model: 'iris' },
      // Hooks make the runtime keep the parsed body, which takes JSON.parse instead of the number scan.
      { name: 'labelled', model: 'iris' },
      { name: 'double', model: 'ints' },
    ],
    src: { 'service.js': HOOKS },
    module: 'service.js:svc',
  });
  server = await startServer(bento.dir, ['--workers', '1', '--threads', '1']);
}, 60_000);

afterAll(async () => {
  await server?.stop();
});

const OCTET = 'application/octet-stream';

/** A client error: a 4xx whose one-line message matches `message`. */
async function expectRefused(
  answer: Promise<{ status: number; json: unknown; text: string }>,
  status: number,
  message: RegExp,
): Promise<void> {
  const { status: got, json, text } = await answer;
  expect(got, text.slice(0, 300)).toBe(status);
  const error = (json as { error?: string } | undefined)?.error ?? '';
  expect(error).toMatch(message);
  expect(error).not.toMatch(/[\n\r]/);
  expect(error).not.toMatch(/internal error|RangeError|DataView|typed array|call stack|URI malformed/);
}

const v2infer = (model: string) => `${server.url}/v2/models/${model}/infer`;
const fp32 = (data: unknown, shape: number[]) => ({
  inputs: [{ name: 'input', shape, datatype: 'FP32', data }],
});

describe('runtime: nesting', () => {
  it('refuses arrays nested 100k deep with the depth limit, on every path', async () => {
    const deep = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
    const limit =
      /^input "input": the arrays nest more than 32 deep: a tensor here has at most 32 dimensions$/;
    await expectRefused(post(`${server.url}/classify`, deep(100_000)), 400, limit);
    await expectRefused(post(`${server.url}/labelled`, deep(100_000)), 400, limit);
    await expectRefused(
      post(
        v2infer('classify'),
        `{"inputs":[{"name":"input","shape":[1],"datatype":"FP32","data":${deep(100_000)}}]}`,
      ),
      400,
      limit,
    );
    // Large enough to be parsed in slices: the parser's own bound answers first.
    await expectRefused(
      post(`${server.url}/classify`, deep(400_000)),
      400,
      /^the body nests arrays and objects more than 1000 deep$/,
    );
  });
});

describe('runtime: ragged arrays', () => {
  it('refuses a ragged array whose first row promises a huge tensor, before allocating it', async () => {
    // 100k numbers in the first row, then 100k short rows: read as 100001 x 100000 floats (40 GB).
    const wide = `[${'0,'.repeat(99_999)}0]`;
    const body = `[${wide}${',[1,2,3,4]'.repeat(100_000)}]`;
    await expectRefused(
      post(`${server.url}/classify`, body),
      400,
      /^input "input": the nested arrays are not rectangular: expected 100000 elements at \[1\], got 4$/,
    );
    await expectRefused(
      post(`${server.url}/labelled`, body),
      400,
      /^input "input": the nested arrays are not rectangular: expected 100000 elements at \[1\], got 4$/,
    );
    // Three levels of 10^4 along the first path only: 10^12 int32 elements promised by 60 kB.
    const inner = `[${'0,'.repeat(9_999)}0]`;
    const middle = `[${inner}${',0'.repeat(9_999)}]`;
    const outer = `[${middle}${',0'.repeat(9_999)}]`;
    await expectRefused(
      post(`${server.url}/double`, outer),
      400,
      /^input "ids": the nested arrays are not rectangular: expected 10000 elements at \[0\]\[1\], got 0$/,
    );
    await expectRefused(
      post(v2infer('double'), {
        inputs: [{ name: 'ids', shape: [3], datatype: 'INT32', data: JSON.parse(outer) as unknown }],
      }),
      400,
      /^input "ids": the nested arrays are not rectangular/,
    );
  });
});

/** A .npy file: magic, version, header length (2 or 4 bytes), header text, data. */
function npy(header: string, data: Buffer, major = 1, declaredLength?: number): Buffer {
  const text = Buffer.from(header, 'latin1');
  const prefix = Buffer.alloc(major === 1 ? 10 : 12);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]).copy(prefix);
  prefix[6] = major;
  if (major === 1) prefix.writeUInt16LE(declaredLength ?? text.length, 8);
  else prefix.writeUInt32LE(declaredLength ?? text.length, 8);
  return Buffer.concat([prefix, text, data]);
}

describe('runtime: .npy bodies', () => {
  it('refuses truncated and malformed .npy files, saying which part is wrong', async () => {
    const url = `${server.url}/classify`;
    const floats = Buffer.from(new Float32Array([5.1, 3.5, 1.4, 0.2]).buffer);
    const good = npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 4), }\n", floats);
    expect((await post(url, good, { 'content-type': OCTET })).status).toBe(200);
    const cases: Array<[Buffer, RegExp]> = [
      // A version 2 preamble cut after 11 bytes: its header length needs 4 bytes from offset 8.
      [
        npy('', Buffer.alloc(0), 2).subarray(0, 11),
        /^input "input": \.npy file is truncated: 11 bytes, shorter than its 12-byte preamble$/,
      ],
      [
        npy("{'descr': '<f4'", Buffer.alloc(0), 1, 4000),
        /^input "input": \.npy header is truncated: it declares 4000 bytes, the body has 15 after the preamble$/,
      ],
      [
        npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1e0, 4), }\n", floats),
        /^input "input": \.npy shape "\(1e0, 4\)" is invalid: expected non-negative whole numbers$/,
      ],
      [
        npy("{'descr': '<f4', 'fortran_order': False, 'shape': (0x1, 4), }\n", floats),
        /\.npy shape "\(0x1, 4\)" is invalid/,
      ],
      [
        npy("{'descr': '>f4', 'fortran_order': False, 'shape': (1, 4), }\n", floats),
        /^input "input": \.npy dtype ">f4" is not supported/,
      ],
      [
        npy("{'shape': (1, 4)}\n", floats),
        /^input "input": \.npy header is malformed: expected a dict with 'descr', 'fortran_order' and 'shape'/,
      ],
      [
        npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 4), }\n", floats),
        /^input "input": body has 16 bytes but float32 \[2, 4\] needs 32$/,
      ],
      [npy('', Buffer.alloc(0), 9), /^input "input": \.npy format version 9\.0 is not supported/],
    ];
    for (const [body, message] of cases) {
      await expectRefused(post(url, body, { 'content-type': OCTET }), 400, message);
      await expectRefused(post(url, body, { 'content-type': 'application/x-npy' }), 400, message);
    }
  });
});

describe('runtime: octet-stream headers', () => {
  it('takes x-tensor-shape only as plain non-negative decimal integers', async () => {
    const url = `${server.url}/classify`;
    const body = Buffer.from(new Float32Array([5.1, 3.5, 1.4, 0.2]).buffer);
    const headers = (shape: string) => ({
      'content-type': OCTET,
      'x-tensor-dtype': 'float32',
      'x-tensor-shape': shape,
    });
    for (const shape of ['1e0,4', '1,4e0', '0x1,4', '+1,4', '1.0,4', '-1,4', '1,,4', '1,4,', 'Infinity,4']) {
      await expectRefused(
        post(url, body, headers(shape)),
        400,
        new RegExp(
          `^input "input": invalid x-tensor-shape "${shape.replace(/[.+]/g, '\\$&')}": expected comma-separated non-negative whole numbers`,
        ),
      );
    }
    for (const shape of ['1,4', ' 1 , 4 ', '[1,4]', '[1, 4]'])
      expect((await post(url, body, headers(shape))).status).toBe(200);
  });
});

describe('runtime: KServe v2 requests', () => {
  it('answers a malformed percent-escape in the path with a 400, not a 500', async () => {
    for (const [method, path] of [
      ['GET', '/v2/models/%E0%A4%A'],
      ['GET', '/v2/models/%E0%A4%A/ready'],
      ['GET', '/v2/models/classify/versions/%ZZ'],
      ['POST', '/v2/models/%E0%A4%A/infer'],
    ] as const) {
      const res = await fetch(`${server.url}${path}`, {
        method,
        ...(method === 'POST' ? { body: JSON.stringify(fp32([1, 2, 3, 4], [1, 4])) } : {}),
      });
      const text = await res.text();
      await expectRefused(
        Promise.resolve({ status: res.status, json: JSON.parse(text) as unknown, text }),
        400,
        /^the model (name|version) "%(E0%A4%A|ZZ)" in the path is not valid percent-encoding/,
      );
    }
    await expectRefused(
      fetch(`${server.url}/v2/models/a%0Ab`).then(async (res) => {
        const text = await res.text();
        return { status: res.status, json: JSON.parse(text) as unknown, text };
      }),
      400,
      /^the model name "a%0Ab" in the path decodes to a control character$/,
    );
    // Well-formed escapes still decode.
    expect((await fetch(`${server.url}/v2/models/%63lassify`)).status).toBe(200);
  });

  it('refuses an input named twice instead of letting the last one win', async () => {
    await expectRefused(
      post(v2infer('classify'), {
        inputs: [
          { name: 'input', shape: [1, 4], datatype: 'FP32', data: [1, 2, 3, 4] },
          { name: 'input', shape: [1, 4], datatype: 'FP32', data: [5, 6, 7, 8] },
        ],
      }),
      400,
      /^input "input" appears more than once in inputs: send each input once$/,
    );
  });
});

describe('runtime: numbers beyond the dtype', () => {
  it('refuses a literal that overflows the input dtype on every path, naming the input', async () => {
    const f32 =
      /^input "input": the number at \[0\]\[1\] is beyond the float32 range \(\+-3\.4028234663852886e\+38\): got /;
    for (const literal of ['1e400', '-1e400', '1e39', '3.4028235677973366e38']) {
      const body = `[[1, ${literal}, 3, 4]]`;
      await expectRefused(post(`${server.url}/classify`, body), 400, f32);
      await expectRefused(post(`${server.url}/labelled`, body), 400, f32);
      await expectRefused(
        post(
          v2infer('classify'),
          `{"inputs":[{"name":"input","shape":[1,4],"datatype":"FP32","data":${body}}]}`,
        ),
        400,
        f32,
      );
    }
    // A body large enough to be parsed in slices, with the overflow in its last row.
    const rows = `[${'[1,2,3,4],'.repeat(40_000)}[1,1e400,3,4]]`;
    await expectRefused(
      post(`${server.url}/classify`, rows),
      400,
      /^input "input": the number at \[40000\]\[1\] is beyond the float32 range/,
    );
    await expectRefused(
      post(
        v2infer('classify'),
        `{"inputs":[{"name":"input","shape":[40001,4],"datatype":"FP32","data":${rows}}]}`,
      ),
      400,
      /^input "input": the number at \[40000\]\[1\] is beyond the float32 range/,
    );
    // The largest float32 itself is fine.
    expect((await post(`${server.url}/classify`, '[[1, 3.4028234663852886e38, 3, 4]]')).status).toBe(200);
  });
});

describe('runtime: JSON syntax errors', () => {
  it('answers invalid JSON, small or large, in one clean line', async () => {
    await expectRefused(post(`${server.url}/labelled`, '[[1,\n2,,3]]'), 400, /^the body is not valid JSON: /);
    await expectRefused(
      post(`${server.url}/classify`, '[[1,\n2,\u0001]]'),
      400,
      /^the body is not valid JSON: /,
    );
    const large = `[${'[1,2,3,4],'.repeat(40_000)}[1,2,\n,4]]`;
    await expectRefused(
      post(`${server.url}/labelled`, large),
      400,
      /^the body is not valid JSON: expected a value at byte 400007, got ','$/,
    );
  });
});

describe('runtime: names in errors', () => {
  it('quotes and clips client-supplied names, so the error stays one short line', async () => {
    await expectRefused(
      post(`${server.url}/classify`, { 'in\nput': [[1, 2, 3, 4]] }),
      400,
      /^input "in\\nput" is not an input of this API \(inputs: "input"\)$/,
    );
    const long = 'x'.repeat(100_000);
    const answer = post(`${server.url}/classify`, { [long]: [[1, 2, 3, 4]] });
    await expectRefused(answer, 400, /^input "x{80}\.\.\." is not an input of this API/);
    await expectRefused(
      post(v2infer('classify'), { inputs: [{ name: 'a\r\nb', shape: [1], datatype: 'FP32', data: [1] }] }),
      400,
      /^input "a\\r\\nb" is not an input of model "classify"/,
    );
    await expectRefused(
      post(v2infer('classify'), {
        inputs: [{ name: 'input', shape: [1, 4], datatype: 'FP\n32', data: [1, 2, 3, 4] }],
      }),
      400,
      /^input "input": expected datatype FP32, got "FP\\n32"$/,
    );
  });
});

/**
 * Asks /livez one request after another from a worker thread (so this thread's own work, sending
 * 20 MB, cannot delay it) until told to stop: the slowest answer is how long the server's event
 * loop was held.
 */
const POLLER = `
const { parentPort, workerData } = require('node:worker_threads');
let stop = false;
parentPort.once('message', () => { stop = true; });
const livez = async () => (await fetch(workerData.url)).text();
(async () => {
  // The first fetch of a thread loads the HTTP client and connects: not the server's doing.
  await livez();
  parentPort.postMessage('ready');
  let slowest = 0;
  let polls = 0;
  while (!stop) {
    const start = performance.now();
    await livez();
    slowest = Math.max(slowest, performance.now() - start);
    polls++;
  }
  parentPort.postMessage({ slowest, polls });
})();
`;

interface Polled {
  slowestMs: number;
  polls: number;
}

/** Polls /livez from a worker thread while `work` runs. */
async function livezDuring<T>(work: () => Promise<T>): Promise<Polled & { result: T }> {
  const poller = new Worker(POLLER, { eval: true, workerData: { url: `${server.url}/livez` } });
  try {
    await once(poller, 'message');
    const result = await work();
    const report = once(poller, 'message');
    poller.postMessage('stop');
    const [{ slowest, polls }] = (await report) as [{ slowest: number; polls: number }];
    return { result, slowestMs: slowest, polls };
  } finally {
    await poller.terminate();
  }
}

/** What the event loop may be held for, beyond what /livez already takes on this machine unloaded. */
const STALL_MS = 200;

/**
 * When the machine is so loaded that the server waits for a core for long stretches (a CPU-bound
 * thread is what the scheduler makes wait longest), no wall-clock bound holds; what still tells a
 * parse in slices from one block is that no single wait is a large part of the whole request. The
 * landed code held the loop for 40-70% of it even then; slices measured 3-15%.
 */
const STALL_SHARE = 0.25;

describe('runtime: large JSON bodies', () => {
  it('keeps answering other requests while a 20 MB body is parsed', async () => {
    // 5 numbers a row where the model takes 4: the 400 that comes back names the shape, which is
    // known only once the whole body is parsed. Full-precision floats take the slower number path.
    const width = 5;
    const n = Math.ceil(20e6 / (width * 20));
    const row = (r: number) =>
      `[${Array.from({ length: width }, (_, c) => Math.fround(Math.sin(r * 3.3 + c) * 4)).join(',')}]`;
    const matrix = `[${Array.from({ length: n }, (_, r) => row(r)).join(',')}]`;
    expect(matrix.length).toBeGreaterThan(19e6);
    const shape = new RegExp(
      `^input "input": expected float32 \\[batch, 4\\], got float32 \\[${n}, ${width}\\]$`,
    );
    // A loaded 2-core machine delays /livez by itself (the server waits for a core): that noise,
    // measured over a few seconds with nothing else to do, is allowed on top, so the test measures
    // what the parse adds. The landed code held the loop for the whole parse, seconds under load.
    const idle = await livezDuring(() => new Promise((resolve) => setTimeout(resolve, 4000)));
    // The number scan (no hooks); the JSON parser (hooks keep the body); KServe, whose `data` is
    // flat in row-major order.
    const flat = `[${matrix.replaceAll('[', '').replaceAll(']', '')}]`;
    for (const [url, body] of [
      [`${server.url}/classify`, matrix],
      [`${server.url}/labelled`, matrix],
      [
        v2infer('classify'),
        `{"inputs":[{"name":"input","shape":[${n},${width}],"datatype":"FP32","data":${flat}}]}`,
      ],
    ] as const) {
      const start = performance.now();
      const { result, slowestMs, polls } = await livezDuring(() => post(url, body));
      const elapsedMs = performance.now() - start;
      const error = (result.json as { error: string }).error;
      expect(result.status, error).toBe(400);
      expect(error).toMatch(shape);
      expect(
        slowestMs,
        `${url}: slowest /livez ${slowestMs.toFixed(1)} ms over ${polls} polls (unloaded: ${idle.slowestMs.toFixed(1)} ms; the request took ${elapsedMs.toFixed(0)} ms)`,
      ).toBeLessThan(Math.max(STALL_MS + idle.slowestMs, STALL_SHARE * elapsedMs));
      expect(polls).toBeGreaterThan(5);
    }
  }, 120_000);
});
