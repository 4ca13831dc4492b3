/**
 * Predicts how long a batch of size n takes (dispatch to results, as the main thread sees it), from
 * recent observations. The size is whatever the caller measures work in: bentoci's policy uses the
 * batch's input elements, so a batch of large images and one of small images are told apart; the
 * peers in the benchmark use rows. Sizes fall in power-of-two buckets (1, 2, 3-4, 5-8, ...); each bucket keeps a
 * window of recent samples and answers a tail quantile of them, not a mean: a deadline met on
 * average is missed by every batch slower than average. Between buckets the prediction interpolates,
 * beyond the largest observed it grows linearly with n (conservative: per-row cost usually falls
 * with batch size), and it never decreases with n.
 */
/** Sizes up to 2^39 (elements of a batch) have a bucket of their own. */
const MAX_BUCKETS = 40;
/** How long (ms) an estimate is reused when no sample arrives in between, and how many are kept. */
const MEMO_MS = 20;
const MEMO_SIZE = 256;
/** Samples that make a bucket's quantiles trustworthy enough to overrule its neighbours'. */
const MEASURED = 16;

class Bucket {
  /** Durations, when they were observed and the sizes they were for, oldest first. */
  private readonly ms: number[] = [];
  private readonly at: number[] = [];
  private readonly sizes: number[] = [];
  private sizeSum = 0;
  /** The same durations in ascending order, kept sorted as samples come and go (quantiles are read per request). */
  private readonly sorted: Float64Array;

  constructor(
    private readonly window: number,
    private readonly maxAgeMs: number,
    private readonly keep: number,
  ) {
    this.sorted = new Float64Array(window + 1);
  }

  add(ms: number, now: number, size: number): void {
    this.ms.push(ms);
    this.at.push(now);
    this.sizes.push(size);
    this.sizeSum += size;
    const n = this.ms.length - 1;
    const i = this.rank(ms, n);
    this.sorted.copyWithin(i + 1, i, n);
    this.sorted[i] = ms;
    this.expire(now);
  }

  /**
   * Drops samples beyond the window, and samples older than the age limit while newer ones remain:
   * a stall long ago (a GC pause, a starved CPU) must not keep predictions high forever.
   */
  private expire(now: number): void {
    while (
      this.ms.length > this.window ||
      (this.ms.length > this.keep && this.at[0]! < now - this.maxAgeMs)
    ) {
      const n = this.ms.length;
      const i = this.rank(this.ms.shift()!, n);
      this.at.shift();
      this.sizeSum -= this.sizes.shift()!;
      this.sorted.copyWithin(i, i + 1, n);
    }
  }

  /** Where `ms` is (or would go) among the first `n` sorted samples: the first not below it. */
  private rank(ms: number, n: number): number {
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.sorted[mid]! < ms) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  size(now: number): number {
    this.expire(now);
    return this.ms.length;
  }

  /**
   * The mean size of the samples: where the bucket's times were measured. A bucket spans sizes up
   * to 2x apart (elements are seldom powers of two), so interpolating at its edge would be off.
   */
  meanSize(): number {
    return this.sizeSum / this.ms.length;
  }

  /** A quantile of the window (nearest rank). */
  value(quantile: number): number {
    const n = this.ms.length;
    return this.sorted[Math.max(0, Math.min(n - 1, Math.ceil(quantile * n) - 1))]!;
  }
}

export interface PredictorOptions {
  /** Tail quantile in (0, 1]; 0.99 by default. */
  quantile?: number;
  /** Samples kept per bucket; 128 by default. */
  window?: number;
  /** Samples older than this (ms) are forgotten once `keep` newer ones exist; 5000 by default. */
  maxAgeMs?: number;
  /** Newest samples a bucket always keeps, however old; 8 by default. */
  keep?: number;
  /** Prediction before any sample (ms); warm-up replaces it within the first batches. */
  priorMs?: number;
  /** The clock (ms) that dates samples; performance.now by default. */
  now?: () => number;
}

export function bucketOf(size: number): number {
  return Math.min(MAX_BUCKETS - 1, size <= 1 ? 0 : Math.ceil(Math.log2(size)));
}

export class LatencyPredictor {
  private readonly buckets: Bucket[] = [];
  private readonly quantile: number;
  private readonly window: number;
  private readonly priorMs: number;
  private readonly maxAgeMs: number;
  private readonly keep: number;
  private readonly now: () => number;
  private readonly memo = new Map<number, number>();
  private memoUntil = Number.NEGATIVE_INFINITY;

  constructor(options: PredictorOptions = {}) {
    this.quantile = options.quantile ?? 0.99;
    this.window = options.window ?? 128;
    this.priorMs = options.priorMs ?? 5;
    this.maxAgeMs = options.maxAgeMs ?? 5000;
    this.keep = options.keep ?? 8;
    this.now = options.now ?? (() => performance.now());
  }

  observe(rows: number, ms: number): void {
    if (!(ms >= 0) || rows < 1) return;
    this.memo.clear();
    const k = bucketOf(rows);
    let bucket = this.buckets[k];
    if (!bucket) {
      bucket = new Bucket(this.window, this.maxAgeMs, this.keep);
      this.buckets[k] = bucket;
    }
    bucket.add(ms, this.now(), rows);
  }

  /** Whether a batch of this size was measured, or a larger one was: the prediction is no extrapolation. */
  covers(size: number): boolean {
    const now = this.now();
    for (let j = bucketOf(Math.max(1, size)); j < this.buckets.length; j++)
      if ((this.buckets[j]?.size(now) ?? 0) > 0) return true;
    return false;
  }

  samples(rows: number): number {
    return this.buckets[bucketOf(rows)]?.size(this.now()) ?? 0;
  }

  /** Predicted duration (ms) of a batch of `rows` rows at the tail quantile: for deadlines. */
  predict(rows: number): number {
    return this.estimate(rows, this.quantile);
  }

  /** The median duration: what a batch usually takes, for throughput decisions. */
  typical(rows: number): number {
    return this.estimate(rows, 0.5);
  }

  /**
   * Any quantile in (0, 1] of the duration, with the same interpolation. Admission asks for a
   * handful of estimates per request; they are remembered until the next sample or for MEMO_MS
   * (so samples still age out, at most that much late).
   */
  estimate(rows: number, quantile: number): number {
    const now = this.now();
    if (now >= this.memoUntil) {
      this.memo.clear();
      this.memoUntil = now + MEMO_MS;
    }
    // Sizes are whole numbers below 2^43, so the key is exact.
    const key = Math.round(rows) * 1024 + Math.round(quantile * 1000);
    let value = this.memo.get(key);
    if (value === undefined) {
      if (this.memo.size >= MEMO_SIZE) this.memo.clear();
      value = this.compute(rows, quantile, now);
      this.memo.set(key, value);
    }
    return value;
  }

  private compute(rows: number, quantile: number, now: number): number {
    const k = bucketOf(Math.max(1, rows));
    const estimate = this.interpolate(rows, k, quantile, now);
    // The same rule the other way: a size seen a few times (one slow batch can be all of its
    // tail) takes no longer than a larger size measured well.
    if ((this.buckets[k]?.size(now) ?? 0) >= MEASURED) return estimate;
    for (let j = k + 1; j < this.buckets.length; j++) {
      const b = this.buckets[j];
      if (b && b.size(now) >= MEASURED) return Math.min(estimate, b.value(quantile));
    }
    return estimate;
  }

  private interpolate(rows: number, k: number, quantile: number, now: number): number {
    let lower = -1;
    let lowerValue = 0;
    // The envelope: the slowest of the smaller buckets, so estimates never fall as n grows. A
    // bucket seen only a few times joins it only while no bucket above it was measured well: a
    // slow start-up batch of one row must not make every larger batch look as slow.
    let measured = false;
    for (let j = k; j >= 0; j--) {
      const b = this.buckets[j];
      const n = b ? b.size(now) : 0;
      if (n === 0 || (measured && n < MEASURED)) continue;
      if (lower === -1) lower = j;
      lowerValue = Math.max(lowerValue, b!.value(quantile));
      if (n >= MEASURED) measured = true;
    }
    if (lower === k) return lowerValue;
    let upper = -1;
    for (let j = k + 1; j < this.buckets.length; j++) {
      if (this.buckets[j] && this.buckets[j]!.size(now) > 0) {
        upper = j;
        break;
      }
    }
    if (lower === -1 && upper === -1) return this.priorMs;
    // Sizes where the buckets were measured, not their edges (see Bucket.meanSize).
    if (upper === -1) return (lowerValue * rows) / this.buckets[lower]!.meanSize();
    const upperValue = this.buckets[upper]!.value(quantile);
    if (lower === -1) return upperValue;
    const [x0, x1] = [this.buckets[lower]!.meanSize(), this.buckets[upper]!.meanSize()];
    return Math.max(lowerValue, lowerValue + ((upperValue - lowerValue) * (rows - x0)) / (x1 - x0));
  }
}

/** Events per millisecond, exponentially weighted over `tauMs` (continuous-time EWMA, no timers). */
export class RateEstimator {
  private value = 0;
  private last = Number.NaN;

  constructor(private readonly tauMs = 250) {}

  add(now: number, count: number): void {
    this.value = this.rate(now) + count / this.tauMs;
    this.last = now;
  }

  /** The rate as of the latest event: decisions between events then see one fixed value. */
  latest(): number {
    return this.value;
  }

  rate(now: number): number {
    if (Number.isNaN(this.last)) return 0;
    return this.value * Math.exp(-Math.max(0, now - this.last) / this.tauMs);
  }
}

/**
 * Tracks one quantile of a stream (stochastic approximation, O(1) per sample, no window): each
 * sample above the estimate raises it by `step * q`, each other sample lowers it by
 * `step * (1 - q)`, so it settles where a share 1 - q of samples lies above it. Admission keeps the
 * 99.9th percentile of its own prediction error this way: the margin it needs is what the machine
 * shows, not a constant tuned on one host.
 */
export class QuantileTracker {
  private current: number;

  constructor(
    private readonly q: number,
    private readonly step: number,
    private readonly min: number,
    private readonly max: number,
    initial = 0,
  ) {
    this.current = initial;
  }

  add(sample: number): void {
    const next = this.current + (sample > this.current ? this.step * this.q : -this.step * (1 - this.q));
    this.current = Math.min(this.max, Math.max(this.min, next));
  }

  get value(): number {
    return this.current;
  }
}
