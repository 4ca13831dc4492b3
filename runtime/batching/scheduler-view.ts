/**
 * The scheduler's view for its policy: one object, refreshed per decision by the scheduler (no
 * garbage per request), reading the live queue and arrival rates.
 */
import type { RateEstimator } from './predictor.js';
import type { InFlightBatch, QueueGroup, SchedulerView } from './types.js';

export class LiveView implements SchedulerView {
  now = 0;
  idleWorkers = 0;
  turnDelayMs = 0;

  constructor(
    readonly capacity: number,
    readonly inFlight: readonly InFlightBatch[],
    private readonly queue: Map<string, QueueGroup>,
    private readonly apis: Map<string, { readonly rate: RateEstimator }>,
  ) {}

  // A fresh iterator on every read: a policy may walk the groups more than once per decision.
  get groups(): Iterable<QueueGroup> {
    return this.queue.values();
  }

  arrivalRate(api: string): number {
    return this.apis.get(api)?.rate.latest() ?? 0;
  }
}
