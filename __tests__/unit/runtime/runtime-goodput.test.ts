/**
 * Goodput under overload on a real server: answers within the bound per second, against the
 * capacity the same server showed a moment before, with clients that resend the moment any answer
 * (a 503 too) comes back. Loopback only, a few seconds; the thresholds leave room for a shared
 * 2-core machine. Open-loop overload is measured in docs/benchmarks.md, not held to a threshold here:
 * on this machine the HTTP thread reads the excess late whatever admission decides.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMixedLoad } from '../../../bench/serve/mixed-load.js';
import { counters } from '../../../bench/serve/variants.js';
import { type ServerProcess, startServer, tempHome, writeBento } from '../../support/bento-fixture.js';
import { mlpModel } from '../../support/onnx-fixture.js';

const FEATURES = 64;
const BOUND_MS = 100;
const body = {
  name: 'row',
  body: Buffer.from(JSON.stringify([Array.from({ length: FEATURES }, (_, i) => Math.sin(i))])),
  headers: { 'content-type': 'application/json' },
};

let server: ServerProcess;

beforeAll(async () => {
  const home = await tempHome();
  const bento = await writeBento(home, {
    // Heavy per row (4 M multiply-adds), light on the wire: the worker, not the HTTP thread, is the
    // bottleneck, as admission assumes (an HTTP-bound model is in docs/benchmarks.md).
    models: [{ name: 'mlp', onnx: mlpModel({ layers: [FEATURES, 2048, 2048, 8], seed: 5 }) }],
    apis: [{ name: 'predict', model: 'mlp', batching: { max_batch_size: 64, max_latency_ms: BOUND_MS } }],
  });
  server = await startServer(bento.dir, ['--workers', '1']);
});

afterAll(async () => {
  await server?.stop();
});

async function measure(load: { connections: number; rate?: number; seconds: number }) {
  const before = await counters(server.url);
  const result = await runMixedLoad({ url: `${server.url}/predict`, bodies: [body], ...load }, BOUND_MS);
  const after = await counters(server.url);
  const counts = result.perBody.get('row')!;
  const answers = counts.ok + counts.rejected + counts.errors;
  return {
    goodput: counts.onTime / result.seconds,
    rejectShare: counts.rejected / answers,
    errors: counts.errors,
    lateShare: (after.missed - before.missed) / Math.max(1, after.ok - before.ok),
  };
}

describe('runtime: goodput under overload', () => {
  it('keeps answering at capacity when clients resend at once after a 503, and refuses only the excess', async () => {
    const capacity = (await measure({ connections: 8, seconds: 2 })).goodput;
    expect(capacity).toBeGreaterThan(0);
    // 64 clients queue 64 rows: a few batches, far inside the bound. The landed admission refused
    // 85-95% of them, and the refused clients' resends then took the cores from the workers.
    const retrying = await measure({ connections: 64, seconds: 3 });
    expect(retrying.errors).toBe(0);
    expect(retrying.rejectShare).toBeLessThan(0.5);
    expect(retrying.goodput).toBeGreaterThan(0.5 * capacity);
    expect(retrying.lateShare).toBeLessThan(0.05);
  });
});
