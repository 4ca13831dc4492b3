/**
 * Admission on a fake clock, with batches that take the time a cost model gives them: requests whose
 * size varies 100x within one API, and the margin admission learns from its own errors.
 */
import { describe, expect, it } from 'vitest';
import { AdaptivePolicy } from '../../../runtime/batching/adaptive-policy.js';
import { BatchScheduler } from '../../../runtime/batching/scheduler.js';
import type { ApiQueueConfig, BatchJob, BatchObservation } from '../../../runtime/batching/types.js';
import { FakeClock } from '../../support/fake-clock.js';

interface SimJob extends BatchJob {
  answeredAt?: number;
}

/** Images of side `side` with 3 channels: the elements a conv net's request carries. */
const image = (side: number) => 3 * side * side;

/**
 * One worker whose batches take `1 ms + 1 µs per element` of fake time (a conv net whose cost
 * follows its input size), the adaptive policy, and the scheduler between them. Every answer is
 * reported back to the policy as the HTTP layer does.
 */
function simulation(boundMs: number) {
  const clock = new FakeClock();
  const policy = new AdaptivePolicy({ now: clock.now });
  const api: ApiQueueConfig = {
    name: 'detect',
    maxBatchRows: 8,
    maxLatencyMs: boundMs,
    batching: true,
    maxQueueRows: 10_000,
  };
  const cost = (work: number) => 1 + work / 1000;
  const scheduler: BatchScheduler<SimJob> = new BatchScheduler<SimJob>({
    clock,
    policy,
    workers: 1,
    apis: [api],
    run: (_api, jobs) =>
      new Promise((resolve) => {
        const ms = cost(jobs.reduce((n, j) => n + (j.work ?? j.rows), 0));
        clock.setTimer(ms, () => {
          for (const j of jobs) {
            j.answeredAt = clock.time;
            scheduler.answered(j, clock.time);
          }
          resolve({ serviceMs: ms, transitMs: 0 });
        });
      }),
  });
  let key = 0;
  /** Sends `count` requests of `side`x`side` images at once; returns them with their admissions. */
  const burst = (count: number, side: number) =>
    Array.from({ length: count }, () => {
      const job: SimJob = {
        api: 'detect',
        key: `side-${side}-${key++ % 1}`,
        rows: 1,
        work: image(side),
        arrival: clock.time,
        deadline: clock.time + boundMs,
        state: 'new',
      };
      return { job, ok: scheduler.submit(job).ok };
    });
  /** Moves fake time on a millisecond at a time, letting completed batches' callbacks run. */
  const advance = async (ms: number) => {
    for (let t = 0; t < ms; t++) {
      clock.advance(1);
      for (let i = 0; i < 3; i++) await Promise.resolve();
    }
  };
  return { clock, policy, scheduler, burst, cost, advance };
}

const lateOf = (sent: Array<{ job: SimJob; ok: boolean }>) =>
  sent.filter((s) => s.ok && (s.job.answeredAt ?? Number.POSITIVE_INFINITY) > s.job.deadline).length;

describe('admission: requests whose size varies within one API', () => {
  /** Small images warm the predictor up (12 288 elements, about 13 ms a request), then a burst. */
  async function smallPhase(sim: ReturnType<typeof simulation>) {
    for (let i = 0; i < 20; i++) {
      sim.burst(1, 64);
      await sim.advance(50);
    }
    const burst = sim.burst(32, 64);
    await sim.advance(2000);
    return burst;
  }

  it('admits a large request only when it fits the bound, and refuses no more small ones after it', async () => {
    const sim = simulation(500);
    const control = simulation(500);
    expect(lateOf(await smallPhase(sim))).toBe(0);
    await smallPhase(control);

    // 640x640 images carry 100x the elements: over a second each, past the 500 ms bound. Keyed on
    // rows, the predictor said 13 ms and admitted them all, to be answered seconds late.
    const large = sim.burst(4, 640);
    expect(sim.cost(image(640))).toBeGreaterThan(500);
    await sim.advance(10_000);
    expect(lateOf(large)).toBe(0);
    expect(large.filter((s) => s.ok)).toHaveLength(0);

    // A mid-sized image that fits (about 310 ms) is admitted when nothing is ahead of it...
    const medium = sim.burst(1, 320);
    expect(medium[0]!.ok).toBe(true);
    await sim.advance(2000);
    expect(lateOf(medium)).toBe(0);
    // ...and a second one behind a first is not (two would take 620 ms).
    const two = sim.burst(2, 320);
    expect(two.map((s) => s.ok)).toEqual([true, false]);
    await sim.advance(2000);

    // Small bursts again: no more refused than where no large image was ever sent.
    const after = await smallPhase(sim);
    const withoutLarge = await smallPhase(control);
    expect(lateOf(after)).toBe(0);
    expect(after.filter((s) => !s.ok).length).toBeLessThanOrEqual(withoutLarge.filter((s) => !s.ok).length);
  });
});

describe('admission: the margin it learns from its own answers', () => {
  function policyWithQueue() {
    const clock = new FakeClock();
    const policy = new AdaptivePolicy({ now: clock.now });
    const observation = (rows: number, ms: number): BatchObservation => ({
      rows,
      work: rows,
      requests: rows,
      durationMs: ms,
      waitMs: 0,
    });
    // A batch of 8 rows takes 1 ms.
    for (let i = 0; i < 50; i++) policy.observe('a', observation(8, 1));
    const api = { name: 'a', maxBatchRows: 8, maxLatencyMs: 100, batching: true, maxQueueRows: 1e6 };
    const queued = (rows: number) => ({
      api,
      key: 'k',
      jobs: Array.from({ length: rows }, () => newJob(0)),
      rows,
      work: rows,
    });
    const view = (group: ReturnType<typeof queued>) => ({
      now: clock.time,
      capacity: 1,
      idleWorkers: 0,
      turnDelayMs: 0,
      inFlight: [],
      groups: [group],
      arrivalRate: () => 0,
    });
    const newJob = (arrival: number): BatchJob => ({
      api: 'a',
      key: 'k',
      rows: 1,
      arrival,
      deadline: arrival + 100,
      state: 'new',
    });
    return { clock, policy, queued, view, newJob };
  }

  it('stretches its predictions after late answers and relaxes them after answers on time', () => {
    const { policy, queued, view, newJob } = policyWithQueue();
    // 720 rows ahead: 90 batches of 1 ms, about 90 ms, inside 100 ms.
    const group = queued(720);
    const first = policy.admit(newJob(0), group, view(group));
    expect(first).toMatchObject({ ok: true });
    const predicted = first.ok ? first.predictedEnd! : 0;
    expect(predicted).toBeGreaterThan(85);
    const answer = (at: number) =>
      policy.answered({ ...newJob(0), admittedAt: 0, predictedEnd: predicted }, at);

    // The machine turns out slower than its batch times say: answers take twice as long.
    for (let i = 0; i < 60; i++) answer(2 * predicted);
    expect(policy.stretch('a')).toBeGreaterThan(0.45);
    expect(policy.admit(newJob(0), group, view(group))).toMatchObject({ ok: false, reason: 'overloaded' });
    // A queue two thirds as long still fits at that stretch.
    const shorter = queued(480);
    expect(policy.admit(newJob(0), shorter, view(shorter))).toMatchObject({ ok: true });

    // Then the answers come as predicted again: the stretch falls back and the long queue fits.
    for (let i = 0; i < 60_000; i++) answer(predicted);
    expect(policy.stretch('a')).toBeLessThan(0.1);
    expect(policy.admit(newJob(0), group, view(group))).toMatchObject({ ok: true });
  });

  it('never stretches past 1.5x, so a stall does not refuse the queue that keeps the workers busy', () => {
    const { policy, queued, view, newJob } = policyWithQueue();
    // Answers a whole second late, whatever the prediction: a stall, not a wrong rate.
    for (let i = 0; i < 1000; i++) policy.answered({ ...newJob(0), admittedAt: 0, predictedEnd: 20 }, 1020);
    expect(policy.stretch('a')).toBe(0.5);
    // 480 rows ahead and its own: about 61 ms predicted, 91 ms stretched, still inside 100 ms.
    const group = queued(480);
    expect(policy.admit(newJob(0), group, view(group))).toMatchObject({ ok: true });
  });

  it('takes short predictions as a tenth of the bound: 5 ms for a 0.3 ms request is not late', () => {
    const { policy, newJob } = policyWithQueue();
    const start = policy.stretch('a');
    for (let i = 0; i < 1000; i++) policy.answered({ ...newJob(0), admittedAt: 0, predictedEnd: 0.3 }, 5);
    expect(policy.stretch('a')).toBeLessThan(start);
  });
});
