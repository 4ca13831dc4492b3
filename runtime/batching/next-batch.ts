/**
 * The batch a group would send now, one rule for the policy (which judges it) and the scheduler
 * (which takes it): its jobs oldest first up to the API's max rows, and for a padded API only those
 * within its padding bound (see padding-bound.ts); a job that does not fit is passed over and stays
 * queued for the next batch.
 */
import { PaddedBatch } from './padding-bound.js';
import type { BatchJob, QueueGroup } from './types.js';

export interface NextBatch {
  rows: number;
  /** The jobs' work summed (see BatchJob.work). */
  work: number;
  requests: number;
  /** Whether waiting could not make it bigger: max rows reached, or queued rows enough for it. */
  full: boolean;
}

/**
 * How far a padded group is scanned for jobs that fit, in rows: jobs passed over form the next batch
 * anyway, so once this many were seen the batch is as good as waiting would make it.
 */
const SCAN_BATCHES = 4;

/** Calls `take(i)` for each job of `group` in the next batch (ascending), and sums them up. */
function scan(group: QueueGroup, maxRows: number, take?: (index: number) => void): NextBatch {
  const { jobs } = group;
  if (!group.api.batching) {
    take?.(0);
    return { rows: jobs[0]!.rows, work: workOf(jobs[0]!), requests: 1, full: true };
  }
  const bound = group.api.padding;
  const padded = bound ? new PaddedBatch(bound) : undefined;
  let rows = 0;
  let work = 0;
  let requests = 0;
  let seen = 0;
  for (let i = 0; i < jobs.length; i++) {
    const job = jobs[i]!;
    if (requests > 0 && rows + job.rows > maxRows) return { rows, work, requests, full: true };
    seen += job.rows;
    if (padded && !padded.add(job)) {
      if (seen >= SCAN_BATCHES * maxRows) break;
      continue;
    }
    take?.(i);
    rows += job.rows;
    work += workOf(job);
    requests++;
  }
  return { rows, work, requests, full: rows >= maxRows || seen >= maxRows };
}

/** The batch `group` would send now, without taking it. */
export function nextBatch(group: QueueGroup, maxRows = group.api.maxBatchRows): NextBatch {
  return scan(group, maxRows);
}

/** Removes the next batch's jobs from `group` (the others keep their order) and returns them. */
export function takeBatch<J extends BatchJob>(
  group: QueueGroup<J>,
  maxRows: number,
): { jobs: J[]; batch: NextBatch } {
  const taken: number[] = [];
  const batch = scan(group, maxRows, (i) => taken.push(i));
  // The common case (no job passed over): one splice of the head.
  if (taken.length === 0 || taken[taken.length - 1] === taken.length - 1)
    return { jobs: group.jobs.splice(0, taken.length), batch };
  const jobs = taken.map((i) => group.jobs[i]!);
  let next = 0;
  let kept = 0;
  for (let i = 0; i < group.jobs.length; i++) {
    if (i === taken[next]) next++;
    else group.jobs[kept++] = group.jobs[i]!;
  }
  group.jobs.length = kept;
  return { jobs, batch };
}

/** A job's work (input elements), or its rows when it carries none. */
export function workOf(job: BatchJob): number {
  return job.work ?? job.rows;
}
