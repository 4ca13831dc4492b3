/**
 * The batch scheduler and bentoci's adaptive policy on a fake clock: no ORT, no HTTP, no real time.
 * Every decision is checked at the exact clock time it must happen.
 */
import { describe, expect, it } from 'vitest';
import { AdaptivePolicy } from '../../../runtime/batching/adaptive-policy.js';
import { LatencyPredictor, RateEstimator } from '../../../runtime/batching/predictor.js';
import { BatchScheduler } from '../../../runtime/batching/scheduler.js';
import type {
  ApiQueueConfig,
  BatchJob,
  BatchObservation,
  SchedulerView,
} from '../../../runtime/batching/types.js';
import { FakeClock } from '../../support/fake-clock.js';

interface TestJob extends BatchJob {
  id: number;
}

/** A finished batch of `rows` one-row requests (work = rows) that took `ms`. */
function observed(rows: number, ms: number): BatchObservation {
  return { rows, work: rows, requests: 1, durationMs: ms, waitMs: 0 };
}

let ids = 0;
function job(api: string, rows: number, arrival: number, bound: number, key = 'k'): TestJob {
  return { id: ids++, api, key, rows, arrival, deadline: arrival + bound, state: 'new' };
}

interface Harness {
  clock: FakeClock;
  policy: SeededPolicy;
  scheduler: BatchScheduler<TestJob>;
  batches: Array<{ api: string; jobs: TestJob[]; at: number; finish: () => void }>;
  /** Completes the oldest running batch now. */
  complete(index?: number): void;
}

/** The adaptive policy with batch times fixed to the seeded ones (fake batches take no fake time). */
class SeededPolicy extends AdaptivePolicy {
  learning = true;
  override observe(api: string, batch: BatchObservation): void {
    if (this.learning) super.observe(api, batch);
  }
}

function harness(
  options: { workers?: number; api?: Partial<ApiQueueConfig>; seed?: Record<number, number> } = {},
): Harness {
  const clock = new FakeClock();
  const policy = new SeededPolicy({ timerSlackMs: 1, now: clock.now });
  // Batch times: 1 ms fixed cost + 0.1 ms per row, unless the test seeds its own.
  const seed = options.seed ?? { 1: 1.1, 2: 1.2, 4: 1.4, 8: 1.8, 16: 2.6, 32: 4.2 };
  for (const [rows, ms] of Object.entries(seed))
    for (let i = 0; i < 10; i++) policy.observe('a', observed(Number(rows), ms));
  policy.learning = false;
  const batches: Harness['batches'] = [];
  const api: ApiQueueConfig = {
    name: 'a',
    maxBatchRows: 32,
    maxLatencyMs: 50,
    batching: true,
    maxQueueRows: 1000,
    ...options.api,
  };
  const scheduler = new BatchScheduler<TestJob>({
    clock,
    policy,
    workers: options.workers ?? 1,
    apis: [api],
    run: (apiName, jobs) =>
      new Promise<undefined>((resolve) => {
        batches.push({ api: apiName, jobs: [...jobs], at: clock.time, finish: () => resolve(undefined) });
      }),
  });
  const running: Array<() => void> = [];
  const complete = (index = 0) => {
    const pending = batches.filter((b) => !running.includes(b.finish));
    const batch = pending[index];
    if (!batch) throw new Error('no running batch to complete');
    running.push(batch.finish);
    batch.finish();
  };
  return { clock, policy, scheduler, batches, complete };
}

/** Lets the promise callbacks of a completed batch run, then the deferred decisions. */
async function settle(clock: FakeClock): Promise<void> {
  await new Promise((r) => setImmediate(r));
  clock.flush();
}

describe('adaptive batching: dispatch', () => {
  it('sends a lone request at once when a worker is idle (no waiting at low load)', () => {
    const h = harness();
    const j = job('a', 1, 0, 50);
    expect(h.scheduler.submit(j)).toMatchObject({ ok: true });
    h.clock.flush();
    expect(h.batches).toHaveLength(1);
    expect(h.batches[0]!.jobs).toEqual([j]);
    expect(h.batches[0]!.at).toBe(0);
    expect(j.state).toBe('running');
    expect(h.clock.timersSet).toBe(0);
  });

  it('sends a full batch to an idle worker at once, not at the end of the I/O turn', () => {
    const h = harness({ workers: 2, api: { maxBatchRows: 4 } });
    for (let i = 0; i < 3; i++) h.scheduler.submit(job('a', 1, 0, 50));
    expect(h.batches).toHaveLength(0);
    h.scheduler.submit(job('a', 1, 0, 50));
    // Still inside the turn (nothing flushed): the fourth row filled the batch and it left.
    expect(h.batches.map((b) => b.jobs.length)).toEqual([4]);
    for (let i = 0; i < 4; i++) h.scheduler.submit(job('a', 1, 0, 50));
    expect(h.batches.map((b) => b.jobs.length)).toEqual([4, 4]);
    // Every worker busy: a third full batch waits for the turn's decision like any other.
    for (let i = 0; i < 4; i++) h.scheduler.submit(job('a', 1, 0, 50));
    expect(h.batches).toHaveLength(2);
  });

  it('merges the requests of one I/O turn into one batch', () => {
    const h = harness();
    const jobs = [job('a', 2, 0, 50), job('a', 3, 0, 50), job('a', 1, 0, 50)];
    for (const j of jobs) h.scheduler.submit(j);
    h.clock.flush();
    expect(h.batches).toHaveLength(1);
    expect(h.batches[0]!.jobs.map((j) => j.id)).toEqual(jobs.map((j) => j.id));
    expect(jobs.every((j) => j.batchRows === 6 && j.batchRequests === 3)).toBe(true);
  });

  it('queues a full batch behind a busy worker, keeps partial ones growing, max rows per batch, oldest first', async () => {
    const h = harness({ api: { maxBatchRows: 4 }, seed: { 1: 4, 2: 4, 4: 4 } });
    h.scheduler.submit(job('a', 1, 0, 50));
    h.clock.flush();
    const waiting = [0, 1, 2, 3, 4, 5].map((i) => job('a', 1, 0.1 * i, 50));
    for (const j of waiting) h.scheduler.submit(j);
    h.clock.flush();
    // The worker is busy: a full batch of the 4 oldest goes to its queue at once; 2 rows stay here.
    expect(h.batches).toHaveLength(2);
    expect(h.batches[1]!.jobs.map((j) => j.id)).toEqual(waiting.slice(0, 4).map((j) => j.id));
    expect(h.scheduler.queuedRows('a')).toBe(2);
    h.complete(0);
    await settle(h.clock);
    expect(h.batches[2]!.jobs.map((j) => j.id)).toEqual(waiting.slice(4).map((j) => j.id));
  });

  it('never lets a request that does not fit split a batch: a 3-row request waits for the next', async () => {
    const h = harness({ api: { maxBatchRows: 4 } });
    h.scheduler.submit(job('a', 1, 0, 50));
    h.clock.flush();
    const [x, y] = [job('a', 2, 0, 50), job('a', 3, 0, 50)];
    h.scheduler.submit(x);
    h.scheduler.submit(y);
    h.complete(0);
    await settle(h.clock);
    expect(h.batches[1]!.jobs).toEqual([x]);
    h.complete(0);
    await settle(h.clock);
    expect(h.batches[2]!.jobs).toEqual([y]);
  });

  it('keeps batches on every worker, one running and one waiting in each', () => {
    const h = harness({ workers: 3 });
    // Eight shapes that cannot share a batch: six go out (two per worker), two wait here.
    for (let i = 0; i < 8; i++) h.scheduler.submit(job('a', 1, 0, 50, `shape-${i}`));
    h.clock.flush();
    expect(h.batches).toHaveLength(6);
    expect(h.scheduler.inFlightBatches).toBe(6);
    expect(h.scheduler.queuedRows('a')).toBe(2);
  });

  it('pipelines requests of an API without batching: up to 16 per worker are sent ahead', () => {
    const h = harness({ workers: 1, api: { batching: false, maxLatencyMs: 1000 } });
    for (let i = 0; i < 20; i++) h.scheduler.submit(job('a', 1, 0, 1000));
    h.clock.flush();
    expect(h.batches).toHaveLength(16);
    expect(h.batches.every((b) => b.jobs.length === 1)).toBe(true);
    expect(h.scheduler.queuedRows('a')).toBe(4);
  });

  it('with batching off, sends one request per batch', async () => {
    const h = harness({ api: { batching: false } });
    for (let i = 0; i < 3; i++) h.scheduler.submit(job('a', 2, 0, 50));
    h.clock.flush();
    for (let i = 0; i < 3; i++) {
      expect(h.batches[i]!.jobs).toHaveLength(1);
      h.complete(0);
      await settle(h.clock);
    }
    expect(h.batches).toHaveLength(3);
  });

  it('batches requests with different trailing shapes only with their own kind', async () => {
    const h = harness();
    h.scheduler.submit(job('a', 1, 0, 50, 'n=3'));
    h.clock.flush();
    const threes = [job('a', 1, 1, 50, 'n=3'), job('a', 1, 1, 50, 'n=3')];
    const fives = [job('a', 1, 0.5, 50, 'n=5'), job('a', 1, 1, 50, 'n=5')];
    for (const j of [fives[0]!, threes[0]!, fives[1]!, threes[1]!]) h.scheduler.submit(j);
    h.complete(0);
    await settle(h.clock);
    // The group whose oldest request is due first goes first.
    expect(h.batches[1]!.jobs).toEqual(fives);
    h.complete(0);
    await settle(h.clock);
    expect(h.batches[2]!.jobs).toEqual(threes);
  });
});

describe('adaptive batching: waiting and deadlines', () => {
  it('under a steady stream holds small batches, each sent by its deadline rule, and waits no longer once arrivals stop', async () => {
    // Batches of 1 take as long as batches of 32 (4 ms): waiting for more rows is free throughput.
    const flat = { 1: 4, 2: 4, 4: 4, 8: 4, 16: 4, 32: 4 };
    const h = harness({ seed: flat, api: { maxLatencyMs: 20 } });
    let done = 0;
    // One row per millisecond for 400 ms; each batch completes as soon as it is sent.
    for (let t = 0; t < 400; t++) {
      h.scheduler.submit(job('a', 1, h.clock.time, 20));
      h.clock.advance(1);
      while (done < h.batches.length) {
        h.complete(0);
        done++;
        await settle(h.clock);
      }
    }
    const late = h.batches.slice(-20);
    // Waiting paid: with ~0.8 rows/ms arriving and 4 ms per batch, batches grow to about
    // rate x time = 3.2 rows, and none was sent after its deadline rule.
    expect(late.reduce((n, b) => n + b.jobs.length, 0) / late.length).toBeGreaterThanOrEqual(3);
    for (const b of late) expect(b.at).toBeLessThanOrEqual(b.jobs[0]!.deadline - 4 - 1 + 1e-9);
    // Arrivals stop: one last request is held only for about two mean inter-arrival times
    // (2 / rate, the rate having decayed to ~0.77 rows/ms: ~2.6 ms), far less than its deadline rule.
    h.clock.advance(10);
    while (done < h.batches.length) {
      h.complete(0);
      done++;
      await settle(h.clock);
    }
    const lone = job('a', 1, h.clock.time, 20);
    h.scheduler.submit(lone);
    h.clock.flush();
    expect(h.batches.at(-1)!.jobs).not.toContain(lone);
    const timerAt = h.clock.pendingTimerAt()!;
    expect(timerAt - lone.arrival).toBeGreaterThan(2);
    expect(timerAt - lone.arrival).toBeLessThan(3);
    h.clock.advance(timerAt - h.clock.time - 0.01);
    expect(h.batches.at(-1)!.jobs).not.toContain(lone);
    h.clock.advance(0.02);
    expect(h.batches.at(-1)!.jobs).toEqual([lone]);
  });

  it('goes out at exactly deadline - predicted time - slack when arrivals keep coming slowly', () => {
    const h = harness({ seed: { 1: 4, 2: 4, 4: 4, 8: 4, 16: 4, 32: 4 }, api: { maxLatencyMs: 10 } });
    // A worker busy with something else keeps the queue from draining; then it frees up.
    const policy = h.policy;
    const first = job('a', 1, 0, 10);
    // Pretend a steady 2 rows/ms stream has been arriving (rate x 4 ms >> 1 row: waiting pays).
    const view = {
      now: 0,
      capacity: 1,
      idleWorkers: 1,
      turnDelayMs: 0,
      inFlight: [],
      groups: [],
      arrivalRate: () => 2,
    };
    const group = {
      api: { name: 'a', maxBatchRows: 32, maxLatencyMs: 10, batching: true, maxQueueRows: 100 },
      key: 'k',
      jobs: [first],
      rows: 1,
      work: 1,
    };
    const decision = policy.decide(group, view);
    expect(decision).toEqual({ dispatch: false, until: Math.min(10 - 4 - 1, 0 + 2 / 2) });
    // Later, with the oldest request near its deadline, the rule fires regardless of the rate.
    const late = policy.decide(group, { ...view, now: 10 - 4 - 1 });
    expect(late).toEqual({ dispatch: true });
  });

  it('does not wait when a closed-loop client could not send more anyway (rate x typical time <= rows)', () => {
    const h = harness();
    const policy = h.policy;
    const group = {
      api: { name: 'a', maxBatchRows: 32, maxLatencyMs: 50, batching: true, maxQueueRows: 100 },
      key: 'k',
      jobs: [job('a', 1, 0, 50)],
      rows: 1,
      work: 1,
    };
    // One client at a time: one request per (1.1 ms run + 0.3 ms round trip).
    const decision = policy.decide(group, {
      now: 0,
      capacity: 1,
      idleWorkers: 1,
      turnDelayMs: 0,
      inFlight: [],
      groups: [],
      arrivalRate: () => 1 / 1.4,
    });
    expect(decision).toEqual({ dispatch: true });
  });

  it('sets no timer at all while nothing waits (no polling)', async () => {
    const h = harness();
    for (let i = 0; i < 20; i++) {
      h.scheduler.submit(job('a', 1, h.clock.time, 50));
      h.clock.flush();
      h.complete(0);
      await settle(h.clock);
      h.clock.advance(5);
    }
    expect(h.batches).toHaveLength(20);
    expect(h.clock.timersSet).toBe(0);
  });
});

describe('adaptive batching: admission control', () => {
  it('answers 503 at once when the predicted completion breaks the bound, and admits again when it would not', async () => {
    // 10 ms per batch of up to 32 rows; bound 25 ms.
    const seed = { 1: 10, 2: 10, 4: 10, 8: 10, 16: 10, 32: 10 };
    const h = harness({ seed, api: { maxLatencyMs: 25, maxBatchRows: 32 } });
    expect(h.scheduler.submit(job('a', 32, 0, 25)).ok).toBe(true); // runs 0..10
    h.clock.flush();
    expect(h.scheduler.submit(job('a', 32, 0, 25)).ok).toBe(true); // runs 10..20
    const third = h.scheduler.submit(job('a', 32, 0, 25)); // would run 20..30 > 25
    expect(third).toEqual({ ok: false, reason: 'overloaded', retryAfterMs: 5 });
    // A later arrival has a later deadline: 20..30 fits a request that arrived at 6 ms.
    h.clock.time = 6;
    expect(h.scheduler.submit(job('a', 32, 6, 25)).ok).toBe(true);
    expect(h.scheduler.queuedRows('a')).toBe(64);
  });

  it('counts queued work when it probes before the body is read (the groups are walked more than once)', () => {
    const seed = { 1: 10, 2: 10, 4: 10, 8: 10, 16: 10, 32: 10 };
    const h = harness({ seed, api: { maxLatencyMs: 25, maxBatchRows: 32 } });
    expect(h.scheduler.submit(job('a', 32, 0, 25)).ok).toBe(true); // runs 0..10
    h.clock.flush();
    expect(h.scheduler.submit(job('a', 32, 0, 25)).ok).toBe(true); // queued: 10..20
    // A smallest request behind it would run 20..30: refused before its body is read.
    expect(h.scheduler.probe('a', 1, 0, 25)).toMatchObject({ ok: false, reason: 'overloaded' });
  });

  it('lets a policy walk the queued groups more than once in one decision', () => {
    const clock = new FakeClock();
    const walks: number[] = [];
    class Walker extends AdaptivePolicy {
      override admit(j: BatchJob, group: Parameters<AdaptivePolicy['admit']>[1], view: SchedulerView) {
        walks.push([...view.groups].length, [...view.groups].length);
        return super.admit(j, group, view);
      }
    }
    const api: ApiQueueConfig = {
      name: 'a',
      maxBatchRows: 32,
      maxLatencyMs: 50,
      batching: true,
      maxQueueRows: 1000,
    };
    const scheduler = new BatchScheduler<TestJob>({
      clock,
      policy: new Walker({ now: clock.now }),
      workers: 1,
      apis: [api],
      run: () => new Promise<undefined>(() => undefined),
    });
    scheduler.submit(job('a', 1, 0, 50));
    scheduler.submit(job('a', 1, 0, 50, 'other-shape'));
    expect(walks).toEqual([0, 0, 1, 1]);
  });

  it('sheds a queued request that can no longer start in time, instead of answering it late', async () => {
    const seed = { 1: 10, 2: 10, 4: 10, 8: 10, 16: 10, 32: 10 };
    const h = harness({ seed, api: { maxLatencyMs: 100, maxBatchRows: 32 } });
    const running = job('a', 32, 0, 100);
    const pipelined = job('a', 32, 0, 100);
    const late = job('a', 32, 0, 100);
    h.scheduler.submit(running);
    h.clock.flush();
    h.scheduler.submit(pipelined);
    h.clock.flush();
    h.scheduler.submit(late);
    expect(h.batches.map((b) => b.jobs)).toEqual([[running], [pipelined]]);
    h.clock.time = 50;
    const later = job('a', 32, 50, 100);
    expect(h.scheduler.submit(later).ok).toBe(true);
    // A stall: the first batch comes back at 95 ms. `late` would finish at 105 > 100; `later` can wait.
    h.clock.time = 95;
    h.complete();
    await settle(h.clock);
    expect(late.state).toBe('cancelled');
    expect(later.state).not.toBe('cancelled');
    expect(h.batches.flatMap((b) => b.jobs)).not.toContain(late);
  });

  it('admits a request that finds the workers free and nobody queued, even on a pessimistic prediction', () => {
    // A stall made batches look 500 ms long; the bound is 50 ms.
    const h = harness({ seed: { 1: 500, 32: 500 } });
    expect(h.scheduler.submit(job('a', 1, 0, 50)).ok).toBe(true);
    expect(h.scheduler.submit(job('a', 1, 0, 50)).ok).toBe(false);
    h.clock.flush();
    expect(h.batches).toHaveLength(1);
  });

  it('plans every batch at its typical time, not the tail (the learned stretch covers that)', () => {
    const clock = new FakeClock();
    const policy = new AdaptivePolicy({ now: clock.now });
    // Batches of 8 rows: usually 2 ms, one in ten takes 10 ms.
    for (let i = 0; i < 100; i++) policy.observe('a', observed(8, i % 10 === 0 ? 10 : 2));
    const api = { name: 'a', maxBatchRows: 8, maxLatencyMs: 100, batching: true, maxQueueRows: 1000 };
    const queued = Array.from({ length: 40 }, () => job('a', 1, 0, 100));
    const group = { api, key: 'k', jobs: queued, rows: 40, work: 40 };
    const view = {
      now: 0,
      capacity: 1,
      idleWorkers: 1,
      turnDelayMs: 0,
      inFlight: [],
      groups: [group],
      arrivalRate: () => 0,
    };
    // Five full batches ahead and its own, each at 2 ms: 12 ms, not 6 x 10 at the tail.
    expect(policy.predictCompletion(job('a', 1, 0, 100), group, view)).toBe(6 * 2);
  });

  it('plans requests that run alone as equal runs over the workers, not paced by the HTTP turn', () => {
    const clock = new FakeClock();
    const policy = new AdaptivePolicy({ now: clock.now, planQuantile: 0.5, quantile: 0.5 });
    for (let i = 0; i < 20; i++) policy.observe('a', observed(1, 1));
    const api = { name: 'a', maxBatchRows: 8, maxLatencyMs: 10_000, batching: false, maxQueueRows: 100_000 };
    // One worker still busy for 3.5 ms with a request sent earlier, the other free.
    const inFlight = [{ api: 'a', rows: 1, work: 1, requests: 1, startedAt: -0.5 }];
    const view = (queued: number, turnDelayMs: number) => {
      const group = {
        api,
        key: 'k',
        jobs: Array.from({ length: queued }, () => job('a', 1, 0, 10_000)),
        rows: queued,
        work: queued,
      };
      return {
        group,
        view: {
          now: 0,
          capacity: 2,
          idleWorkers: 1,
          turnDelayMs,
          inFlight,
          groups: [group],
          arrivalRate: () => 0,
        },
      };
    };
    // Request by request, as the scheduler would send them: the slot that frees first takes the next.
    const byHand = (queued: number) => {
      const slots = [0.5, 0];
      let start = 0;
      for (let i = 0; i <= queued; i++) {
        const best = slots[0]! <= slots[1]! ? 0 : 1;
        start = slots[best]!;
        slots[best] = start + 1;
      }
      return start + 1;
    };
    for (const queued of [0, 1, 2, 3, 10, 999, 5000]) {
      const { group, view: v } = view(queued, 0);
      // The scheduler keeps no empty group: a request that finds none starts its own.
      const own = queued === 0 ? undefined : group;
      const groups = own ? [own] : [];
      expect(
        policy.predictCompletion(job('a', 1, 0, 10_000), own, { ...v, groups }),
        `${queued} queued`,
      ).toBe(byHand(queued));
    }
    // A slow HTTP turn paces batches, not requests sent many to a turn.
    const { group, view: slow } = view(999, 40);
    expect(policy.predictCompletion(job('a', 1, 0, 10_000), group, slow)).toBe(byHand(999));
  });

  it('refuses beyond the queue cap', () => {
    const h = harness({ api: { maxQueueRows: 4, maxLatencyMs: 1000 } });
    h.scheduler.submit(job('a', 1, 0, 1000));
    h.clock.flush();
    expect(h.scheduler.submit(job('a', 3, 0, 1000)).ok).toBe(true);
    expect(h.scheduler.submit(job('a', 1, 0, 1000)).ok).toBe(true);
    const refused = h.scheduler.submit(job('a', 1, 0, 1000));
    expect(refused.ok).toBe(false);
    expect(!refused.ok && refused.reason).toBe('queue_full');
  });

  it('never queues a refused request and answers every admitted one', async () => {
    const seed = { 1: 2, 2: 2, 4: 2, 8: 2, 16: 2, 32: 2 };
    const h = harness({ seed, api: { maxLatencyMs: 10, maxBatchRows: 8 } });
    const admitted: TestJob[] = [];
    let refused = 0;
    for (let i = 0; i < 100; i++) {
      const j = job('a', 4, 0, 10);
      if (h.scheduler.submit(j).ok) admitted.push(j);
      else refused++;
    }
    expect(refused).toBeGreaterThan(0);
    // Queued, or already sent: the first full batch leaves at once for the idle worker.
    const sent = h.batches.flatMap((b) => b.jobs).reduce((n, j) => n + j.rows, 0);
    expect(sent).toBe(8);
    expect(h.scheduler.queuedRows('a') + sent).toBe(admitted.length * 4);
    h.clock.flush();
    while (admitted.some((j) => j.state !== 'done')) {
      h.complete(0);
      await settle(h.clock);
    }
    // 8-row batches of two 4-row requests, 2 ms each: five batches end by the 10 ms bound.
    expect(admitted.length).toBe(10);
    expect(h.batches.map((b) => b.jobs.length)).toEqual([2, 2, 2, 2, 2]);
  });
});

describe('scheduler: cancel and drain', () => {
  it('withdraws a queued request; a withdrawn request never runs', async () => {
    const h = harness();
    h.scheduler.submit(job('a', 1, 0, 50));
    h.clock.flush();
    const [keep, drop] = [job('a', 1, 0, 50), job('a', 1, 0, 50)];
    h.scheduler.submit(keep);
    h.scheduler.submit(drop);
    expect(h.scheduler.cancel(drop)).toBe(true);
    expect(drop.state).toBe('cancelled');
    expect(h.scheduler.cancel(h.batches[0]!.jobs[0]!)).toBe(false);
    h.complete(0);
    await settle(h.clock);
    expect(h.batches[1]!.jobs).toEqual([keep]);
  });

  it('drain sends held work at once and resolves when the last batch is done', async () => {
    const h = harness({ seed: { 1: 4, 2: 4, 4: 4, 8: 4, 16: 4, 32: 4 } });
    h.scheduler.submit(job('a', 1, 0, 50));
    h.clock.flush();
    for (let i = 0; i < 3; i++) h.scheduler.submit(job('a', 1, 0, 50));
    let drained = false;
    void h.scheduler.drain().then(() => {
      drained = true;
    });
    h.complete(0);
    await settle(h.clock);
    expect(h.batches).toHaveLength(2);
    expect(drained).toBe(false);
    h.complete(0);
    await settle(h.clock);
    expect(drained).toBe(true);
  });
});

describe('latency predictor', () => {
  it('answers a tail quantile per size bucket, not the mean', () => {
    const p = new LatencyPredictor({ quantile: 0.9, window: 10 });
    for (const ms of [1, 1, 1, 1, 1, 1, 1, 1, 1, 9]) p.observe(1, ms);
    expect(p.predict(1)).toBe(1);
    p.observe(1, 9);
    expect(p.predict(1)).toBe(9);
    expect(p.typical(1)).toBe(1);
  });

  it('interpolates between buckets, extrapolates linearly past the largest, never decreases', () => {
    const p = new LatencyPredictor({ quantile: 1 });
    p.observe(2, 2);
    p.observe(8, 5);
    p.observe(16, 4);
    expect(p.predict(1)).toBe(2);
    expect(p.predict(4)).toBeCloseTo(2 + (3 * (4 - 2)) / 6, 9);
    expect(p.predict(16)).toBe(5);
    expect(p.predict(64)).toBe((5 * 64) / 16);
    expect(new LatencyPredictor({ priorMs: 7 }).predict(3)).toBe(7);
  });

  it('keeps its quantiles right as samples come and go (sorted in place, checked against a sort)', () => {
    let time = 0;
    const p = new LatencyPredictor({ window: 16, maxAgeMs: 50, keep: 4, now: () => time });
    const kept: Array<{ ms: number; at: number }> = [];
    let seed = 3;
    for (let i = 0; i < 2000; i++) {
      seed = (seed * 69069 + 1) % 2 ** 32;
      const ms = 1 + (seed % 1000) / 100;
      time += (seed >>> 20) % 7;
      p.observe(3, ms);
      kept.push({ ms, at: time });
      while (kept.length > 16 || (kept.length > 4 && kept[0]!.at < time - 50)) kept.shift();
      const sorted = kept.map((k) => k.ms).sort((a, b) => a - b);
      for (const q of [0.5, 0.9, 0.99, 1]) {
        const expected = sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]!;
        expect(p.estimate(3, q), `sample ${i}, quantile ${q}`).toBe(expected);
      }
    }
  });

  it('lets no size seen a few times (one slow batch) overrule a size measured well', () => {
    const p = new LatencyPredictor({ quantile: 0.99 });
    // A single-row batch stalled once at start-up; batches of 16 run in 2 ms, many times over.
    for (const ms of [100, 1, 1, 1]) p.observe(1, ms);
    for (let i = 0; i < 50; i++) p.observe(16, 2);
    expect(p.predict(16)).toBe(2);
    expect(p.predict(64)).toBe(8);
    // Nor does the stalled size itself look slower than the larger one.
    expect(p.predict(1)).toBe(2);
    // Measured well, a small size keeps its own tail.
    for (let i = 0; i < 20; i++) p.observe(1, 3);
    expect(p.predict(1)).toBe(100);
  });

  it('forgets samples older than its window', () => {
    const p = new LatencyPredictor({ quantile: 1, window: 4 });
    p.observe(1, 100);
    for (let i = 0; i < 4; i++) p.observe(1, 1);
    expect(p.predict(1)).toBe(1);
  });

  it('forgets an old outlier once enough newer samples exist', () => {
    let now = 0;
    const p = new LatencyPredictor({ quantile: 1, maxAgeMs: 1000, keep: 3, now: () => now });
    p.observe(1, 500);
    for (let i = 0; i < 3; i++) p.observe(1, 2);
    expect(p.predict(1)).toBe(500);
    now = 1001;
    expect(p.predict(1)).toBe(2);
    // With nothing newer, an old sample is still better than no sample.
    p.observe(4, 9);
    now = 5000;
    expect(p.predict(4)).toBe(9);
  });

  it('estimates an arrival rate that decays when arrivals stop', () => {
    const r = new RateEstimator(100);
    for (let t = 0; t < 1000; t += 1) r.add(t, 2);
    expect(r.rate(1000)).toBeCloseTo(2, 1);
    expect(r.rate(1300)).toBeLessThan(0.11);
  });
});
