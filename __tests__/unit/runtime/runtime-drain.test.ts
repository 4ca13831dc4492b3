/**
 * SIGTERM drains and loses nothing it has read: it answers every request it had accepted (held in a
 * service hook at the time of the signal, then queued and batched while draining) and every request
 * already sent on an idle keep-alive connection, each last answer with `Connection: close`; it keeps
 * serving through --drain-delay-ms with /readyz 503; what cannot be served within the grace period is
 * answered 503 and counted in the log; it exits 0.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { post, type ServerProcess, startServer, tempHome, writeBento } from '../../support/bento-fixture.js';
import { irisModel } from '../../support/onnx-fixture.js';
import { type RawAnswer, RawConnection } from '../../support/raw-http.js';

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

const ROW = '[[5.1,3.5,1.4,0.2]]';
const portOf = (url: string) => Number(new URL(url).port);
const tick = () => new Promise((r) => setTimeout(r, 5));

async function untilLogged(served: ServerProcess, msg: string): Promise<void> {
  while (!served.logs.some((l) => l.msg === msg)) {
    if (served.child.exitCode !== null) throw new Error(`the server exited before logging "${msg}"`);
    await tick();
  }
}

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
    await untilLogged(server, 'listener closed');
    // Not accepted any more: a new connection is refused.
    await expect(RawConnection.open(portOf(url))).rejects.toMatchObject({ code: 'ECONNREFUSED' });
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

describe('runtime: SIGTERM loses nothing it has read', () => {
  it('answers every request sent on idle keep-alive connections as it drains, none reset, each closing its connection', async () => {
    const home = await tempHome();
    const bento = await writeBento(home, {
      models: [{ name: 'iris', onnx: irisModel() }],
      apis: [{ name: 'classify', model: 'iris' }],
    });
    const served = await startServer(bento.dir, ['--workers', '1']);
    const connections: RawConnection[] = [];
    try {
      for (let i = 0; i < 200; i++) connections.push(await RawConnection.open(portOf(served.url)));
      // One request each first, a few dozen at a time: then every connection is idle and kept alive.
      for (let i = 0; i < connections.length; i += 40) {
        const first = await Promise.all(
          connections.slice(i, i + 40).map((c) => c.request('POST', '/classify', ROW)),
        );
        for (const answer of first) expect(answer.headers['connection']).toBe('keep-alive');
      }
      // The signal, and once the server is draining a second request on every connection in one
      // tick: clients cannot know of the signal, and keep using connections it last saw idle.
      served.child.kill('SIGTERM');
      await untilLogged(served, 'draining');
      const answers = connections.map((c) =>
        c.request('POST', '/classify', ROW).then(
          (answer) => answer,
          (err: NodeJS.ErrnoException) => err.code ?? err.message,
        ),
      );
      const results = await Promise.all(answers);
      expect(results.filter((r) => typeof r === 'string')).toEqual([]);
      for (const answer of results as RawAnswer[]) {
        expect([200, 503]).toContain(answer.status);
        expect(answer.headers['connection']).toBe('close');
      }
      expect((results as RawAnswer[]).filter((a) => a.status === 200).length).toBeGreaterThan(0);
      expect(await served.exited).toBe(0);
      expect(served.logs.find((l) => l.msg === 'stopped')).toMatchObject({ complete: true });
    } finally {
      for (const c of connections) c.close();
      await served.stop();
    }
  });

  it('serves on through BENTOCI_DRAIN_DELAY_MS with /readyz 503, then closes the listener and exits 0', async () => {
    const home = await tempHome();
    const bento = await writeBento(home, {
      models: [{ name: 'iris', onnx: irisModel() }],
      apis: [{ name: 'classify', model: 'iris' }],
    });
    const delayMs = 2000;
    const served = await startServer(bento.dir, ['--workers', '1'], {
      BENTOCI_DRAIN_DELAY_MS: String(delayMs),
    });
    const port = portOf(served.url);
    try {
      const keptAlive = await RawConnection.open(port);
      expect((await keptAlive.request('POST', '/classify', ROW)).headers['connection']).toBe('keep-alive');
      const signalled = Date.now();
      served.child.kill('SIGTERM');
      await untilLogged(served, 'draining');
      expect(served.logs.find((l) => l.msg === 'draining')).toMatchObject({ delay_ms: delayMs });

      const ready = await (await RawConnection.open(port)).request('GET', '/readyz');
      expect(ready.status).toBe(503);
      expect(JSON.parse(ready.body)).toEqual({ status: 'draining' });
      const kserveReady = await (await RawConnection.open(port)).request('GET', '/v2/health/ready');
      expect(kserveReady.status).toBe(503);
      const fresh = await (await RawConnection.open(port)).request('POST', '/classify', ROW);
      expect(fresh.status).toBe(200);
      expect(JSON.parse(fresh.body)[0]).toHaveLength(3);
      expect(fresh.headers['connection']).toBe('close');
      // The keep-alive client's next answer is its last on that connection.
      const last = await keptAlive.request('POST', '/classify', ROW);
      expect(last.status).toBe(200);
      expect(last.headers['connection']).toBe('close');
      expect(served.logs.some((l) => l.msg === 'listener closed')).toBe(false);
      expect(Date.now() - signalled).toBeLessThan(delayMs);

      expect(await served.exited).toBe(0);
      expect(Date.now() - signalled).toBeGreaterThanOrEqual(delayMs);
      expect(served.logs.find((l) => l.msg === 'stopped')).toMatchObject({ complete: true });
    } finally {
      await served.stop();
    }
  });

  it('answers 503 with Connection: close what it cannot serve within --drain-timeout-ms, and logs how many', async () => {
    const home = await tempHome();
    // Never released: these requests stay in the pre hook until the grace period is over.
    const release = join(await mkdtemp(join(tmpdir(), 'bentoci-grace-')), 'release');
    const bento = await writeBento(home, {
      models: [{ name: 'iris', onnx: irisModel() }],
      apis: [{ name: 'classify', model: 'iris' }],
      src: { 'service.js': HOOKS },
      module: 'service.js',
    });
    const graceMs = 800;
    const served = await startServer(bento.dir, ['--workers', '1', '--drain-timeout-ms', String(graceMs)], {
      DRAIN_TEST_RELEASE: release,
    });
    try {
      const connections = await Promise.all(
        Array.from({ length: 4 }, () => RawConnection.open(portOf(served.url))),
      );
      const answers = connections.map((c) => c.request('POST', '/classify', ROW));
      while ((await inFlight(served.url)) < connections.length) await tick();
      const signalled = Date.now();
      served.child.kill('SIGTERM');
      for (const answer of await Promise.all(answers)) {
        expect(answer.status).toBe(503);
        expect(answer.headers['connection']).toBe('close');
        expect(JSON.parse(answer.body).error).toMatch(
          /^the server shut down before the request could be served/,
        );
      }
      expect(Date.now() - signalled).toBeGreaterThanOrEqual(graceMs - 50);
      expect(await served.exited).toBe(0);
      expect(served.logs.find((l) => l.msg.startsWith('grace period over'))).toMatchObject({
        level: 'error',
        not_served: connections.length,
        grace_ms: graceMs,
      });
      expect(served.logs.find((l) => l.msg === 'stopped')).toMatchObject({ complete: true });
    } finally {
      await served.stop();
    }
  });
});
