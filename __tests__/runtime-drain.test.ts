/**
 * SIGTERM drains: the runtime stops accepting, answers every request it had accepted (held in a
 * service hook at the time of the signal, then queued and batched while draining), and exits 0.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { post, type ServerProcess, startServer, tempHome, writeBento } from './support/bento-fixture.js';
import { irisModel } from './support/onnx-fixture.js';

// The pre hook parks each request until the test creates the release file: the requests are then
// provably accepted and unanswered when SIGTERM arrives.
const HOOKS = `
import { existsSync } from 'node:fs';
const release = process.env.DRAIN_TEST_RELEASE;
export default {
  apis: {
    classify: {
      async pre(input) {
        while (!existsSync(release)) await new Promise((r) => setTimeout(r, 5));
        return input;
      },
    },
  },
};
`;

let server: ServerProcess | undefined;

afterAll(async () => {
  await server?.stop();
});

async function inFlight(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(/^bentoci_in_flight_requests (\d+)/m.exec(text)?.[1] ?? -1);
}

describe('runtime: timeouts and clients that leave', () => {
  it('answers 504 after --request-timeout-ms, and counts a client that went away as 499', async () => {
    const home = await tempHome();
    const release = join(await mkdtemp(join(tmpdir(), 'bentoci-timeout-')), 'release');
    const bento = await writeBento(home, {
      models: [{ name: 'iris', onnx: irisModel() }],
      apis: [{ name: 'classify', model: 'iris' }],
      src: { 'service.js': HOOKS },
      module: 'service.js',
    });
    const served = await startServer(bento.dir, ['--workers', '1', '--request-timeout-ms', '300'], {
      DRAIN_TEST_RELEASE: release,
    });
    try {
      const leaving = new AbortController();
      const left = fetch(`${served.url}/classify`, {
        method: 'POST',
        body: '[[1,2,3,4]]',
        signal: leaving.signal,
      }).catch((err: Error) => err.name);
      const timedOut = post(`${served.url}/classify`, [[1, 2, 3, 4]]);
      while ((await inFlight(served.url)) < 2) await new Promise((r) => setTimeout(r, 10));
      leaving.abort();
      expect(await left).toBe('AbortError');
      const answer = await timedOut;
      expect(answer.status).toBe(504);
      expect((answer.json as { error: string }).error).toBe('the request took longer than 300 ms');
      const metrics = await (await fetch(`${served.url}/metrics`)).text();
      expect(metrics).toMatch(/bentoci_requests_total\{api="classify",status="499"\} 1/);
      expect(metrics).toMatch(/bentoci_requests_total\{api="classify",status="504"\} 1/);
      expect(metrics).toMatch(/^bentoci_in_flight_requests 0$/m);
      await writeFile(release, '');
      expect((await post(`${served.url}/classify`, [[1, 2, 3, 4]])).status).toBe(200);
    } finally {
      await served.stop();
    }
  });
});

describe('runtime: SIGTERM', () => {
  it('answers every accepted request, refuses new ones, then exits 0', async () => {
    const home = await tempHome();
    const release = join(await mkdtemp(join(tmpdir(), 'bentoci-drain-')), 'release');
    const bento = await writeBento(home, {
      models: [{ name: 'iris', onnx: irisModel() }],
      apis: [{ name: 'classify', model: 'iris', batching: { max_batch_size: 8, max_latency_ms: 5000 } }],
      src: { 'service.js': HOOKS },
      module: 'service.js',
    });
    server = await startServer(bento.dir, ['--workers', '1'], { DRAIN_TEST_RELEASE: release });
    const url = server.url;

    const inputs = Array.from({ length: 20 }, (_, i) => [[i, 1, 2, 3]]);
    const answers = inputs.map((x) => post(`${url}/classify`, x));
    while ((await inFlight(url)) < inputs.length) await new Promise((r) => setTimeout(r, 10));

    server.child.kill('SIGTERM');
    while (!server.logs.some((l) => l.msg === 'draining')) await new Promise((r) => setTimeout(r, 5));
    // Not accepted any more: a new connection is refused, or answered 503.
    const late = await fetch(`${url}/classify`, { method: 'POST', body: '[[1,2,3,4]]' }).then(
      (res) => res.status,
      () => 'refused',
    );
    expect([503, 'refused']).toContain(late);
    expect(existsSync(release)).toBe(false);
    await writeFile(release, '');

    const session = await ort.InferenceSession.create(
      join(bento.dir, bento.info.models[0]!.path, 'iris.onnx'),
    );
    const results = await Promise.all(answers);
    for (let i = 0; i < inputs.length; i++) {
      expect(results[i]!.status).toBe(200);
      const alone = await session.run({
        input: new ort.Tensor('float32', Float32Array.from(inputs[i]!.flat()), [1, 4]),
      });
      expect((results[i]!.json as number[][])[0]).toEqual(
        Array.from(alone['probabilities']!.data as Float32Array),
      );
    }
    expect(await server.exited).toBe(0);
    expect(server.logs.find((l) => l.msg === 'stopped')).toMatchObject({ complete: true });
    server = undefined;
  });
});
