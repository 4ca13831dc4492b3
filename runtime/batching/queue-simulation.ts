/**
 * Admission's simulation of the queue: when a request would finish if queued now. Groups go out
 * oldest deadline first, each cut into batches as the scheduler would, each batch on the worker that
 * frees first, every batch taking the time the policy plans with. Split from the adaptive policy,
 * which asks it once per admission. A padded group is cut by rows only: requests its padding bound
 * passes over (next-batch.ts) go out in one more batch than planned, which the learned stretch absorbs.
 */
import { workOf } from './next-batch.js';
import type { BatchJob, QueueGroup, SchedulerView } from './types.js';

/** What the simulation needs of the policy. */
export interface SimulationModel {
  /** Batches per worker at once (see BatchPolicy.pipelineDepth). */
  readonly pipelineDepth: number;
  /** Planned time (ms) of one batch of `work` input elements of `api`. */
  estimate(api: string, work: number): number;
  /** Planned time (ms) of one request's messages and HTTP-thread delay, paid once per request. */
  transit(api: string): number;
}

export class QueueSimulation {
  /** When each worker frees up (reused: admission runs per request). */
  private slots: number[] = [];

  constructor(private readonly model: SimulationModel) {}

  /**
   * When `job` would finish if queued now: groups go out oldest deadline first, each cut into
   * batches as the scheduler would, each batch on the slot that frees first. It runs twice per
   * request (before the body is read, and at enqueue), so the common path (one group) reuses its
   * slots and builds no list of groups to sort.
   */
  completion(job: BatchJob, ownGroup: QueueGroup | undefined, view: SchedulerView): number {
    const now = view.now;
    const slots = this.resetSlots(view.capacity);
    // Work already sent (oldest first), folded onto the workers in the order it started.
    for (const batch of view.inFlight) {
      const best = earliest(slots);
      slots[best] = Math.max(slots[best]!, batch.startedAt) + this.model.estimate(batch.api, batch.work);
    }
    for (let i = 0; i < slots.length; i++) slots[i] = Math.max(now, slots[i]!);
    // A batch also needs the HTTP thread to send it: one I/O turn per pipeline slot at least, which is
    // what limits a worker when that thread, not the worker, is the bottleneck.
    const perTurn = view.turnDelayMs / this.model.pipelineDepth;
    if (onlyGroup(view.groups, ownGroup)) return this.simulateGroup(job, ownGroup, true, slots, now, perTurn);
    const ordered: Array<{ group: QueueGroup | undefined; deadline: number }> = [];
    for (const g of view.groups)
      if (g !== ownGroup) ordered.push({ group: g, deadline: g.jobs[0]!.deadline });
    ordered.push({ group: ownGroup, deadline: ownGroup ? ownGroup.jobs[0]!.deadline : job.deadline });
    ordered.sort((a, b) => a.deadline - b.deadline);
    for (const { group } of ordered) {
      const own = group === ownGroup;
      const end = this.simulateGroup(job, group, own, slots, now, perTurn);
      if (own) return end;
    }
    return now;
  }

  private resetSlots(capacity: number): number[] {
    if (this.slots.length !== capacity) this.slots = new Array(capacity);
    this.slots.fill(Number.NEGATIVE_INFINITY);
    return this.slots;
  }

  /**
   * Cuts one group into batches onto the slots. For the request's own group, returns when its own
   * batch ends, every batch at the time the model plans with.
   */
  private simulateGroup(
    job: BatchJob,
    group: QueueGroup | undefined,
    own: boolean,
    slots: number[],
    now: number,
    perTurn: number,
  ): number {
    const jobs: readonly BatchJob[] = group ? group.jobs : [];
    const api = group ? group.api.name : job.api;
    const maxRows = group ? group.api.maxBatchRows : Number.POSITIVE_INFINITY;
    const single = group ? !group.api.batching : false;
    const estimate = (work: number) => this.model.estimate(api, work);
    // A group's requests share their trailing dims (its key), so they cost the same per row.
    const perRow = group ? group.work / group.rows : workOf(job) / job.rows;
    // Requests that run alone go out many per I/O turn (the scheduler pipelines them), so the
    // HTTP thread's turn does not pace them one by one.
    const minimum = single ? 0 : perTurn;
    let start = now;
    const runOn = (rows: number) => {
      const best = earliest(slots);
      start = Math.max(now, slots[best]!);
      slots[best] = start + Math.max(estimate(rows * perRow), minimum);
    };
    let rows = 0;
    if (single && group && group.rows === jobs.length && (!own || job.rows === 1)) {
      // Requests of one row each, each run alone: all take the same time, so whole rounds over the
      // workers are added at once instead of request by request (the queue may hold thousands).
      const duration = Math.max(estimate(perRow), minimum);
      start = fillEqual(slots, jobs.length + (own ? 1 : 0), now, duration);
      rows = 1;
    } else if (!single && group && group.rows === jobs.length && (!own || job.rows === 1)) {
      // Every request one row (the common case): cut by count, not request by request.
      let left = jobs.length + (own ? 1 : 0);
      while (left > 0) {
        rows = Math.min(left, maxRows);
        runOn(rows);
        left -= rows;
      }
    } else {
      let requests = 0;
      const total = jobs.length + (own ? 1 : 0);
      for (let i = 0; i < total; i++) {
        const r = i < jobs.length ? jobs[i]!.rows : job.rows;
        if (requests > 0 && (single || rows + r > maxRows)) {
          runOn(rows);
          rows = 0;
          requests = 0;
        }
        rows += r;
        requests++;
      }
      if (requests > 0) runOn(rows);
    }
    if (!own) return now;
    return start + estimate(rows * perRow) + this.model.transit(api);
  }
}

/**
 * Puts `count` runs of `duration` ms each on the slot that frees first, one after another, and
 * returns when the last of them starts. Once the slots are within one run of each other, the next
 * `slots.length` runs go one to each slot, so whole rounds are added at once.
 */
function fillEqual(slots: number[], count: number, now: number, duration: number): number {
  let left = count;
  let start = now;
  const place = () => {
    const best = earliest(slots);
    start = Math.max(now, slots[best]!);
    slots[best] = start + duration;
    left--;
  };
  while (left > 0 && Math.max(...slots) - Math.min(...slots) >= duration) place();
  const rounds = duration > 0 ? Math.floor((left - 1) / slots.length) : 0;
  if (rounds > 0) {
    for (let i = 0; i < slots.length; i++) slots[i] = slots[i]! + rounds * duration;
    left -= rounds * slots.length;
  }
  while (left > 0) place();
  return start;
}

/** The slot that frees first. */
function earliest(slots: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < slots.length; i++) if (slots[i]! < slots[best]!) best = i;
  return best;
}

/** Whether no group but `own` (if any) is queued: the common case of one API and one shape. */
function onlyGroup(groups: Iterable<QueueGroup>, own: QueueGroup | undefined): boolean {
  for (const g of groups) if (g !== own) return false;
  return true;
}
