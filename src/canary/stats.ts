/**
 * The statistics the judge needs, written out so every number is reproducible and checkable by hand:
 * the normal distribution, the Mann-Whitney U test (normal approximation with tie and continuity
 * corrections, as R's wilcox.test(exact = FALSE, correct = TRUE) and Kayenta's MannWhitney compute it),
 * the Hodges-Lehmann shift estimate and its confidence interval, and the two-proportion z-test.
 */

/**
 * Standard normal CDF, Φ(x), to double precision (Hart's 1968 rational approximation in the form
 * West, "Better approximations to cumulative normal functions", 2005, gives). Computing the tail
 * directly keeps small p-values accurate instead of rounding 1 - Φ to 0.
 */
export function normalCdf(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  const a = Math.abs(x);
  let tail: number;
  if (a > 37) tail = 0;
  else {
    const e = Math.exp((-a * a) / 2);
    if (a < 7.07106781186547) {
      let num = 3.52624965998911e-2 * a + 0.700383064443688;
      num = num * a + 6.37396220353165;
      num = num * a + 33.912866078383;
      num = num * a + 112.079291497871;
      num = num * a + 221.213596169931;
      num = num * a + 220.206867912376;
      let den = 8.83883476483184e-2 * a + 1.75566716318264;
      den = den * a + 16.064177579207;
      den = den * a + 86.7807322029461;
      den = den * a + 296.564248779674;
      den = den * a + 637.333633378831;
      den = den * a + 793.826512519948;
      den = den * a + 440.413735824752;
      tail = (e * num) / den;
    } else {
      let cf = a + 0.65;
      cf = a + 4 / cf;
      cf = a + 3 / cf;
      cf = a + 2 / cf;
      cf = a + 1 / cf;
      tail = e / cf / 2.506628274631;
    }
  }
  return x > 0 ? 1 - tail : tail;
}

/** Upper tail, 1 - Φ(x), without cancellation for large x. */
export function normalSf(x: number): number {
  return normalCdf(-x);
}

/**
 * Inverse of Φ: Acklam's rational approximation (relative error 1.2e-9) refined by one Halley step
 * against normalCdf, which brings it to about double precision.
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) {
    if (p === 0) return Number.NEGATIVE_INFINITY;
    if (p === 1) return Number.POSITIVE_INFINITY;
    return Number.NaN;
  }
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716,
    2.506628277459239,
  ];
  const b = [
    -54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572,
  ];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  let x: number;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    x =
      (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) /
      ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  } else if (p <= 1 - low) {
    const q = p - 0.5;
    const r = q * q;
    x =
      ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) /
      (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
  } else {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    x =
      -(((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) /
      ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  const e = normalCdf(x) - p;
  const u = e * Math.sqrt(2 * Math.PI) * Math.exp((x * x) / 2);
  return x - u / (1 + (x * u) / 2);
}

/** Ascending copy; never sorts the caller's array in place. */
export function sorted(values: readonly number[]): number[] {
  return Array.from(Float64Array.from(values).sort());
}

/** Quantile by linear interpolation between order statistics (R's type 7, numpy's default). */
export function quantileOfSorted(ascending: readonly number[], q: number): number {
  if (ascending.length === 0) return Number.NaN;
  const h = (ascending.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  return ascending[lo]! + (h - lo) * (ascending[hi]! - ascending[lo]!);
}

export function mean(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

export type Alternative = 'greater' | 'less' | 'two-sided';

export interface MannWhitneyResult {
  /** U of the candidate: pairs (candidate, baseline) where the candidate is larger, ties counting 1/2. */
  u: number;
  /** n1 * n2 / 2, the mean of U when both samples come from one distribution. */
  meanU: number;
  /** Standard deviation of U with the tie correction. */
  sigmaU: number;
  /** Standardized U after the continuity correction (0 when sigma is 0). */
  z: number;
  pValue: number;
}

/**
 * Mann-Whitney U test of `candidate` against `baseline`. `greater` tests whether the candidate tends
 * to be larger (a latency regression), `less` whether it tends to be smaller.
 *
 * U = R1 - n1(n1+1)/2 with R1 the sum of the candidate's mid-ranks in the pooled sample;
 * Var(U) = n1 n2 / 12 * ((N + 1) - Σ(t³ - t) / (N (N - 1))) over groups of t tied values;
 * z = (U - n1 n2 / 2 - c) / sd with the continuity correction c = ±0.5 toward the mean.
 */
export function mannWhitney(
  baseline: readonly number[],
  candidate: readonly number[],
  alternative: Alternative,
): MannWhitneyResult {
  const n1 = candidate.length;
  const n2 = baseline.length;
  const n = n1 + n2;
  const pooled: { value: number; candidate: boolean }[] = [];
  for (const v of candidate) pooled.push({ value: v, candidate: true });
  for (const v of baseline) pooled.push({ value: v, candidate: false });
  pooled.sort((x, y) => x.value - y.value);

  let rankSum = 0;
  let tieTerm = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && pooled[j + 1]!.value === pooled[i]!.value) j++;
    const t = j - i + 1;
    const midRank = (i + 1 + j + 1) / 2;
    for (let k = i; k <= j; k++) if (pooled[k]!.candidate) rankSum += midRank;
    tieTerm += t * t * t - t;
    i = j + 1;
  }
  const u = rankSum - (n1 * (n1 + 1)) / 2;
  const meanU = (n1 * n2) / 2;
  const variance = n > 1 ? ((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1))) : 0;
  const sigmaU = Math.sqrt(Math.max(variance, 0));
  if (sigmaU === 0) return { u, meanU, sigmaU, z: 0, pValue: 1 };

  const diff = u - meanU;
  let correction: number;
  if (alternative === 'greater') correction = 0.5;
  else if (alternative === 'less') correction = -0.5;
  else correction = Math.sign(diff) * 0.5;
  const z = (diff - correction) / sigmaU;
  let pValue: number;
  if (alternative === 'greater') pValue = normalSf(z);
  else if (alternative === 'less') pValue = normalCdf(z);
  else pValue = Math.min(1, 2 * Math.min(normalCdf(z), normalSf(z)));
  return { u, meanU, sigmaU, z, pValue };
}

/**
 * Number of pairs with candidate - shift > baseline, ties counted 1/2, for ascending inputs; O(n1 + n2).
 * This is U of the shifted candidate, the function whose level sets give the Hodges-Lehmann estimate
 * and its confidence bounds.
 */
function shiftedU(base: readonly number[], cand: readonly number[], shift: number): number {
  let u = 0;
  let below = 0; // baseline values strictly below the current candidate value
  let notAbove = 0; // baseline values at most the current candidate value
  for (const c of cand) {
    const v = c - shift;
    while (below < base.length && base[below]! < v) below++;
    if (notAbove < below) notAbove = below;
    while (notAbove < base.length && base[notAbove]! <= v) notAbove++;
    u += below + (notAbove - below) / 2;
  }
  return u;
}

/**
 * The smallest shift d (to `tolerance`) with U(candidate - d) <= target: bisection over the range of
 * pairwise differences. U decreases in d, so the level set is an interval and bisection finds its edge.
 */
function shiftAtU(base: readonly number[], cand: readonly number[], target: number): number {
  let lo = cand[0]! - base.at(-1)!;
  let hi = cand.at(-1)! - base[0]!;
  if (shiftedU(base, cand, lo) <= target) return lo;
  const tolerance = Math.max(Math.abs(lo), Math.abs(hi), 1e-300) * 1e-12;
  for (let i = 0; i < 200 && hi - lo > tolerance; i++) {
    const mid = lo + (hi - lo) / 2;
    if (shiftedU(base, cand, mid) <= target) hi = mid;
    else lo = mid;
  }
  return hi;
}

export interface ShiftEstimate {
  /** Hodges-Lehmann estimate: the median of all pairwise differences candidate - baseline. */
  estimate: number;
  /** Distribution-free confidence interval of the shift at `level` (normal approximation of U). */
  lower: number;
  upper: number;
}

/**
 * Hodges-Lehmann location shift of candidate over baseline with its confidence interval, computed
 * without materializing the n1 * n2 differences: U(d) counts the pairs above a shift d, the estimate
 * is where U crosses n1 n2 / 2 and the bounds where it crosses n1 n2 / 2 ± z_{1-α/2} * sd(U).
 */
export function hodgesLehmann(
  baseline: readonly number[],
  candidate: readonly number[],
  level = 0.95,
): ShiftEstimate {
  const base = sorted(baseline);
  const cand = sorted(candidate);
  const n1 = cand.length;
  const n2 = base.length;
  if (n1 === 0 || n2 === 0) return { estimate: Number.NaN, lower: Number.NaN, upper: Number.NaN };
  const half = (n1 * n2) / 2;
  // The median of the differences: midway between the shifts where U leaves n1 n2 / 2 from each side.
  const estimate = (shiftAtU(base, cand, half) + shiftAtU(base, cand, half - 1e-9)) / 2;
  const spread = normalQuantile(1 - (1 - level) / 2) * Math.sqrt((n1 * n2 * (n1 + n2 + 1)) / 12);
  const lower = shiftAtU(base, cand, Math.min(n1 * n2, half + spread));
  const upper = shiftAtU(base, cand, Math.max(0, half - spread));
  return { estimate, lower: Math.min(lower, estimate), upper: Math.max(upper, estimate) };
}

export interface ProportionTest {
  z: number;
  pValue: number;
}

/**
 * Two-proportion z-test of `x2 / n2` (candidate) against `x1 / n1` (baseline) with the pooled standard
 * error sqrt(p (1 - p) (1/n1 + 1/n2)), p = (x1 + x2) / (n1 + n2). `greater` asks whether the candidate's
 * proportion is higher (more errors). When p is 0 or 1 the two are equal and p-value is 1.
 */
export function twoProportionZ(
  x1: number,
  n1: number,
  x2: number,
  n2: number,
  alternative: Alternative,
): ProportionTest {
  if (n1 === 0 || n2 === 0) return { z: 0, pValue: 1 };
  const pooled = (x1 + x2) / (n1 + n2);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  if (se === 0) return { z: 0, pValue: 1 };
  const z = (x2 / n2 - x1 / n1) / se;
  if (alternative === 'greater') return { z, pValue: normalSf(z) };
  if (alternative === 'less') return { z, pValue: normalCdf(z) };
  return { z, pValue: Math.min(1, 2 * normalSf(Math.abs(z))) };
}

/**
 * One-sample test of a proportion against a floor: is `x / n` significantly below `p0`? The z-test
 * with the null standard error sqrt(p0 (1 - p0) / n); a floor of 1 admits no exceptions, so any miss
 * gives p-value 0.
 */
export function proportionBelow(x: number, n: number, p0: number): ProportionTest {
  if (n === 0) return { z: 0, pValue: 1 };
  const observed = x / n;
  if (p0 >= 1) return observed < 1 ? { z: Number.NEGATIVE_INFINITY, pValue: 0 } : { z: 0, pValue: 1 };
  if (p0 <= 0) return { z: 0, pValue: 1 };
  const z = (observed - p0) / Math.sqrt((p0 * (1 - p0)) / n);
  return { z, pValue: normalCdf(z) };
}
