/**
 * The fast path: a lone request on an idle server (nothing running or queued, arrivals one per I/O
 * turn of late) goes to a worker in the tick it arrived, not at the end of the I/O turn; the
 * adaptive policy still learns from it, and arrivals that could batch still wait for the turn's
 * decision. The scheduler and the real adaptive policy on a fake clock: "in the
 * tick it arrived" is "before the clock's deferred work runs".
 */
import { describe, expect, it } from 'vitest';
import { AdaptivePolicy } from '../../../runtime/batching/adaptive-policy.js';
import { BatchScheduler } from '../../../runtime/batching/scheduler.js';
import type { ApiQueueConfig, BatchJob, BatchPolicy, QueueGroup } from '../../../runtime/batching/types.js';
import { FakeClock } from '../../support/fake-clock.js';

interface TestJob extends BatchJob {
  id: number;
}

let ids = 0;
const job = (arrival: number, bound = 50): TestJob => ({
  id: ids++,
  api: 'a',
  key: 'k',
  rows: 1,
  arrival,
  deadline: arrival + bound,
  state: 'new',
});

const API: ApiQueueConfig = {
  name: 'a',
  maxBatchRows: 32,
  maxLatencyMs: 50,
  batching: true,
  maxQueueRows: 1000,
};

/** Batches of `rows` one-row requests take `1 + 0.1 * rows` ms unless `oneRowMs` says otherwise. */
function harness(options: { workers?: number; oneRowMs?: number; policy?: BatchPolicy } = {}) {
  const clock = new FakeClock();
  const adaptive = new AdaptivePolicy({ now: clock.now });
  for (const rows of [1, 2, 4, 8, 16, 32]) {
    const ms = rows === 1 && options.oneRowMs !== undefined ? options.oneRowMs : 1 + 0.1 * rows;
    for (let i = 0; i < 10; i++)
      adaptive.observe('a', { rows, work: rows, requests: 1, durationMs: ms, waitMs: 0 });
  }
  const batches: Array<{ jobs: TestJob[]; at: number; finish: (serviceMs: number) => void }> = [];
  const scheduler = new BatchScheduler<TestJob>({
    clock,
    policy: options.policy ?? adaptive,
    workers: options.workers ?? 1,
    apis: [API],
    run: (_api, jobs) =>
      new Promise((resolve) => {
        batches.push({
          jobs: [...jobs],
          at: clock.time,
          finish: (serviceMs) => resolve({ serviceMs, transitMs: 0 }),
        });
      }),
  });
  /** Completes batch `index` (it cost the worker `serviceMs`), then lets the scheduler react. */
  const complete = async (index: number, serviceMs = 1.1) => {
    batches[index]!.finish(serviceMs);
    await new Promise((r) => setImmediate(r));
    clock.flush();
  };
  return { clock, policy: adaptive, scheduler, batches, complete };
}

describe('lone requests on an idle server', () => {
  it('go to the worker in the tick they arrive: no deferred decision, no timer, no hold', async () => {
    const h = harness();
    // The first request after start-up waits for its turn: nothing says yet that turns bring one.
    const first = job(0);
    h.scheduler.submit(first);
    expect(h.batches).toHaveLength(0);
    h.clock.flush();
    expect(h.batches).toHaveLength(1);
    await h.complete(0);

    h.clock.time = 5;
    const lone = job(5);
    expect(h.scheduler.submit(lone)).toMatchObject({ ok: true });
    // Still inside the arrival's tick: nothing deferred has run, and the request is on the worker.
    expect(h.batches).toHaveLength(2);
    expect(h.batches[1]!.jobs).toEqual([lone]);
    expect(lone.state).toBe('running');
    expect(lone.dispatchedAt).toBe(5);
    expect(lone.held).toBeUndefined();
    expect(h.clock.timersSet).toBe(0);
    h.clock.flush();
    expect(h.batches).toHaveLength(2);
  });

  it('still teach the policy: its batch time, and its answer against the time admission predicted', async () => {
    const h = harness();
    h.scheduler.submit(job(0));
    h.clock.flush();
    await h.complete(0);
    const samples = h.policy.predictor('a').samples(1);

    h.clock.time = 5;
    const lone = job(5);
    h.scheduler.submit(lone);
    expect(h.batches).toHaveLength(2);
    // Admission ran and predicted its answer (a request it would refuse is never sent; see below).
    expect(lone.admittedAt).toBe(5);
    expect(lone.predictedEnd).toBeGreaterThan(5);
    await h.complete(1, 1.1);
    expect(h.policy.predictor('a').samples(1)).toBe(samples + 1);
    // Answered far later than predicted: the admission margin grows, as for any admitted request.
    expect(h.policy.stretch('a')).toBe(0);
    h.scheduler.answered(lone, 40);
    expect(h.policy.stretch('a')).toBeGreaterThan(0);
  });

  it('are refused by admission like any other request: a refused one is never sent', async () => {
    const h = harness();
    h.scheduler.submit(job(0));
    h.clock.flush();
    await h.complete(0);
    h.clock.time = 5;
    // A hundred rows, larger than any batch measured: extrapolated, it cannot finish in 5 ms.
    const tooLarge = { ...job(5, 5), rows: 100 };
    expect(h.scheduler.submit(tooLarge)).toMatchObject({ ok: false, reason: 'overloaded' });
    expect(h.batches).toHaveLength(1);
    expect(tooLarge.state).toBe('new');
  });

  it('only when alone in its turn: later arrivals of the same turn batch together at its end', async () => {
    const h = harness({ workers: 2 });
    h.scheduler.submit(job(0));
    h.clock.flush();
    await h.complete(0);
    h.clock.time = 5;
    const [lone, second, third] = [job(5), job(5), job(5)];
    h.scheduler.submit(lone);
    h.scheduler.submit(second);
    h.scheduler.submit(third);
    expect(h.batches.map((b) => b.jobs)).toEqual([[expect.anything()], [lone]]);
    h.clock.flush();
    expect(h.batches[2]!.jobs).toEqual([second, third]);
    await h.complete(1);
    await h.complete(2);
    // That turn brought three: the next arrival waits for its turn's decision, in case more come.
    h.clock.time = 10;
    const afterBurst = job(10);
    h.scheduler.submit(afterBurst);
    expect(h.batches).toHaveLength(3);
    h.clock.flush();
    expect(h.batches[3]!.jobs).toEqual([afterBurst]);
    await h.complete(3);
    // A turn of one again: the next lone request goes at once.
    h.clock.time = 15;
    const loneAgain = job(15);
    h.scheduler.submit(loneAgain);
    expect(h.batches[4]!.jobs).toEqual([loneAgain]);
  });

  it('only on an idle server: with a batch running, the turn decides as before', async () => {
    const h = harness({ workers: 2 });
    h.scheduler.submit(job(0));
    h.clock.flush();
    await h.complete(0);
    h.clock.time = 5;
    const lone = job(5);
    h.scheduler.submit(lone);
    expect(h.batches[1]!.jobs).toEqual([lone]);
    h.clock.flush();
    // A later turn, one arrival, the second worker idle: but the first is busy, so the request
    // waits for its turn's decision (where others of the turn could join it).
    h.clock.time = 6;
    const beside = job(6);
    h.scheduler.submit(beside);
    expect(h.batches).toHaveLength(2);
    h.clock.flush();
    expect(h.batches[2]!.jobs).toEqual([beside]);
  });

  it('not when the policy would hold them for more arrivals (under load)', async () => {
    // One row takes 10 ms; a hundred requests in one turn make the arrival rate 0.4 per ms, so
    // 4 rows are expected during a one-row batch: more than two idle workers carry one row each.
    const h = harness({ workers: 2, oneRowMs: 10 });
    for (let i = 0; i < 100; i++) h.scheduler.submit(job(0, 1000));
    h.clock.flush();
    for (let i = 0; i < h.batches.length; i++) await h.complete(i);
    expect(h.scheduler.queuedRows('a')).toBe(0);
    const sent = h.batches.length;
    // A turn with one arrival: held for the next ones (they are due within 2 / 0.4 ms).
    h.clock.time = 1;
    h.scheduler.submit(job(1, 1000));
    h.clock.flush();
    expect(h.batches).toHaveLength(sent);
    h.clock.advance(10);
    expect(h.batches).toHaveLength(sent + 1);
    await h.complete(sent);
    // The last turn brought one, a worker is idle, nothing is queued: yet the rate says more are
    // coming, so the request is not sent alone at once; the policy holds it as before.
    const held = job(12, 1000);
    h.scheduler.submit(held);
    expect(h.batches).toHaveLength(sent + 1);
    h.clock.flush();
    expect(h.batches).toHaveLength(sent + 1);
    expect(held.held).toBe(true);
    expect(h.clock.pendingTimerAt()).toBeGreaterThan(12);
  });

  it('not when the arrival before it found work (a few clients whose answers went out together)', async () => {
    const h = harness({ workers: 2 });
    h.scheduler.submit(job(0));
    h.clock.flush();
    // The next arrives while the first runs: it found the server busy.
    h.clock.time = 1;
    h.scheduler.submit(job(1));
    h.clock.flush();
    await h.complete(0);
    await h.complete(1);
    // Nothing runs now and the last turn brought one, but the arrival before found work: its
    // client is likely not the only one, so this request waits for its turn's decision.
    h.clock.time = 5;
    const afterBusy = job(5);
    h.scheduler.submit(afterBusy);
    expect(h.batches).toHaveLength(2);
    h.clock.flush();
    expect(h.batches[2]!.jobs).toEqual([afterBusy]);
    await h.complete(2);
    // It found the server idle: the next lone request goes at once.
    h.clock.time = 10;
    const lone = job(10);
    h.scheduler.submit(lone);
    expect(h.batches[3]!.jobs).toEqual([lone]);
  });

  it('not with a policy that cannot say whether it would send them (the peers in the benchmark)', async () => {
    const adaptive = new AdaptivePolicy();
    const peer: BatchPolicy = {
      admit: () => ({ ok: true }),
      decide: (group: QueueGroup) => ({ dispatch: group.jobs.length > 0 }),
      observe: () => {},
      predict: () => 1,
    };
    expect(adaptive.startsAlone).toBeTypeOf('function');
    const h = harness({ policy: peer });
    h.scheduler.submit(job(0));
    h.clock.flush();
    await h.complete(0);
    h.scheduler.submit(job(5));
    expect(h.batches).toHaveLength(1);
    h.clock.flush();
    expect(h.batches).toHaveLength(2);
  });
});
