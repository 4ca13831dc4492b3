/**
 * The runtime under more load than it can serve within the bound: requests it admits are answered
 * within the bound (by its own Server-Timing), the rest get 503 + Retry-After at once, nothing is
 * lost, and it keeps serving. Assertions are on the server's reports, not on test wall-clock time.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredBento } from '../../../src/core/bento-store.js';
import {
  post,
  type ServerProcess,
  serverTotalMs,
  startServer,
  tempHome,
  writeBento,
} from '../../support/bento-fixture.js';
import { mlpModel } from '../../support/onnx-fixture.js';

const FEATURES = 16;
const ROWS = 64;
const BOUND_MS = 250;

let bento: StoredBento;
let server: ServerProcess;

function body(seed: number): number[][] {
  return Array.from({ length: ROWS }, (_, r) =>
    Array.from({ length: FEATURES }, (_, c) => Math.sin(seed + r * 0.7 + c)),
  );
}

interface Outcome {
  status: number;
  totalMs?: number;
  retryAfter?: string | null;
  error?: string;
  batchRequests?: number;
}

/** `clients` closed-loop clients, each sending `each` requests one after another. */
async function closedLoop(url: string, clients: number, each: number): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  await Promise.all(
    Array.from({ length: clients }, async (_, c) => {
      for (let i = 0; i < each; i++) {
        const answer = await post(url, body(c * 1000 + i));
        if (answer.status === 200) {
          outcomes.push({
            status: 200,
            totalMs: serverTotalMs(answer.headers),
            batchRequests: Number(answer.headers.get('x-batch-requests')),
          });
        } else {
          outcomes.push({
            status: answer.status,
            retryAfter: answer.headers.get('retry-after'),
            error: (answer.json as { error: string }).error,
            totalMs: serverTotalMs(answer.headers),
          });
        }
      }
    }),
  );
  return outcomes;
}

/**
 * Linux's CPU pressure (PSI "some avg10", % of time runnable tasks waited for a CPU). On a machine
 * shared with other heavy jobs, threads are starved for hundreds of milliseconds and no scheduler
 * can keep a wall-clock bound; the test then asks less of the share of admitted requests on time.
 */
function cpuPressure(): number {
  try {
    return Number(/some avg10=([\d.]+)/.exec(readFileSync('/proc/pressure/cpu', 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

beforeAll(async () => {
  const home = await tempHome();
  // Heavy per row, light on the wire: 16 features -> 2048 -> 2048 -> 10. A batch takes milliseconds
  // while parsing a request stays cheap, so the worker, not the HTTP thread, is the bottleneck, and
  // 96 clients x 64 rows queue more work than the bound allows.
  bento = await writeBento(home, {
    models: [{ name: 'mlp', onnx: mlpModel({ layers: [FEATURES, 2048, 2048, 10], seed: 3 }) }],
    apis: [
      { name: 'predict', model: 'mlp', batching: { max_batch_size: 2 * ROWS, max_latency_ms: BOUND_MS } },
    ],
  });
  // Plan on the slowest recent batch (quantile 1), as a service with a hard bound would.
  server = await startServer(bento.dir, ['--workers', '1', '--threads', '1', '--latency-quantile', '1']);
});

afterAll(async () => {
  await server?.stop();
});

describe('runtime under overload', () => {
  it('answers what it admits within the bound and refuses the rest with 503 + Retry-After, at once', async () => {
    // A first burst is admitted on warm-up timings, measured on an idle machine; under this load
    // batches run slower, and the predictor learns it from the first completions. That burst is
    // served (200 or 503, nothing else) but not held to the bound; the steady state after it is.
    const learning = await closedLoop(`${server.url}/predict`, 96, 2);
    expect(learning.every((o) => o.status === 200 || o.status === 503)).toBe(true);
    await fetch(`${server.url}/metrics`); // resets the event-loop delay maximum
    const pressureBefore = cpuPressure();
    const outcomes = await closedLoop(`${server.url}/predict`, 96, 4);
    // What the server measured of its own main-thread stalls during the run (prom-client's event-loop
    // delay monitor, reset at each scrape): time no scheduler can plan around on a shared machine.
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    const stallMs = Number(/nodejs_eventloop_lag_max_seconds ([\d.e-]+)/.exec(metrics)![1]) * 1000;
    expect(outcomes).toHaveLength(96 * 4);
    const ok = outcomes.filter((o) => o.status === 200);
    const refused = outcomes.filter((o) => o.status === 503);
    expect(ok.length + refused.length).toBe(outcomes.length);
    expect(ok.length).toBeGreaterThan(0);
    expect(refused.length).toBeGreaterThan(0);
    const within = ok.filter((o) => o.totalMs! <= BOUND_MS + stallMs).length;
    const pressure = Math.max(pressureBefore, cpuPressure());
    // Without admission control nearly all of these would be late (the clients keep ~300 ms of work
    // queued against a 250 ms bound, and in a closed loop everyone waits for all of it); a shared
    // machine still delays some admitted ones beyond what the server could plan for (this test's
    // own clients compete for the same two cores), more so when other jobs run too.
    const share = pressure < 25 ? 0.9 : 0.75;
    if (within < ok.length) {
      console.warn(
        `CPU pressure ${pressure}%: ${within}/${ok.length} admitted requests within ${BOUND_MS} ms + ${stallMs.toFixed(0)} ms stall`,
      );
    }
    expect(within / ok.length).toBeGreaterThanOrEqual(share);
    expect(ok.map((o) => o.totalMs!).sort((a, b) => a - b)[Math.floor(ok.length / 2)]).toBeLessThanOrEqual(
      BOUND_MS,
    );
    // Merging happened: this is the batched path under test.
    expect(Math.max(...ok.map((o) => o.batchRequests!))).toBeGreaterThan(1);
    // Refused at admission, not after waiting: such a refusal takes far less than the bound. A request
    // admitted but then too late to start in time (the backstop) is shed instead of answered late;
    // admission keeps that rare.
    const shed = refused.filter((o) => /the request was shed after queueing/.test(o.error ?? ''));
    expect(shed.length).toBeLessThanOrEqual(0.1 * refused.length);
    for (const o of refused) {
      expect(Number(o.retryAfter)).toBeGreaterThanOrEqual(1);
      if (shed.includes(o)) continue;
      expect(o.error).toMatch(
        /API "predict" is overloaded: it cannot answer within 250 ms; retry after \d+ s/,
      );
      expect(o.totalMs).toBeLessThan(BOUND_MS);
    }
  });

  it('keeps serving after the overload, and counts every answer in its metrics', async () => {
    const after = await post(`${server.url}/predict`, body(1));
    expect(after.status).toBe(200);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    const value = (re: RegExp) => Number(re.exec(metrics)?.[1] ?? Number.NaN);
    const ok = value(/bentoci_requests_total\{api="predict",status="200"\} (\d+)/);
    const refused = value(/bentoci_requests_total\{api="predict",status="503"\} (\d+)/);
    const rejected =
      value(/bentoci_rejected_total\{api="predict",reason="overloaded"\} (\d+)/) +
      (value(/bentoci_rejected_total\{api="predict",reason="queue_full"\} (\d+)/) || 0) +
      (value(/bentoci_rejected_total\{api="predict",reason="shed"\} (\d+)/) || 0);
    expect(ok + refused).toBe(96 * 6 + 1);
    expect(rejected).toBe(refused);
  });

  it('caps the queue: beyond --max-queue-rows requests are refused as queue full', async () => {
    const capped = await startServer(bento.dir, [
      '--workers',
      '1',
      '--threads',
      '1',
      '--max-queue-rows',
      '64',
      '--max-latency-ms',
      '60000',
    ]);
    try {
      const outcomes = await closedLoop(`${capped.url}/predict`, 24, 2);
      const full = outcomes.filter((o) => o.status === 503);
      expect(full.length).toBeGreaterThan(0);
      for (const o of full) expect(o.error).toMatch(/its queue is full \(64 rows\)/);
      expect(outcomes.filter((o) => o.status === 200).length + full.length).toBe(48);
    } finally {
      await capped.stop();
    }
  });
});
