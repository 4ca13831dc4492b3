/**
 * What a canary run measures, per side, and the summaries the report shows. The traffic driver fills
 * these; the judge reads them. Plain data (JSON-serializable), so `--json` and tests can carry them.
 */

export interface SideSamples {
  /** Latency in milliseconds of every request answered with a 2xx, after warm-up. */
  latenciesMs: number[];
  /** Requests sent after warm-up, and how many failed (non-2xx, timeout, connection error). */
  requests: number;
  errors: number;
  /** Error kinds and counts, e.g. `HTTP 500`, `timeout`, for the report. */
  errorKinds: Record<string, number>;
  /** Samples of each configured Prometheus metric (by its label), one per scrape or interval. */
  prometheus: Record<string, number[]>;
}

export interface Mismatch {
  index: number;
  route: string;
  reason: string;
}

export interface AgreementSamples {
  /** Pairs where both sides answered 2xx and were compared. */
  compared: number;
  agreed: number;
  /** The first few disagreements, for the report. */
  examples: Mismatch[];
}

export interface CanarySamples {
  baseline: SideSamples;
  candidate: SideSamples;
  agreement: AgreementSamples;
  /** Concurrent requests in flight per side while measuring (for throughput by Little's law). */
  concurrency: number;
  /** Wall time of the measured phase. */
  durationMs: number;
  warmupRequests: number;
}

export function emptySide(): SideSamples {
  return { latenciesMs: [], requests: 0, errors: 0, errorKinds: {}, prometheus: {} };
}

/**
 * Requests per second a side sustains at the run's concurrency: concurrency / mean latency (Little's
 * law). With paired traffic both sides complete at the pace of the slower one, so wall-clock counts
 * cannot tell them apart; each side's own service time can.
 */
export function throughputOf(side: SideSamples, concurrency: number): number {
  if (side.latenciesMs.length === 0) return Number.NaN;
  let total = 0;
  for (const v of side.latenciesMs) total += v;
  return (concurrency * side.latenciesMs.length) / (total / 1000);
}

export function errorRateOf(side: SideSamples): number {
  return side.requests === 0 ? Number.NaN : side.errors / side.requests;
}
