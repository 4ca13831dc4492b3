import { createRequire as __bentociCreateRequire } from 'node:module'; const require = __bentociCreateRequire(import.meta.url);
import {
  loadThresholds,
  parseDuration,
  writeRolloutManifests
} from "./chunk.bento-canary+bento-push+cli.js";
import {
  releaseTags
} from "./chunk.bento-canary+bento-push+cli+pipeline.js";
import {
  connectEngine
} from "./chunk.bento-canary+bento-containerize+bento-push+cli+pipeline.js";
import {
  BentoError,
  OptionError,
  RepositorySignatureRegistry,
  UsageError,
  bentoInfoSchema,
  checkVerifyGate,
  external_exports,
  formatReference,
  formatTag,
  modelInfoSchema,
  openBentoStore,
  openModelStore,
  openRepository,
  openVerifyGate,
  option,
  parseImageReference,
  parseOciUrl,
  parseOptions,
  require_dist,
  require_semver,
  require_tar_stream,
  require_undici,
  say,
  serveSetting,
  serveSettingArgs,
  validateTag,
  verifyGateShape,
  withResources
} from "./chunk.bento-build+bento-canary+bento-containerize+bento-push+cli+pipeline.js";
import {
  __toESM
} from "./chunk.bento-build+bento-canary+bento-containerize+bento-push+cli+index.node+p-map+packageurl-js+pipeline.js";

// src/canary/metrics.ts
function emptySide() {
  return { latenciesMs: [], requests: 0, errors: 0, errorKinds: {}, prometheus: {} };
}
function throughputOf(side, concurrency) {
  if (side.latenciesMs.length === 0) return Number.NaN;
  let total = 0;
  for (const v of side.latenciesMs) total += v;
  return concurrency * side.latenciesMs.length / (total / 1e3);
}
function errorRateOf(side) {
  return side.requests === 0 ? Number.NaN : side.errors / side.requests;
}

// src/canary/stats.ts
function normalCdf(x) {
  if (Number.isNaN(x)) return Number.NaN;
  const a = Math.abs(x);
  let tail;
  if (a > 37) tail = 0;
  else {
    const e = Math.exp(-a * a / 2);
    if (a < 7.07106781186547) {
      let num2 = 0.0352624965998911 * a + 0.700383064443688;
      num2 = num2 * a + 6.37396220353165;
      num2 = num2 * a + 33.912866078383;
      num2 = num2 * a + 112.079291497871;
      num2 = num2 * a + 221.213596169931;
      num2 = num2 * a + 220.206867912376;
      let den = 0.0883883476483184 * a + 1.75566716318264;
      den = den * a + 16.064177579207;
      den = den * a + 86.7807322029461;
      den = den * a + 296.564248779674;
      den = den * a + 637.333633378831;
      den = den * a + 793.826512519948;
      den = den * a + 440.413735824752;
      tail = e * num2 / den;
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
function normalSf(x) {
  return normalCdf(-x);
}
function normalQuantile(p) {
  if (!(p > 0 && p < 1)) {
    if (p === 0) return Number.NEGATIVE_INFINITY;
    if (p === 1) return Number.POSITIVE_INFINITY;
    return Number.NaN;
  }
  const a = [
    -39.69683028665376,
    220.9460984245205,
    -275.9285104469687,
    138.357751867269,
    -30.66479806614716,
    2.506628277459239
  ];
  const b = [
    -54.47609879822406,
    161.5858368580409,
    -155.6989798598866,
    66.80131188771972,
    -13.28068155288572
  ];
  const c = [
    -0.007784894002430293,
    -0.3223964580411365,
    -2.400758277161838,
    -2.549732539343734,
    4.374664141464968,
    2.938163982698783
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  let x;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  } else if (p <= 1 - low) {
    const q = p - 0.5;
    const r = q * q;
    x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  } else {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  const e = normalCdf(x) - p;
  const u = e * Math.sqrt(2 * Math.PI) * Math.exp(x * x / 2);
  return x - u / (1 + x * u / 2);
}
function sorted(values) {
  return Array.from(Float64Array.from(values).sort());
}
function quantileOfSorted(ascending, q) {
  if (ascending.length === 0) return Number.NaN;
  const h = (ascending.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  return ascending[lo] + (h - lo) * (ascending[hi] - ascending[lo]);
}
function mean(values) {
  if (values.length === 0) return Number.NaN;
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}
function mannWhitney(baseline, candidate, alternative) {
  const n1 = candidate.length;
  const n2 = baseline.length;
  const n = n1 + n2;
  const pooled = [];
  for (const v of candidate) pooled.push({ value: v, candidate: true });
  for (const v of baseline) pooled.push({ value: v, candidate: false });
  pooled.sort((x, y) => x.value - y.value);
  let rankSum = 0;
  let tieTerm = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && pooled[j + 1].value === pooled[i].value) j++;
    const t = j - i + 1;
    const midRank = (i + 1 + j + 1) / 2;
    for (let k = i; k <= j; k++) if (pooled[k].candidate) rankSum += midRank;
    tieTerm += t * t * t - t;
    i = j + 1;
  }
  const u = rankSum - n1 * (n1 + 1) / 2;
  const meanU = n1 * n2 / 2;
  const variance = n > 1 ? n1 * n2 / 12 * (n + 1 - tieTerm / (n * (n - 1))) : 0;
  const sigmaU = Math.sqrt(Math.max(variance, 0));
  if (sigmaU === 0) return { u, meanU, sigmaU, z: 0, pValue: 1 };
  const diff = u - meanU;
  let correction;
  if (alternative === "greater") correction = 0.5;
  else if (alternative === "less") correction = -0.5;
  else correction = Math.sign(diff) * 0.5;
  const z = (diff - correction) / sigmaU;
  let pValue;
  if (alternative === "greater") pValue = normalSf(z);
  else if (alternative === "less") pValue = normalCdf(z);
  else pValue = Math.min(1, 2 * Math.min(normalCdf(z), normalSf(z)));
  return { u, meanU, sigmaU, z, pValue };
}
function shiftedU(base, cand, shift) {
  let u = 0;
  let below = 0;
  let notAbove = 0;
  for (const c of cand) {
    const v = c - shift;
    while (below < base.length && base[below] < v) below++;
    if (notAbove < below) notAbove = below;
    while (notAbove < base.length && base[notAbove] <= v) notAbove++;
    u += below + (notAbove - below) / 2;
  }
  return u;
}
function shiftAtU(base, cand, target2) {
  let lo = cand[0] - base.at(-1);
  let hi = cand.at(-1) - base[0];
  if (shiftedU(base, cand, lo) <= target2) return lo;
  const tolerance = Math.max(Math.abs(lo), Math.abs(hi), 1e-300) * 1e-12;
  for (let i = 0; i < 200 && hi - lo > tolerance; i++) {
    const mid = lo + (hi - lo) / 2;
    if (shiftedU(base, cand, mid) <= target2) hi = mid;
    else lo = mid;
  }
  return hi;
}
function hodgesLehmann(baseline, candidate, level = 0.95) {
  const base = sorted(baseline);
  const cand = sorted(candidate);
  const n1 = cand.length;
  const n2 = base.length;
  if (n1 === 0 || n2 === 0) return { estimate: Number.NaN, lower: Number.NaN, upper: Number.NaN };
  const half = n1 * n2 / 2;
  const estimate = (shiftAtU(base, cand, half) + shiftAtU(base, cand, half - 1e-9)) / 2;
  const spread = normalQuantile(1 - (1 - level) / 2) * Math.sqrt(n1 * n2 * (n1 + n2 + 1) / 12);
  const lower = shiftAtU(base, cand, Math.min(n1 * n2, half + spread));
  const upper = shiftAtU(base, cand, Math.max(0, half - spread));
  return { estimate, lower: Math.min(lower, estimate), upper: Math.max(upper, estimate) };
}
function twoProportionZ(x1, n1, x2, n2, alternative) {
  if (n1 === 0 || n2 === 0) return { z: 0, pValue: 1 };
  const pooled = (x1 + x2) / (n1 + n2);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  if (se === 0) return { z: 0, pValue: 1 };
  const z = (x2 / n2 - x1 / n1) / se;
  if (alternative === "greater") return { z, pValue: normalSf(z) };
  if (alternative === "less") return { z, pValue: normalCdf(z) };
  return { z, pValue: Math.min(1, 2 * normalSf(Math.abs(z))) };
}
function proportionBelow(x, n, p0) {
  if (n === 0) return { z: 0, pValue: 1 };
  const observed = x / n;
  if (p0 >= 1) return observed < 1 ? { z: Number.NEGATIVE_INFINITY, pValue: 0 } : { z: 0, pValue: 1 };
  if (p0 <= 0) return { z: 0, pValue: 1 };
  const z = (observed - p0) / Math.sqrt(p0 * (1 - p0) / n);
  return { z, pValue: normalCdf(z) };
}

// src/canary/classify.ts
function alternativeOf(direction) {
  if (direction === "increase") return "greater";
  if (direction === "decrease") return "less";
  return "two-sided";
}
function sameMultiset(a, b) {
  if (a.length !== b.length) return false;
  const x = sorted(a);
  const y = sorted(b);
  return x.every((v, i) => v === y[i]);
}
function degraded(relative, direction, allowed) {
  if ((direction === "increase" || direction === "either") && relative > allowed) return "high";
  if ((direction === "decrease" || direction === "either") && -relative > allowed) return "low";
  return "pass";
}
function judgeDistribution(spec, baseline, candidate, alpha) {
  const base = {
    name: spec.name,
    test: "mann-whitney",
    unit: spec.unit,
    deltaKind: "relative",
    direction: spec.direction,
    allowed: spec.maxDegradation,
    weight: spec.weight,
    critical: spec.critical
  };
  if (baseline.length === 0 || candidate.length === 0) {
    return {
      ...base,
      baseline: baseline.length ? quantileOfSorted(sorted(baseline), 0.5) : null,
      candidate: candidate.length ? quantileOfSorted(sorted(candidate), 0.5) : null,
      delta: null,
      pValue: null,
      classification: "nodata",
      status: "nodata",
      reason: `no ${baseline.length === 0 ? "baseline" : "candidate"} samples`,
      detail: { n_baseline: baseline.length, n_candidate: candidate.length }
    };
  }
  const baseMedian = quantileOfSorted(sorted(baseline), 0.5);
  const candMedian = quantileOfSorted(sorted(candidate), 0.5);
  const common = { ...base, baseline: baseMedian, candidate: candMedian };
  if (sameMultiset(baseline, candidate)) {
    return {
      ...common,
      delta: 0,
      pValue: 1,
      classification: "pass",
      status: "pass",
      reason: "identical samples",
      detail: { n_baseline: baseline.length, n_candidate: candidate.length }
    };
  }
  const alternative = alternativeOf(spec.direction);
  const mw = mannWhitney(baseline, candidate, alternative);
  const shift = hodgesLehmann(baseline, candidate, alternative === "two-sided" ? 1 - alpha : 1 - 2 * alpha);
  const scale = Math.abs(baseMedian);
  const rel = (v) => scale > 0 ? v / scale : v === 0 ? 0 : Math.sign(v) * Infinity;
  const relative = rel(shift.estimate);
  let moved = "pass";
  let bound = relative;
  const high = degraded(rel(shift.lower), spec.direction, spec.maxDegradation) === "high";
  const low = degraded(rel(shift.upper), spec.direction, spec.maxDegradation) === "low";
  if (high && relative > 0) {
    moved = "high";
    bound = rel(shift.lower);
  } else if (low && relative < 0) {
    moved = "low";
    bound = rel(shift.upper);
  }
  const significant = mw.pValue < alpha;
  const classification = significant ? moved : "pass";
  const pct = (v) => `${(v * 100).toFixed(1)}%`;
  let reason;
  if (classification !== "pass")
    reason = `${classification === "high" ? "higher" : "lower"} by ${pct(Math.abs(relative))} (at least ${pct(Math.abs(bound))} with ${Math.round((1 - alpha) * 100)}% confidence; allowed ${pct(spec.maxDegradation)}), p=${formatP(mw.pValue)}`;
  else if (!significant)
    reason = `no significant ${spec.direction === "either" ? "change" : spec.direction} (p=${formatP(mw.pValue)})`;
  else
    reason = `change of ${pct(relative)} is not beyond the allowed ${pct(spec.maxDegradation)} with confidence`;
  return {
    ...common,
    delta: relative,
    pValue: mw.pValue,
    classification,
    status: classification === "pass" ? "pass" : "fail",
    reason,
    detail: {
      n_baseline: baseline.length,
      n_candidate: candidate.length,
      u: mw.u,
      z: mw.z,
      shift: shift.estimate,
      shift_lower: shift.lower,
      shift_upper: shift.upper,
      mean_ratio: mean(candidate) / mean(baseline)
    }
  };
}
function formatP(p) {
  if (p === 0) return "0";
  if (p < 1e-4) return p.toExponential(1);
  return p.toFixed(4);
}
function judgeErrorRate(samples, t) {
  const spec = t.metrics.error_rate;
  const b = samples.baseline;
  const c = samples.candidate;
  const common = {
    name: "error_rate",
    test: "two-proportion-z",
    unit: "%",
    deltaKind: "absolute",
    direction: "increase",
    allowed: spec.max_increase,
    weight: spec.weight,
    critical: spec.critical,
    detail: {
      n_baseline: b.requests,
      n_candidate: c.requests,
      errors_baseline: b.errors,
      errors_candidate: c.errors
    }
  };
  if (b.requests === 0 || c.requests === 0) {
    return {
      ...common,
      baseline: b.requests ? errorRateOf(b) : null,
      candidate: c.requests ? errorRateOf(c) : null,
      delta: null,
      pValue: null,
      classification: "nodata",
      status: "nodata",
      reason: "no requests were sent to one side"
    };
  }
  const rb = errorRateOf(b);
  const rc = errorRateOf(c);
  const test = twoProportionZ(b.errors, b.requests, c.errors, c.requests, "greater");
  const se = Math.sqrt(rb * (1 - rb) / b.requests + rc * (1 - rc) / c.requests);
  const lowerRise = rc - rb - normalQuantile(1 - t.alpha) * se;
  const fails = test.pValue < t.alpha && lowerRise > spec.max_increase;
  const pp = (v) => `${(v * 100).toFixed(2)} pp`;
  return {
    ...common,
    baseline: rb,
    candidate: rc,
    delta: rc - rb,
    pValue: test.pValue,
    classification: fails ? "high" : "pass",
    status: fails ? "fail" : "pass",
    reason: fails ? `error rate up ${pp(rc - rb)} (allowed ${pp(spec.max_increase)}), p=${formatP(test.pValue)} < ${t.alpha}` : rc > rb ? `error rate up ${pp(rc - rb)}: ${test.pValue < t.alpha ? "not beyond the allowed increase with confidence" : "not significant"}` : "no increase",
    detail: { ...common.detail, z: test.z, rise_lower: lowerRise }
  };
}
function judgeAgreement(samples, t) {
  const spec = t.metrics.agreement;
  const a = samples.agreement;
  const common = {
    name: "agreement",
    test: "proportion-floor",
    unit: "%",
    deltaKind: "absolute",
    direction: "decrease",
    allowed: spec.min,
    weight: spec.weight,
    critical: spec.critical,
    baseline: null,
    detail: { compared: a.compared, agreed: a.agreed }
  };
  if (a.compared === 0) {
    return {
      ...common,
      candidate: null,
      delta: null,
      pValue: null,
      classification: "nodata",
      status: "nodata",
      reason: "no pair of successful responses to compare"
    };
  }
  const observed = a.agreed / a.compared;
  const test = proportionBelow(a.agreed, a.compared, spec.min);
  const fails = observed < spec.min && test.pValue < t.alpha;
  return {
    ...common,
    candidate: observed,
    delta: observed - spec.min,
    pValue: test.pValue,
    classification: fails ? "low" : "pass",
    status: fails ? "fail" : "pass",
    reason: fails ? `${a.compared - a.agreed} of ${a.compared} predictions differ (at least ${(spec.min * 100).toFixed(1)}% must agree)` : a.agreed === a.compared ? "every prediction agrees" : `${a.compared - a.agreed} of ${a.compared} predictions differ: not significantly below the floor`
  };
}
function judgeRatio(spec, baseline, candidate, detail = {}) {
  const common = {
    name: spec.name,
    test: "ratio",
    unit: spec.unit,
    deltaKind: "relative",
    direction: spec.direction,
    allowed: spec.maxDegradation,
    weight: spec.weight,
    critical: spec.critical,
    pValue: null,
    detail
  };
  if (!Number.isFinite(baseline) || !Number.isFinite(candidate)) {
    return {
      ...common,
      baseline: Number.isFinite(baseline) ? baseline : null,
      candidate: Number.isFinite(candidate) ? candidate : null,
      delta: null,
      classification: "nodata",
      status: "nodata",
      reason: "no value on one side"
    };
  }
  const relative = baseline !== 0 ? candidate / baseline - 1 : candidate === 0 ? 0 : Math.sign(candidate) * Infinity;
  const classification = degraded(relative, spec.direction, spec.maxDegradation);
  return {
    ...common,
    baseline,
    candidate,
    delta: relative,
    classification,
    status: classification === "pass" ? "pass" : "fail",
    reason: classification === "pass" ? "within the allowed change" : `${classification === "high" ? "up" : "down"} ${(Math.abs(relative) * 100).toFixed(1)}% (allowed ${(spec.maxDegradation * 100).toFixed(1)}%)`
  };
}
var MIN_SCRAPE_SAMPLES = 3;
function judgePrometheus(spec, samples, alpha) {
  const label = spec.label ?? spec.name;
  const b = samples.baseline.prometheus[label] ?? [];
  const c = samples.candidate.prometheus[label] ?? [];
  const dist = {
    name: label,
    unit: spec.aggregate === "rate" ? "/s" : "",
    direction: spec.direction,
    maxDegradation: spec.max_degradation,
    weight: spec.weight,
    critical: spec.critical
  };
  if (b.length >= MIN_SCRAPE_SAMPLES && c.length >= MIN_SCRAPE_SAMPLES)
    return judgeDistribution(dist, b, c, alpha);
  return judgeRatio(dist, b.at(-1) ?? Number.NaN, c.at(-1) ?? Number.NaN, {
    n_baseline: b.length,
    n_candidate: c.length
  });
}

// src/canary/judge.ts
function judge(samples, thresholds) {
  const m = thresholds.metrics;
  const metrics = [
    judgeDistribution(
      {
        name: "latency",
        unit: "ms",
        direction: m.latency.direction,
        maxDegradation: m.latency.max_degradation,
        weight: m.latency.weight,
        critical: m.latency.critical
      },
      samples.baseline.latenciesMs,
      samples.candidate.latenciesMs,
      thresholds.alpha
    ),
    judgeErrorRate(samples, thresholds),
    judgeAgreement(samples, thresholds),
    judgeRatio(
      {
        name: "throughput",
        unit: "req/s",
        direction: "decrease",
        maxDegradation: m.throughput.max_degradation,
        weight: m.throughput.weight,
        critical: m.throughput.critical
      },
      throughputOf(samples.baseline, samples.concurrency),
      throughputOf(samples.candidate, samples.concurrency)
    ),
    ...m.prometheus.map((spec) => judgePrometheus(spec, samples, thresholds.alpha))
  ];
  return score(metrics, thresholds);
}
function score(metrics, thresholds) {
  const weighted = metrics.filter((r) => r.weight > 0);
  const critical = weighted.find((r) => r.critical && r.status === "fail");
  const nodata = weighted.filter((r) => r.status === "nodata").length;
  let value;
  let reason;
  if (critical) {
    value = 0;
    reason = `critical metric ${critical.name} failed: ${critical.reason}`;
  } else if (weighted.length > 0 && nodata / weighted.length >= 0.5) {
    value = 0;
    reason = `${nodata} of ${weighted.length} weighted metrics have no data`;
  } else {
    const judged = weighted.filter((r) => r.status !== "nodata");
    const total = judged.reduce((s, r) => s + r.weight, 0);
    const passed2 = judged.filter((r) => r.status === "pass").reduce((s, r) => s + r.weight, 0);
    value = total > 0 ? Math.round(1e4 * passed2 / total) / 100 : 100;
    const failed = judged.filter((r) => r.status === "fail").map((r) => r.name);
    reason = failed.length > 0 ? `failed: ${failed.join(", ")}` : "every metric passed";
  }
  const verdict = value >= thresholds.score.pass ? "pass" : value >= thresholds.score.marginal ? "marginal" : "fail";
  const passed = verdict === "pass" || verdict === "marginal" && thresholds.marginal_is === "pass";
  return { verdict, passed, score: value, reason, metrics };
}

// src/canary/report.ts
var COMMENT_MARKER = "<!-- bento-canary -->";
function num(v, digits = 3) {
  if (!Number.isFinite(v)) return String(v);
  const abs = Math.abs(v);
  if (abs !== 0 && (abs >= 1e6 || abs < 1e-3)) return v.toExponential(2);
  return Number(v.toPrecision(digits + 1)).toString();
}
function formatValue(r, v) {
  if (v === null) return "\u2013";
  if (r.unit === "%") return `${(v * 100).toFixed(2)}%`;
  if (r.unit === "ms") return `${v.toFixed(2)} ms`;
  if (r.unit === "req/s") return `${v.toFixed(1)} req/s`;
  return `${num(v)}${r.unit ? ` ${r.unit}` : ""}`;
}
function formatDelta(r) {
  if (r.delta === null) return "\u2013";
  const sign = r.delta > 0 ? "+" : r.delta < 0 ? "\u2212" : "\xB1";
  const abs = Math.abs(r.delta);
  if (!Number.isFinite(abs)) return `${sign}\u221E`;
  return r.deltaKind === "relative" ? `${sign}${(abs * 100).toFixed(1)}%` : `${sign}${(abs * 100).toFixed(2)} pp`;
}
function formatAllowed(r) {
  if (r.name === "agreement") return `\u2265 ${(r.allowed * 100).toFixed(1)}%`;
  if (r.deltaKind === "absolute") return `+${(r.allowed * 100).toFixed(2)} pp`;
  const pct = `${(r.allowed * 100).toFixed(1)}%`;
  return `${r.direction === "increase" ? "+" : r.direction === "decrease" ? "\u2212" : "\xB1"}${pct}`;
}
function resultCell(r, emoji) {
  const reportOnly = r.weight === 0;
  const mark = r.status === "pass" ? "\u2705 " : r.status === "nodata" ? "\u26AA " : reportOnly ? "\u26A0\uFE0F " : "\u274C ";
  const label = r.status === "nodata" ? "no data" : r.status;
  return `${emoji ? mark : ""}${label}${r.critical && r.status === "fail" ? " (critical)" : ""}${reportOnly ? " (report only)" : ""}`;
}
function verdictRows(verdict, emoji = false) {
  return verdict.metrics.map((r) => [
    r.name === "latency" ? "latency (median)" : r.name,
    formatValue(r, r.baseline),
    formatValue(r, r.candidate),
    formatDelta(r),
    formatAllowed(r),
    r.pValue === null ? "\u2013" : formatP(r.pValue),
    resultCell(r, emoji)
  ]);
}
var VERDICT_HEADERS = ["metric", "baseline", "candidate", "delta", "allowed", "p-value", "result"];
var QUANTILES = [
  ["p50", 0.5],
  ["p90", 0.9],
  ["p95", 0.95],
  ["p99", 0.99]
];
function latencyQuantiles(samples) {
  const b = sorted(samples.baseline.latenciesMs);
  const c = sorted(samples.candidate.latenciesMs);
  return QUANTILES.map(([label, q]) => ({
    label,
    baseline: quantileOfSorted(b, q),
    candidate: quantileOfSorted(c, q)
  }));
}
function latencyHistogram(samples, bins = 16) {
  const b = samples.baseline.latenciesMs;
  const c = samples.candidate.latenciesMs;
  if (b.length === 0 || c.length === 0) return void 0;
  const pooled = sorted([...b, ...c]);
  const lo = pooled[0];
  const hi = Math.max(quantileOfSorted(pooled, 0.99), lo + 1e-6);
  const width = (hi - lo) / bins;
  const count = (values) => {
    const out = new Array(bins).fill(0);
    for (const v of values) out[Math.min(bins - 1, Math.max(0, Math.floor((v - lo) / width)))]++;
    return out;
  };
  return {
    edges: Array.from({ length: bins }, (_, i) => lo + (i + 0.5) * width),
    baseline: count(b),
    candidate: count(c)
  };
}
function latencyChart(samples) {
  const h = latencyHistogram(samples);
  if (!h) return void 0;
  const labels = h.edges.map((e) => `"${num(e, 2)}"`).join(", ");
  const top = Math.max(...h.baseline, ...h.candidate);
  return [
    "```mermaid",
    "xychart-beta",
    '  title "Latency distribution (bars: baseline, line: candidate)"',
    `  x-axis "latency (ms)" [${labels}]`,
    `  y-axis "requests" 0 --> ${Math.max(1, Math.ceil(top * 1.1))}`,
    `  bar [${h.baseline.join(", ")}]`,
    `  line [${h.candidate.join(", ")}]`,
    "```"
  ].join("\n");
}
var escapeCell = (text) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");
function table(headers, rows2) {
  return [
    `| ${headers.join(" | ")} |`,
    `|${headers.map(() => "---").join("|")}|`,
    ...rows2.map((r) => `| ${r.map(escapeCell).join(" | ")} |`)
  ].join("\n");
}
var ICON = { pass: "\u2705", marginal: "\u26A0\uFE0F", fail: "\u274C" };
function renderMarkdown(ctx) {
  const { verdict, samples } = ctx;
  const gate = verdict.passed ? "the gate is open" : "the gate is closed";
  const lines = [
    COMMENT_MARKER,
    `## ${ICON[verdict.verdict]} bento-canary: ${verdict.verdict} (score ${verdict.score.toFixed(2)})`,
    "",
    `Baseline \`${ctx.baseline}\` against candidate \`${ctx.candidate}\`: ${samples.baseline.requests} request pairs, concurrency ${samples.concurrency}, ${(samples.durationMs / 1e3).toFixed(1)} s measured after ${samples.warmupRequests} warm-up pairs. ${verdict.reason}; ${gate}.`,
    "",
    table(VERDICT_HEADERS, verdictRows(verdict, true)),
    ""
  ];
  const why = verdict.metrics.filter((r) => r.status !== "pass" && r.weight > 0);
  if (why.length > 0) {
    lines.push(...why.map((r) => `- **${r.name}**: ${r.reason}`), "");
  }
  const quantiles = latencyQuantiles(samples);
  if (samples.baseline.latenciesMs.length > 0 && samples.candidate.latenciesMs.length > 0) {
    lines.push(
      table(
        ["latency", "baseline", "candidate", "change"],
        quantiles.map((q) => [
          q.label,
          `${q.baseline.toFixed(2)} ms`,
          `${q.candidate.toFixed(2)} ms`,
          `${q.candidate >= q.baseline ? "+" : "\u2212"}${Math.abs((q.candidate / q.baseline - 1) * 100).toFixed(1)}%`
        ])
      ),
      ""
    );
  }
  const chart = latencyChart(samples);
  if (chart) lines.push(chart, "");
  const errors = ["baseline", "candidate"].filter((side) => samples[side].errors > 0).map(
    (side) => `${side}: ${Object.entries(samples[side].errorKinds).map(([k, n]) => `${n} \xD7 ${k}`).join(", ")}`
  );
  if (errors.length > 0) lines.push(`Errors \u2014 ${errors.join("; ")}.`, "");
  if (samples.agreement.examples.length > 0) {
    lines.push(
      "<details><summary>Disagreeing predictions (first few)</summary>",
      "",
      ...samples.agreement.examples.map(
        (m) => `- request #${m.index} \`${m.route}\`: ${escapeCell(m.reason)}`
      ),
      "",
      "</details>",
      ""
    );
  }
  if (ctx.notes && ctx.notes.length > 0) lines.push(...ctx.notes.map((n) => `- ${n}`), "");
  lines.push(
    `<sub>Mann-Whitney U (one-sided, normal approximation with tie and continuity corrections) for distributions, two-proportion z-test for error rates; a metric fails when it is significantly worse and beyond its allowance. Score = weighted share of passing metrics (Kayenta).</sub>`
  );
  return `${lines.join("\n")}
`;
}

// src/canary/promote.ts
function parsePromotionTarget(promoteTo) {
  const target2 = parseOciUrl(promoteTo, "promoteTo");
  if (target2.digest)
    throw new OptionError(
      "promoteTo",
      say`invalid ${option("promoteTo")} "${promoteTo}": name a tag to move, not a digest`
    );
  return target2;
}
function planPromotion(promoteTo, source, release) {
  const target2 = parsePromotionTarget(promoteTo);
  if (!source)
    throw new OptionError(
      "promoteTo",
      say`${option("promoteTo")} needs a candidate in a registry: pass ${option("candidate", "oci://host/repo:tag")} (the artifact that was judged)`
    );
  if (source.registry !== target2.registry || source.repository !== target2.repository) {
    throw new OptionError(
      "promoteTo",
      say`invalid ${option("promoteTo")} "${promoteTo}": promotion moves tags within the candidate's repository ${source.registry}/${source.repository}; push the candidate there first`
    );
  }
  const tags = [validateTag(target2.tag ?? "stable", "promoteTo")];
  return { source, target: target2, tags, ...release ? { release } : {} };
}
async function promote(plan, options = {}) {
  const repo = await openRepository(
    { registry: plan.target.registry, repository: plan.target.repository },
    { ...options, push: true }
  );
  try {
    const reference = plan.source.digest ?? plan.source.tag;
    if (!reference)
      throw new UsageError(`the candidate ${formatReference(plan.source)} names neither a tag nor a digest`);
    const manifest = await repo.getManifest(reference);
    if (plan.source.digest && manifest.digest !== plan.source.digest)
      throw new BentoError(`the registry returned ${manifest.digest} for ${formatReference(plan.source)}`);
    const moving = [...plan.tags];
    const immutable = [];
    if (plan.release) {
      const r = releaseTags(plan.release);
      immutable.push(r.exact);
      moving.push(...r.moving);
    }
    const moves = [];
    for (const tag of immutable) {
      const previous = await repo.resolve(tag);
      if (previous && previous !== manifest.digest)
        throw new BentoError(
          `release tag ${tag} already points at ${previous}: release tags are immutable (bump the version)`
        );
    }
    for (const tag of [...immutable, ...new Set(moving)]) {
      const previous = await repo.resolve(tag);
      if (previous === manifest.digest) {
        moves.push({ tag, previous, moved: false });
        continue;
      }
      await repo.putManifest(tag, manifest.bytes, manifest.mediaType);
      const now = await repo.resolve(tag);
      if (now !== manifest.digest)
        throw new BentoError(
          `tag ${tag} points at ${now ?? "nothing"} after promotion, not ${manifest.digest}`
        );
      moves.push({ tag, ...previous ? { previous } : {}, moved: true });
    }
    return {
      digest: manifest.digest,
      repository: `${plan.target.registry}/${plan.target.repository}`,
      moves
    };
  } finally {
    await repo.close();
  }
}
function promotionAllowed(options) {
  if (!options.passed)
    return { allowed: false, why: say`the verdict did not pass: stable is left untouched` };
  if (options.event !== void 0 && options.onEvents.length > 0 && !options.onEvents.includes(options.event))
    return {
      allowed: false,
      why: say`event ${options.event} does not promote (${option("promoteOn")}: ${options.onEvents.join(", ")})`
    };
  if (options.ref !== void 0 && options.onRefs.length > 0) {
    const short = options.ref.replace(/^refs\/(heads|tags)\//, "");
    if (!options.onRefs.includes(options.ref) && !options.onRefs.includes(short))
      return {
        allowed: false,
        why: say`ref ${options.ref} does not promote (${option("promoteRefs")}: ${options.onRefs.join(", ")})`
      };
  }
  return { allowed: true, why: say`passed` };
}

// src/operations/canary.ts
var import_semver = __toESM(require_semver(), 1);

// src/canary/gate.ts
function defaultRolloutName(outcome) {
  const ref = outcome.candidate.ref;
  const raw = ref.kind === "image" ? (ref.registry?.repository ?? ref.image).split("/").at(-1).split(/[:@]/)[0] : outcome.candidate.description.split(/[\s:]/)[1] ?? "bento-service";
  return raw.toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 63) || "bento-service";
}
function candidateImage(outcome, promoted) {
  const ref = outcome.candidate.ref;
  if (ref.kind !== "image") return void 0;
  if (ref.registry) {
    const digest = promoted?.digest ?? ref.registry.digest;
    return digest ? formatReference({ registry: ref.registry.registry, repository: ref.registry.repository, digest }) : ref.image;
  }
  return ref.image;
}
async function applyGate(outcome, options) {
  const notes = [];
  const manifests = [];
  let promotion;
  if (options.promoteTo) {
    const source = outcome.candidate.ref.kind === "image" ? outcome.candidate.ref.registry : void 0;
    const plan = planPromotion(options.promoteTo, source, options.release);
    if (!outcome.verdict.passed) {
      notes.push(
        say`Promotion skipped: the verdict is ${outcome.verdict.verdict}; \`${plan.tags.join(", ")}\` left untouched.`
      );
    } else if (options.promotionBlocked) {
      notes.push(say`Promotion skipped: ${options.promotionBlocked}.`);
    } else {
      promotion = await promote(plan, options.registry);
      const moved = promotion.moves.filter((m) => m.moved).map((m) => `\`${m.tag}\``);
      const kept = promotion.moves.filter((m) => !m.moved).map((m) => `\`${m.tag}\``);
      const line = `Promoted ${promotion.repository}@${promotion.digest}: ${moved.length > 0 ? `moved ${moved.join(", ")}` : "no tag moved"}${kept.length > 0 ? `; already there: ${kept.join(", ")}` : ""}.`;
      notes.push(say`${line}`);
      options.log(`canary: ${line.replace(/`/g, "")}`);
    }
  }
  if (options.rolloutDir) {
    const image = options.rolloutImage ?? candidateImage(outcome, promotion);
    if (!image) {
      notes.push(
        say`Rollout manifests not written: the candidate is not an image (pass ${option("rolloutImage")}).`
      );
    } else {
      manifests.push(
        ...await writeRolloutManifests(options.rolloutDir, options.thresholds, {
          name: options.rolloutName ?? defaultRolloutName(outcome),
          image
        })
      );
      notes.push(
        say`Rollout manifests (Argo Rollouts, Flagger) with the same thresholds: ${manifests.map((m) => `\`${m}\``).join(", ")}.`
      );
    }
  }
  return { ...promotion ? { promotion } : {}, manifests, notes };
}

// src/canary/run.ts
import { createWriteStream } from "node:fs";

// src/canary/requests.ts
import { readFile } from "node:fs/promises";
var routeSchema = external_exports.string().regex(/^\/[A-Za-z0-9_\-/.~%]*(\?[^\s#]*)?$/, 'a path starting with "/"');
var recordSchema = external_exports.object({
  api: external_exports.string().min(1).optional(),
  route: routeSchema.optional(),
  method: external_exports.enum(["GET", "POST", "PUT"]).optional(),
  headers: external_exports.record(external_exports.string(), external_exports.string()).optional(),
  body: external_exports.unknown().optional()
}).strict();
function parseRequestLines(text, apis, source) {
  const out = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === "") continue;
    const where = `${source} line ${i + 1}`;
    let value;
    try {
      value = JSON.parse(line);
    } catch {
      throw new UsageError(
        `invalid request in ${where}: not JSON (one {"api"|"route", "body"} object per line)`
      );
    }
    const parsed = recordSchema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new UsageError(
        `invalid request in ${where}: ${issue.path.join(".") || "record"}: ${issue.message}`
      );
    }
    const record = parsed.data;
    let route = record.route;
    if (!route && record.api) {
      route = apis.find((a) => a.name === record.api)?.route;
      if (!route) {
        const known = apis.map((a) => a.name).join(", ") || 'none known (give "route" instead)';
        throw new UsageError(
          `invalid request in ${where}: unknown api "${record.api}" (the targets serve: ${known})`
        );
      }
    }
    if (!route) {
      if (apis.length !== 1)
        throw new UsageError(
          `invalid request in ${where}: add "api" or "route" (the targets serve ${apis.length} APIs)`
        );
      route = apis[0].route;
    }
    const hasBody = record.body !== void 0;
    const body = !hasBody ? void 0 : typeof record.body === "string" ? record.body : JSON.stringify(record.body);
    const headers = { ...record.headers ?? {} };
    if (hasBody && typeof record.body !== "string" && !Object.keys(headers).some((h) => h.toLowerCase() === "content-type"))
      headers["content-type"] = "application/json";
    out.push({
      method: record.method ?? (hasBody ? "POST" : "GET"),
      route,
      ...body !== void 0 ? { body } : {},
      headers
    });
  }
  if (out.length === 0)
    throw new OptionError(
      "requestsFile",
      say`invalid ${option("requestsFile")} "${source}": it holds no requests`
    );
  return out;
}
async function loadRequestFile(path, apis) {
  let text;
  try {
    text = await readFile(path, "utf8");
  } catch {
    throw new OptionError(
      "requestsFile",
      say`invalid ${option("requestsFile")} "${path}": the file cannot be read (pass a JSONL file of requests)`
    );
  }
  return parseRequestLines(text, apis, path);
}
function seededRandom(seed) {
  let a = seed >>> 0;
  return () => {
    a = a + 1831565813 >>> 0;
    let t = a;
    t = Math.imul(t ^ t >>> 15, t | 1);
    t ^= t + Math.imul(t ^ t >>> 7, t | 61);
    return ((t ^ t >>> 14) >>> 0) / 4294967296;
  };
}
function randomLeaf(dtype, rand) {
  if (dtype.startsWith("float")) return Math.round((rand() * 4 - 2) * 1e4) / 1e4;
  if (dtype === "bool") return rand() < 0.5;
  if (dtype === "string") return `s${Math.floor(rand() * 1e3)}`;
  if (dtype.startsWith("uint")) return Math.floor(rand() * 10);
  return Math.floor(rand() * 10) - 5 * Number(dtype.startsWith("int") && rand() < 0.3);
}
function randomTensor(spec, batch, rand) {
  const dims = (spec.shape ?? [batch]).map((d) => typeof d === "number" && d >= 0 ? d : batch);
  const build = (depth) => depth === dims.length ? randomLeaf(spec.dtype, rand) : Array.from({ length: dims[depth] }, () => build(depth + 1));
  return build(0);
}
function generateRequests(apis, count, seed = 1, batch = 1) {
  if (apis.length === 0)
    throw new UsageError(
      say`cannot generate requests: the targets declare no API signature (pass ${option("requestsFile")})`
    );
  const rand = seededRandom(seed);
  return Array.from({ length: count }, (_, i) => {
    const api = apis[i % apis.length];
    const body = {};
    for (const input of api.inputs) body[input.name] = randomTensor(input, batch, rand);
    return {
      method: "POST",
      route: api.route,
      body: JSON.stringify(body),
      headers: { "content-type": "application/json" }
    };
  });
}

// src/canary/traffic.ts
var import_undici = __toESM(require_undici(), 1);
import { performance } from "node:perf_hooks";

// src/canary/agreement.ts
function isNumeric(value) {
  if (typeof value === "number") return true;
  if (!Array.isArray(value)) return false;
  return value.every(isNumeric);
}
function shapeOf(value) {
  const shape = [];
  for (let v = value; Array.isArray(v); v = v[0]) {
    shape.push(v.length);
    if (v.length === 0) break;
  }
  return shape;
}
function rows(value, path = [], out = []) {
  if (Array.isArray(value) && value.every((v) => typeof v === "number"))
    out.push({ path, row: value });
  else if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) rows(value[i], [...path, i], out);
  } else out.push({ path, row: [value] });
  return out;
}
function flat(value, out = []) {
  if (Array.isArray(value)) for (const v of value) flat(v, out);
  else out.push(value);
  return out;
}
function argmax(row) {
  let best = 0;
  for (let i = 1; i < row.length; i++) if (row[i] > row[best]) best = i;
  return best;
}
var at = (name, path) => `${name}${path.map((i) => `[${i}]`).join("")}`;
function compareNumeric(name, a, b, spec) {
  const shapeA = shapeOf(a);
  const shapeB = shapeOf(b);
  if (shapeA.join("x") !== shapeB.join("x"))
    return { agree: false, reason: `${name}: shape [${shapeA}] vs [${shapeB}]` };
  const values = flat(a);
  const classes = shapeA.length >= 1 && shapeA.at(-1) > 1 && values.some((v) => !Number.isInteger(v));
  const mode = spec.mode === "auto" ? classes ? "argmax" : "tolerance" : spec.mode;
  if (mode === "argmax") {
    const rowsA = rows(a);
    const rowsB = rows(b);
    for (let i = 0; i < rowsA.length; i++) {
      const ca = argmax(rowsA[i].row);
      const cb = argmax(rowsB[i].row);
      if (ca !== cb) return { agree: false, reason: `${at(name, rowsA[i].path)}: class ${ca} vs ${cb}` };
    }
    return { agree: true };
  }
  const other = flat(b);
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    const y = other[i];
    const equal = mode === "exact" ? x === y : Math.abs(x - y) <= spec.atol + spec.rtol * Math.abs(x);
    if (!equal) return { agree: false, reason: `${name} element ${i}: ${x} vs ${y}` };
  }
  return { agree: true };
}
function compareValue(name, a, b, spec) {
  if (isNumeric(a) && isNumeric(b)) return compareNumeric(name, a, b, spec);
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return { agree: false, reason: `${name}: length ${a.length} vs ${b.length}` };
    for (let i = 0; i < a.length; i++) {
      const c = compareValue(`${name}[${i}]`, a[i], b[i], spec);
      if (!c.agree) return c;
    }
    return { agree: true };
  }
  if (a && b && typeof a === "object" && typeof b === "object" && !Array.isArray(a) && !Array.isArray(b)) {
    const keysA = Object.keys(a).sort();
    const keysB = Object.keys(b).sort();
    if (keysA.join("\0") !== keysB.join("\0"))
      return { agree: false, reason: `${name || "body"}: keys ${keysA.join(",")} vs ${keysB.join(",")}` };
    for (const key of keysA) {
      const c = compareValue(
        name ? `${name}.${key}` : key,
        a[key],
        b[key],
        spec
      );
      if (!c.agree) return c;
    }
    return { agree: true };
  }
  if (a === b) return { agree: true };
  const show = (v) => {
    const text = JSON.stringify(v) ?? String(v);
    return text.length > 40 ? `${text.slice(0, 40)}...` : text;
  };
  return { agree: false, reason: `${name || "body"}: ${show(a)} vs ${show(b)}` };
}
function compareResponses(baseline, candidate, spec) {
  return compareValue("", baseline, candidate, spec);
}

// src/canary/prometheus.ts
var NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
var LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;
function parseValue(text) {
  if (text === "+Inf" || text === "Inf") return Number.POSITIVE_INFINITY;
  if (text === "-Inf") return Number.NEGATIVE_INFINITY;
  if (text === "NaN") return Number.NaN;
  const value = Number(text);
  if (text === "" || Number.isNaN(value)) throw new Error(`"${text}" is not a number`);
  return value;
}
function parseLabels(text, start) {
  const labels = {};
  let i = start + 1;
  for (; ; ) {
    while (text[i] === " " || text[i] === ",") i++;
    if (text[i] === "}") return { labels, end: i + 1 };
    const name = LABEL_NAME.exec(text.slice(i))?.[0];
    if (!name) throw new Error(`bad label name at column ${i + 1}`);
    i += name.length;
    while (text[i] === " ") i++;
    if (text[i] !== "=" || text[i + 1] !== '"') throw new Error(`expected ="..." after label ${name}`);
    i += 2;
    let value = "";
    for (; ; ) {
      const ch = text[i];
      if (ch === void 0) throw new Error(`unterminated value of label ${name}`);
      if (ch === '"') break;
      if (ch === "\\") {
        const next = text[i + 1];
        value += next === "n" ? "\n" : next ?? "";
        i += 2;
      } else {
        value += ch;
        i++;
      }
    }
    labels[name] = value;
    i++;
  }
}
function parsePrometheusText(text) {
  const samples = [];
  const types = {};
  const lines = text.split("\n");
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n].trim();
    if (line === "") continue;
    if (line.startsWith("#")) {
      const m = /^#\s*TYPE\s+(\S+)\s+(\S+)/.exec(line);
      if (m) types[m[1]] = m[2];
      continue;
    }
    try {
      const name = NAME.exec(line)?.[0];
      if (!name) throw new Error("expected a metric name");
      let i = name.length;
      let labels = {};
      if (line[i] === "{") ({ labels, end: i } = parseLabels(line, i));
      const [valueText = "", timestamp] = line.slice(i).trim().split(/\s+/);
      if (timestamp !== void 0 && !/^-?\d+$/.test(timestamp))
        throw new Error(`bad timestamp "${timestamp}"`);
      samples.push({ name, labels, value: parseValue(valueText) });
    } catch (err) {
      throw new BentoError(`invalid Prometheus metrics at line ${n + 1}: ${err.message}`);
    }
  }
  return { samples, types };
}
function selectValue(scrape, name, labels = {}) {
  let total;
  for (const s of scrape.samples) {
    if (s.name !== name) continue;
    if (!Object.entries(labels).every(([k, v]) => s.labels[k] === v)) continue;
    total = (total ?? 0) + s.value;
  }
  return total;
}
function samplesOf(scrapes, aggregate) {
  const present = scrapes.filter((s) => s.value !== void 0);
  if (aggregate === "last") return present.map((s) => s.value);
  const out = [];
  for (let i = 1; i < present.length; i++) {
    const prev = present[i - 1];
    const cur = present[i];
    const delta = cur.value >= prev.value ? cur.value - prev.value : cur.value;
    const seconds = (cur.atMs - prev.atMs) / 1e3;
    if (aggregate === "increase") out.push(delta);
    else if (seconds > 0) out.push(delta / seconds);
  }
  return out;
}

// src/canary/traffic.ts
var MAX_EXAMPLES = 5;
function errorKind(err) {
  const code = err.code ?? "";
  if (code === "UND_ERR_HEADERS_TIMEOUT" || code === "UND_ERR_BODY_TIMEOUT" || err.name === "TimeoutError")
    return "timeout";
  if (code === "ECONNREFUSED") return "connection refused";
  if (code === "ECONNRESET" || code === "UND_ERR_SOCKET") return "connection reset";
  return code || err.name || "error";
}
var Side = class {
  constructor(endpoint, options) {
    this.endpoint = endpoint;
    this.options = options;
    this.agent = new import_undici.Agent({
      connections: options.concurrency + 1,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      connect: { timeout: Math.min(options.timeoutMs, 1e4) }
    });
  }
  endpoint;
  options;
  samples = emptySide();
  agent;
  async send(req) {
    const start = performance.now();
    try {
      const res = await (0, import_undici.request)(`${this.endpoint.url}${req.route}`, {
        method: req.method,
        headers: req.headers,
        body: req.body,
        dispatcher: this.agent,
        signal: AbortSignal.any([
          AbortSignal.timeout(this.options.timeoutMs),
          ...this.options.signal ? [this.options.signal] : []
        ])
      });
      const text = await res.body.text();
      const latencyMs = performance.now() - start;
      if (res.statusCode < 200 || res.statusCode >= 300)
        return { ok: false, latencyMs, error: `HTTP ${res.statusCode}` };
      let body = text;
      const type = res.headers["content-type"];
      if (typeof type === "string" && type.includes("json")) {
        try {
          body = JSON.parse(text);
        } catch {
          return { ok: false, latencyMs, error: "invalid JSON" };
        }
      }
      return { ok: true, latencyMs, body };
    } catch (err) {
      if (this.options.signal?.aborted) throw err;
      return { ok: false, latencyMs: performance.now() - start, error: errorKind(err) };
    }
  }
  record(outcome) {
    this.samples.requests++;
    if (outcome.ok) this.samples.latenciesMs.push(outcome.latencyMs);
    else {
      this.samples.errors++;
      const kind = outcome.error ?? "error";
      this.samples.errorKinds[kind] = (this.samples.errorKinds[kind] ?? 0) + 1;
    }
  }
  async scrape() {
    if (!this.endpoint.metricsPath) return void 0;
    try {
      const res = await (0, import_undici.request)(`${this.endpoint.url}${this.endpoint.metricsPath}`, {
        dispatcher: this.agent,
        signal: AbortSignal.timeout(this.options.timeoutMs)
      });
      const text = await res.body.text();
      return res.statusCode === 200 ? parsePrometheusText(text) : void 0;
    } catch {
      return void 0;
    }
  }
  close() {
    return this.agent.close();
  }
};
function summarize(side) {
  const p50 = quantileOfSorted(sorted(side.latenciesMs), 0.5);
  return `p50 ${Number.isNaN(p50) ? "-" : p50.toFixed(2)} ms, ${side.errors} errors`;
}
async function runTraffic(options) {
  if (options.requests.length === 0)
    throw new UsageError(
      say`no requests to send (pass ${option("requestsFile")} or a target with an API signature)`
    );
  if (options.count === void 0 && options.durationMs === void 0)
    throw new UsageError(say`give ${option("requests")} or ${option("duration")}: the run needs an end`);
  const log = options.log ?? ((line) => process.stderr.write(`${line}
`));
  const baseline = new Side(options.baseline, options);
  const candidate = new Side(options.candidate, options);
  const agreement = { compared: 0, agreed: 0, examples: [] };
  const requests = options.requests;
  const sendPair = async (index) => {
    const req = requests[index % requests.length];
    if (options.order === "paired") return Promise.all([baseline.send(req), candidate.send(req)]);
    if (index % 2 === 0) {
      const a = await baseline.send(req);
      return [a, await candidate.send(req)];
    }
    const b = await candidate.send(req);
    return [await baseline.send(req), b];
  };
  const runPhase = async (total, deadline, measure) => {
    let next = 0;
    let lastProgress = performance.now();
    const started = performance.now();
    const worker = async () => {
      for (; ; ) {
        if (options.signal?.aborted) throw new BentoError("canary cancelled");
        if (total !== void 0 && next >= total) return;
        if (deadline !== void 0 && performance.now() >= deadline) return;
        const index = next++;
        const [a, b] = await sendPair(index);
        if (!measure) continue;
        baseline.record(a);
        candidate.record(b);
        if (a.ok && b.ok) {
          agreement.compared++;
          const c = compareResponses(a.body, b.body, options.agreement);
          if (c.agree) agreement.agreed++;
          else {
            const req = requests[index % requests.length];
            const mismatch = { index, route: req.route, reason: c.reason ?? "responses differ" };
            if (agreement.examples.length < MAX_EXAMPLES) agreement.examples.push(mismatch);
            options.onMismatch?.({ ...mismatch, request: req.body, baseline: a.body, candidate: b.body });
          }
        }
        const now = performance.now();
        if (now - lastProgress >= (options.progressIntervalMs ?? 5e3)) {
          lastProgress = now;
          const of = total !== void 0 ? `/${total}` : "";
          log(
            `canary: ${index + 1}${of} pairs, ${((now - started) / 1e3).toFixed(1)} s; baseline ${summarize(baseline.samples)}; candidate ${summarize(candidate.samples)}`
          );
        }
      }
    };
    await Promise.all(Array.from({ length: options.concurrency }, worker));
  };
  try {
    if (options.warmup > 0) {
      log(`canary: warming up with ${options.warmup} pairs (discarded)`);
      await runPhase(options.warmup, void 0, false);
    }
    const scrapes = await startScraping(baseline, candidate, options);
    const started = performance.now();
    const deadline = options.durationMs !== void 0 ? started + options.durationMs : void 0;
    await runPhase(options.count, deadline, true);
    const durationMs = performance.now() - started;
    await scrapes.stop();
    const result = {
      baseline: baseline.samples,
      candidate: candidate.samples,
      agreement,
      concurrency: options.concurrency,
      durationMs,
      warmupRequests: options.warmup
    };
    scrapes.fill(result);
    log(
      `canary: done, ${baseline.samples.requests} pairs in ${(durationMs / 1e3).toFixed(1)} s; baseline ${summarize(baseline.samples)}; candidate ${summarize(candidate.samples)}`
    );
    return result;
  } finally {
    await Promise.all([baseline.close(), candidate.close()]);
  }
}
async function startScraping(baseline, candidate, options) {
  const specs = options.prometheus;
  const series = {
    baseline: [],
    candidate: []
  };
  const scrapeBoth = async () => {
    const atMs = performance.now();
    const [a, b] = await Promise.all([baseline.scrape(), candidate.scrape()]);
    series.baseline.push({ atMs, ...a ? { scrape: a } : {} });
    series.candidate.push({ atMs, ...b ? { scrape: b } : {} });
  };
  if (specs.length === 0) return { stop: async () => void 0, fill: (_) => void 0 };
  await scrapeBoth();
  let pending = Promise.resolve();
  const timer = setInterval(() => {
    pending = pending.then(scrapeBoth);
  }, options.scrapeIntervalMs ?? 1e3);
  return {
    stop: async () => {
      clearInterval(timer);
      await pending;
      await scrapeBoth();
    },
    fill: (result) => {
      for (const spec of specs) {
        const label = spec.label ?? spec.name;
        for (const side of ["baseline", "candidate"]) {
          const points = series[side].map((p) => ({
            atMs: p.atMs,
            value: p.scrape ? selectValue(p.scrape, spec.name, spec.labels) : void 0
          }));
          result[side].prometheus[label] = samplesOf(points, spec.aggregate);
        }
      }
    }
  };
}

// src/canary/run.ts
var DEFAULT_PAIRS = 200;
function apisOf(a, b) {
  return b.apis.length > 0 ? b.apis : a.apis;
}
async function buildRequests(options, apis) {
  if (options.requestsFile) {
    const requests = await loadRequestFile(options.requestsFile, apis);
    const count2 = options.requests ?? (options.durationMs === void 0 ? requests.length : void 0);
    return { requests, ...count2 !== void 0 ? { count: count2 } : {} };
  }
  if (apis.length === 0)
    throw new UsageError(
      say`neither side declares an API signature (URLs and plain images do not): pass ${option("requestsFile")} with recorded requests`
    );
  const count = options.requests ?? (options.durationMs === void 0 ? DEFAULT_PAIRS : void 0);
  return {
    requests: generateRequests(apis, count ?? 1e3, options.seed),
    ...count !== void 0 ? { count } : {}
  };
}
async function measureCanary(targets, options) {
  const { requests, count } = await buildRequests(options, apisOf(targets.baseline, targets.candidate));
  const samples = await runTraffic({
    baseline: { url: targets.baseline.url, metricsPath: "/metrics" },
    candidate: { url: targets.candidate.url, metricsPath: "/metrics" },
    requests,
    ...count !== void 0 ? { count } : {},
    ...options.durationMs !== void 0 ? { durationMs: options.durationMs } : {},
    warmup: options.warmup,
    concurrency: options.concurrency,
    order: options.order,
    timeoutMs: options.timeoutMs,
    agreement: options.thresholds.metrics.agreement,
    prometheus: options.thresholds.metrics.prometheus,
    log: options.log,
    ...options.onMismatch ? { onMismatch: options.onMismatch } : {},
    ...options.signal ? { signal: options.signal } : {}
  });
  const describe = (t) => ({
    ref: t.ref,
    description: t.description,
    ...t.identity ? { identity: t.identity } : {}
  });
  return {
    baseline: describe(targets.baseline),
    candidate: describe(targets.candidate),
    samples,
    verdict: judge(samples, options.thresholds)
  };
}
function openShadowLog(path) {
  const stream = createWriteStream(path);
  let failed;
  stream.on("error", (err) => {
    failed ??= err;
  });
  const failure = () => new BentoError(say`cannot write ${option("shadow")} "${path}": ${failed}`);
  return {
    write: (mismatch) => {
      if (!failed) stream.write(`${JSON.stringify(mismatch)}
`);
    },
    close: () => new Promise((resolve3, reject2) => {
      if (failed) return reject2(failure());
      stream.end(() => failed ? reject2(failure()) : resolve3());
    })
  };
}

// src/canary/targets.ts
var import_yaml2 = __toESM(require_dist(), 1);
import { readFile as readFile2, stat } from "node:fs/promises";
import { join as join2, resolve as resolve2 } from "node:path";

// src/canary/launch-container.ts
var import_tar_stream = __toESM(require_tar_stream(), 1);
var import_yaml = __toESM(require_dist(), 1);

// src/canary/readiness.ts
var import_undici2 = __toESM(require_undici(), 1);
import { createServer } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
function freeLoopbackPort() {
  return new Promise((resolve3, reject2) => {
    const server = createServer();
    server.once("error", reject2);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(
        () => typeof address === "object" && address ? resolve3(address.port) : reject2(new Error("no port"))
      );
    });
  });
}
async function waitReady(options) {
  const deadline = Date.now() + options.timeoutMs;
  let last = "no answer yet";
  for (let delay = 50; ; delay = Math.min(delay * 2, 500)) {
    const died = options.dead();
    if (died) throw new BentoError(`${options.what} stopped before it was ready: ${died}`);
    try {
      const res = await (0, import_undici2.request)(`${options.url}${options.path ?? "/readyz"}`, {
        signal: AbortSignal.timeout(2e3),
        headersTimeout: 2e3,
        bodyTimeout: 2e3
      });
      await res.body.dump();
      if (res.statusCode === 200) return;
      last = `/readyz answered ${res.statusCode}`;
    } catch (err) {
      last = err.code ?? err.message;
    }
    if (options.signal?.aborted) throw new BentoError(`${options.what}: cancelled while waiting for it`);
    if (Date.now() >= deadline)
      throw new BentoError(
        say`${options.what} was not ready within ${Math.round(options.timeoutMs / 1e3)} s (${last}); raise ${option("readyTimeout")} or check its logs`
      );
    await sleep(delay);
  }
}
var LogTail = class {
  constructor(max = 20) {
    this.max = max;
  }
  max;
  lines = [];
  partial = "";
  push(chunk) {
    const text = this.partial + chunk.toString();
    const parts = text.split("\n");
    this.partial = parts.pop() ?? "";
    this.lines.push(...parts.filter((l) => l.trim() !== ""));
    if (this.lines.length > this.max) this.lines = this.lines.slice(-this.max);
  }
  text() {
    return [...this.lines, this.partial].filter(Boolean).slice(-5).join(" | ");
  }
};

// src/canary/serve-args.ts
function serveFlag(key) {
  return `--${serveSetting(key).flag}`;
}
function listenEnv(values) {
  return [`${serveSetting("host").env}=${values.host}`, `${serveSetting("port").env}=${values.port}`];
}
function withListenArgs(cmd, values) {
  const out = [...cmd];
  for (const [key, value] of [
    ["host", values.host],
    ["port", String(values.port)]
  ]) {
    const i = out.indexOf(serveFlag(key));
    if (i >= 0 && i + 1 < out.length) out[i + 1] = value;
  }
  return out;
}

// src/canary/launch-container.ts
async function ensureImage(options) {
  const image = options.docker.getImage(options.image);
  try {
    return await image.inspect();
  } catch (err) {
    if (err.statusCode !== 404) throw err;
  }
  if (!options.pull)
    throw new BentoError(`image ${options.image} is not on the Docker engine: build or pull it first`);
  options.log?.(`canary: pulling ${options.image}`);
  const stream = await options.docker.pull(options.image);
  await new Promise(
    (resolve3, reject2) => options.docker.modem.followProgress(stream, (err) => err ? reject2(err) : resolve3())
  );
  return image.inspect();
}
function commandWithPort(cmd, port) {
  return withListenArgs(cmd ?? [], { host: "127.0.0.1", port });
}
function containerEnv(port) {
  return [...listenEnv({ host: "127.0.0.1", port }), `PORT=${port}`];
}
function demuxer(sink) {
  let pending = Buffer.alloc(0);
  return (chunk) => {
    pending = Buffer.concat([pending, chunk]);
    while (pending.length >= 8) {
      const size = pending.readUInt32BE(4);
      if (pending.length < 8 + size) return;
      sink(pending.subarray(8, 8 + size));
      pending = pending.subarray(8 + size);
    }
  };
}
async function readBentoInfo(container, workingDirs) {
  for (const dir of workingDirs) {
    try {
      const archive = await container.getArchive({ path: `${dir}/bento.yaml` });
      const text = await new Promise((resolve3, reject2) => {
        const extract = import_tar_stream.default.extract();
        let found = "";
        extract.on("entry", (_header, stream, next) => {
          const chunks = [];
          stream.on("data", (c) => {
            chunks.push(c);
          });
          stream.on("end", () => {
            found ||= Buffer.concat(chunks).toString("utf8");
            next();
          });
          stream.resume();
        });
        extract.on("finish", () => resolve3(found));
        extract.on("error", reject2);
        archive.pipe(extract);
      });
      const parsed = bentoInfoSchema.safeParse(import_yaml.default.parse(text));
      if (parsed.success) return parsed.data;
    } catch {
    }
  }
  return void 0;
}
async function launchContainer(options) {
  const info = await ensureImage(options);
  const port = await freeLoopbackPort();
  const cmd = commandWithPort(info.Config?.Cmd, port);
  const container = await options.docker.createContainer({
    Image: options.image,
    ...cmd.length > 0 ? { Cmd: cmd } : {},
    Env: [...Object.entries(options.env ?? {}).map(([k, v]) => `${k}=${v}`), ...containerEnv(port)],
    Labels: { "dev.bentoci.canary": options.what },
    HostConfig: { NetworkMode: "host" }
  });
  const fromEnv = (info.Config?.Env ?? []).find((e) => e.startsWith("BENTOCI_BENTO_DIR="))?.slice("BENTOCI_BENTO_DIR=".length);
  const positional = cmd.find((a) => a.startsWith("/"));
  const bentoDirs = [fromEnv, positional, info.Config?.WorkingDir].filter(
    (d) => typeof d === "string" && d.startsWith("/")
  );
  const bento = await readBentoInfo(container, bentoDirs);
  const tail = new LogTail();
  let state;
  const remove = async () => {
    await container.stop({ t: 10 }).catch(() => void 0);
    await container.remove({ force: true }).catch(() => void 0);
  };
  try {
    await container.start();
    const logs = await container.logs({ follow: true, stdout: true, stderr: true });
    logs.on(
      "data",
      demuxer((c) => tail.push(c))
    );
    logs.on("error", () => void 0);
    const url = `http://127.0.0.1:${port}`;
    options.log?.(`canary: started ${options.what} (container ${container.id.slice(0, 12)}) on ${url}`);
    let lastCheck = 0;
    await waitReady({
      url,
      timeoutMs: options.readyTimeoutMs,
      what: options.what,
      dead: () => {
        if (Date.now() - lastCheck > 500) {
          lastCheck = Date.now();
          container.inspect().then((c) => {
            if (!c.State.Running) state = `container exited with ${c.State.ExitCode}`;
          }).catch(() => void 0);
        }
        return state ? `${state}; last output: ${tail.text() || "(none)"}` : void 0;
      },
      ...options.signal ? { signal: options.signal } : {}
    });
    const destroy = logs.destroy;
    return {
      url,
      imageId: info.Id,
      ...bento ? { bento } : {},
      stop: async () => {
        destroy?.call(logs);
        await remove();
      }
    };
  } catch (err) {
    await remove();
    throw err;
  }
}

// src/canary/launch-process.ts
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
function runtimeServerPath(env = process.env) {
  const override = env["BENTOCI_RUNTIME"];
  if (override) return resolve(override);
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [
    join(here, "runtime", "server.js"),
    join(here, "..", "..", "dist", "runtime", "server.js")
  ];
  const found = candidates.find((p) => existsSync(p));
  if (!found)
    throw new BentoError(
      `the serving runtime is not built (looked for ${candidates.join(" and ")}): run \`npm run build\` or set BENTOCI_RUNTIME`
    );
  return found;
}
async function launchRuntimeProcess(options) {
  const server = runtimeServerPath();
  const port = await freeLoopbackPort();
  const args = [server, options.dir, ...serveSettingArgs({ host: "127.0.0.1", port })];
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ...options.env },
    stdio: ["ignore", "pipe", "pipe"]
  });
  const tail = new LogTail();
  child.stdout?.on("data", (c) => tail.push(c));
  child.stderr?.on("data", (c) => tail.push(c));
  let exited;
  let spawnError;
  child.once("error", (err) => {
    spawnError = err.message;
  });
  const done = new Promise(
    (res) => child.once("exit", (code, sig) => {
      exited = `exit ${code ?? sig}`;
      res();
    })
  );
  const stop = async () => {
    if (exited) return;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 1e4);
    await done;
    clearTimeout(timer);
  };
  const url = `http://127.0.0.1:${port}`;
  options.log?.(`canary: started ${options.what} (pid ${child.pid}) on ${url}`);
  try {
    await waitReady({
      url,
      timeoutMs: options.readyTimeoutMs,
      what: options.what,
      dead: () => {
        const why = spawnError ?? exited;
        return why ? `${why}; last output: ${tail.text() || "(none)"}` : void 0;
      },
      ...options.signal ? { signal: options.signal } : {}
    });
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, stop };
}

// src/canary/targets.ts
function invalid(side, text, problem) {
  return new OptionError(side, say`invalid ${option(side)} "${text}": ${problem}`);
}
function parseTargetRef(text, side) {
  const value = text.trim();
  if (value === "") throw invalid(side, "", "name a URL, bento, model, directory or image");
  if (/^https?:\/\//.test(value)) {
    let url;
    try {
      url = new URL(value);
    } catch {
      throw invalid(side, text, "not a URL");
    }
    return { kind: "url", text, url: url.toString().replace(/\/+$/, "") };
  }
  if (value.startsWith("oci://")) {
    const registry = parseOciUrl(value, side);
    if (!registry.tag && !registry.digest) throw invalid(side, text, "add a :tag or @sha256:<digest>");
    const image = `${registry.registry}/${registry.repository}${registry.digest ? `@${registry.digest}` : `:${registry.tag}`}`;
    return { kind: "image", text, image, registry };
  }
  for (const prefix of ["image:", "docker://"]) {
    if (value.startsWith(prefix)) {
      const image = value.slice(prefix.length);
      const ref = parseImageReference(image, side);
      return { kind: "image", text, image, ...ref.registry !== "docker.io" ? { registry: ref } : {} };
    }
  }
  if (value.startsWith("bento:")) return { kind: "store", text, store: "bento", tag: value.slice(6) };
  if (value.startsWith("model:")) return { kind: "store", text, store: "model", tag: value.slice(6) };
  if (/^(\.{1,2}\/|\/|~)/.test(value) || value === ".") return { kind: "dir", text, dir: resolve2(value) };
  if (value.includes("/")) {
    const ref = parseImageReference(value, side);
    return { kind: "image", text, image: value, ...ref.registry !== "docker.io" ? { registry: ref } : {} };
  }
  return { kind: "store", text, store: "any", tag: value };
}
function apisOfBento(info) {
  return info.service.apis.map((api) => ({ name: api.name, route: api.route, inputs: api.input }));
}
function apisOfModel(info) {
  const method = info.signatures["run"] ? "run" : Object.keys(info.signatures)[0];
  const signature = method ? info.signatures[method] : void 0;
  return signature ? [{ name: info.name, route: "/predict", inputs: signature.inputs }] : [];
}
async function readDirInfo(dir, side) {
  const st = await stat(dir).catch(() => void 0);
  if (!st?.isDirectory()) throw invalid(side, dir, "not a directory (pass a bento or model directory)");
  for (const [file, kind, schema] of [
    ["bento.yaml", "bento", bentoInfoSchema],
    ["model.yaml", "model", modelInfoSchema]
  ]) {
    const text = await readFile2(join2(dir, file), "utf8").catch(() => void 0);
    if (text === void 0) continue;
    const parsed = schema.safeParse(import_yaml2.default.parse(text));
    if (!parsed.success)
      throw invalid(
        side,
        dir,
        `${file} is not valid (${parsed.error.issues[0]?.path.join(".")}: ${parsed.error.issues[0]?.message})`
      );
    return kind === "bento" ? { kind, info: parsed.data } : { kind, info: parsed.data };
  }
  throw invalid(side, dir, "holds neither bento.yaml nor model.yaml");
}
async function findEntry(ref, env, side) {
  if (ref.store !== "model") {
    const entry = ref.store === "bento" ? await env.bentos.get(ref.tag) : await env.bentos.find(ref.tag);
    if (entry) return { kind: "bento", entry };
  }
  if (ref.store !== "bento") {
    const entry = ref.store === "model" ? await env.models.get(ref.tag) : await env.models.find(ref.tag);
    if (entry) return { kind: "model", entry };
  }
  throw invalid(
    side,
    ref.text,
    `no bento or model of that tag in the store (for an image write image:${ref.tag}; for a service, its http:// URL)`
  );
}
async function prepareTarget(ref, side, env) {
  const what = side;
  if (ref.kind === "url") {
    await env.beforeStart?.({ type: "unverifiable", description: ref.url });
    return {
      start: async () => ({ ref, url: ref.url, description: ref.url, apis: [], stop: async () => void 0 })
    };
  }
  if (ref.kind === "image") {
    await env.beforeStart?.(
      ref.registry ? { type: "image", ref: ref.registry } : { type: "unverifiable", description: `image ${ref.image}` }
    );
    return {
      start: async () => {
        const started = await launchContainer({
          docker: await env.docker(),
          image: ref.image,
          what: `${what} image ${ref.image}`,
          readyTimeoutMs: env.readyTimeoutMs,
          pull: true,
          ...env.env ? { env: env.env } : {},
          ...env.log ? { log: env.log } : {},
          ...env.signal ? { signal: env.signal } : {}
        });
        return {
          ref,
          url: started.url,
          description: `image ${ref.image}`,
          apis: started.bento ? apisOfBento(started.bento) : [],
          identity: ref.registry?.digest ?? started.imageId,
          stop: started.stop
        };
      }
    };
  }
  let dir;
  let apis;
  let description;
  let identity;
  if (ref.kind === "dir") {
    const found = await readDirInfo(ref.dir, side);
    await env.beforeStart?.({ type: "unverifiable", description: `${found.kind} directory ${ref.dir}` });
    dir = ref.dir;
    apis = found.kind === "bento" ? apisOfBento(found.info) : apisOfModel(found.info);
    description = `${found.kind} ${found.info.name}:${found.info.version} (${ref.dir})`;
    identity = found.info.digest;
  } else {
    const found = await findEntry(ref, env, side);
    const store = found.kind === "bento" ? env.bentos : env.models;
    await store.assertIntact(found.entry);
    await env.beforeStart?.({ type: "entry", store, entry: found.entry });
    dir = found.entry.dir;
    apis = found.kind === "bento" ? apisOfBento(found.entry.info) : apisOfModel(found.entry.info);
    description = `${found.kind} ${formatTag(found.entry.tag)}`;
    identity = found.entry.info.digest;
  }
  return {
    start: async () => {
      const started = await launchRuntimeProcess({
        dir,
        what: `${what} ${description}`,
        readyTimeoutMs: env.readyTimeoutMs,
        ...env.env ? { env: env.env } : {},
        ...env.log ? { log: env.log } : {},
        ...env.signal ? { signal: env.signal } : {}
      });
      return { ref, url: started.url, description, apis, identity, stop: started.stop };
    }
  };
}
async function startTargets(baseline, candidate, env) {
  const first = await prepareTarget(baseline, "baseline", env);
  const second = await prepareTarget(candidate, "candidate", env);
  const a = await first.start();
  let b;
  try {
    b = await second.start();
  } catch (err) {
    await a.stop().catch(() => void 0);
    throw err;
  }
  return {
    baseline: a,
    candidate: b,
    stop: async () => {
      const results = await Promise.allSettled([a.stop(), b.stop()]);
      const failed = results.find((r) => r.status === "rejected");
      if (failed)
        throw new BentoError(`stopping a canary target failed: ${failed.reason.message}`);
    }
  };
}

// src/operations/canary.ts
var CANARY_DEFAULTS = {
  concurrency: 1,
  warmup: 10,
  seed: 1,
  order: "interleaved",
  timeout: "30s",
  readyTimeout: "120s"
};
function reject(ctx, text) {
  ctx.addIssue({ code: "custom", message: text.render(), params: { text } });
  return external_exports.NEVER;
}
function parsedBy(parse) {
  return (text, ctx) => {
    try {
      return parse(text);
    } catch (err) {
      if (err instanceof BentoError) return reject(ctx, err.text);
      throw err;
    }
  };
}
var target = (side) => external_exports.string().optional().transform(
  (text, ctx) => text === void 0 || text === "" ? reject(
    ctx,
    say`${option(side)} is required: a URL, bento or model tag, directory, image:REF or oci://host/repo:tag`
  ) : parsedBy((t) => parseTargetRef(t, side))(text, ctx)
);
var wholeNumber = (key, min) => external_exports.union([external_exports.number(), external_exports.string()]).transform((value, ctx) => {
  const n = typeof value === "number" ? value : /^\s*\d+\s*$/.test(value) ? Number(value) : Number.NaN;
  if (Number.isInteger(n) && n >= min) return n;
  return reject(
    ctx,
    say`invalid ${option(key)} "${value}": expected a ${min === 1 ? "positive " : ""}whole number`
  );
});
var oneOf = (key, values) => external_exports.string().transform(
  (text, ctx) => values.includes(text) ? text : reject(
    ctx,
    say`invalid ${option(key)} "${text}": expected ${values.join(", ").replace(/, (?=[^,]*$)/, " or ")}`
  )
);
var duration = (key) => external_exports.string().transform(parsedBy((text) => parseDuration(text, key)));
var canaryOptionsSchema = external_exports.object({
  /** What runs today: a URL, bento or model tag, directory, image:REF or oci://host/repo:tag. */
  baseline: target("baseline"),
  /** What would replace it, in the same forms. */
  candidate: target("candidate"),
  /** Measured request pairs (default: the requests file's length, or 200). */
  requests: wholeNumber("requests", 1).optional(),
  /** Measure for this long instead (`30s`, `2m`); in milliseconds once parsed. */
  duration: duration("duration").optional(),
  concurrency: wholeNumber("concurrency", 1).default(CANARY_DEFAULTS.concurrency),
  warmup: wholeNumber("warmup", 0).default(CANARY_DEFAULTS.warmup),
  /** Recorded requests to replay (JSONL); generated from the API signature without one. */
  requestsFile: external_exports.string().optional(),
  seed: wholeNumber("seed", 0).default(CANARY_DEFAULTS.seed),
  order: oneOf("order", ["interleaved", "paired"]).default(CANARY_DEFAULTS.order),
  /** Per-request timeout, in milliseconds once parsed. */
  timeout: duration("timeout").prefault(CANARY_DEFAULTS.timeout),
  readyTimeout: duration("readyTimeout").prefault(CANARY_DEFAULTS.readyTimeout),
  /** Environment for the sides the canary starts. */
  env: external_exports.record(external_exports.string(), external_exports.string()).default({}),
  /** The thresholds file (YAML); the defaults without one. */
  thresholds: external_exports.string().optional(),
  /** Shadow mode: every disagreeing pair goes to this JSONL file. */
  shadow: external_exports.string().optional(),
  /** On pass, move `stable` (or this URL's tag) in `oci://host/repo[:tag]` to the candidate's digest. */
  promoteTo: external_exports.string().transform(
    parsedBy((text) => {
      parsePromotionTarget(text);
      return text;
    })
  ).optional(),
  /** With promoteTo: a semantic version whose tags are promoted too. */
  release: external_exports.string().transform(
    (text, ctx) => import_semver.default.valid(text) ? text : reject(
      ctx,
      say`invalid ${option("release")} "${text}": expected a semantic version such as 1.4.2`
    )
  ).optional(),
  rolloutManifests: external_exports.string().optional(),
  rolloutName: external_exports.string().optional(),
  rolloutImage: external_exports.string().optional(),
  /** Check each side's signature before it starts (`verify`), and whom to trust (src/operations/trust.ts). */
  ...verifyGateShape
}).superRefine((options, ctx) => {
  checkVerifyGate(options, ctx);
  if (options.requests !== void 0 && options.duration !== void 0)
    ctx.addIssue({
      code: "custom",
      path: ["duration"],
      message: "requests and duration are exclusive",
      params: { text: say`give ${option("requests")} or ${option("duration")}, not both` }
    });
  if (options.release !== void 0 && options.promoteTo === void 0)
    ctx.addIssue({
      code: "custom",
      path: ["release"],
      message: "release needs promoteTo",
      params: { text: say`${option("release")} needs ${option("promoteTo")}` }
    });
});
function verifyGate(gate, context, resources) {
  return async (target2) => {
    if (gate.policy === "off") return;
    if (target2.type === "unverifiable") {
      const message = `${target2.description} cannot be verified (only store entries and registry images carry signatures)`;
      if (gate.policy === "require") throw new BentoError(say`${option("verify", "require")}: ${message}`);
      context.warn(message);
      return;
    }
    await gate.check(
      async () => target2.type === "entry" ? target2 : {
        type: "image",
        registry: new RepositorySignatureRegistry(
          resources.use(await openRepository(target2.ref, context.registry))
        ),
        ref: target2.ref
      },
      context.warn
    );
  };
}
async function runCanary(values, context) {
  const options = parseOptions(canaryOptionsSchema, values);
  const thresholds = await loadThresholds(options.thresholds);
  const gate = await openVerifyGate(options, context.keys);
  const outcome = await withResources(async (resources) => {
    const targets = await startTargets(options.baseline, options.candidate, {
      bentos: openBentoStore(context.home),
      models: openModelStore(context.home),
      docker: context.connectDocker ?? (() => connectEngine()),
      readyTimeoutMs: options.readyTimeout,
      ...Object.keys(options.env).length > 0 ? { env: options.env } : {},
      beforeStart: verifyGate(gate, context, resources),
      log: context.log,
      ...context.signal ? { signal: context.signal } : {}
    });
    resources.defer(() => targets.stop());
    const shadow = options.shadow ? resources.use(openShadowLog(options.shadow)) : void 0;
    return measureCanary(targets, {
      ...options.requests !== void 0 ? { requests: options.requests } : {},
      ...options.duration !== void 0 ? { durationMs: options.duration } : {},
      concurrency: options.concurrency,
      warmup: options.warmup,
      ...options.requestsFile ? { requestsFile: options.requestsFile } : {},
      seed: options.seed,
      order: options.order,
      timeoutMs: options.timeout,
      thresholds,
      ...shadow ? { onMismatch: (m) => shadow.write(m) } : {},
      log: context.log,
      ...context.signal ? { signal: context.signal } : {}
    });
  });
  const gated = await applyGate(outcome, {
    ...options.promoteTo ? { promoteTo: options.promoteTo } : {},
    ...options.release ? { release: options.release } : {},
    ...context.promotionBlocked ? { promotionBlocked: context.promotionBlocked } : {},
    registry: context.registry,
    ...options.rolloutManifests ? { rolloutDir: options.rolloutManifests } : {},
    ...options.rolloutName ? { rolloutName: options.rolloutName } : {},
    ...options.rolloutImage ? { rolloutImage: options.rolloutImage } : {},
    thresholds,
    log: context.log
  });
  return { ...outcome, thresholds, gate: gated };
}

export {
  emptySide,
  judge,
  COMMENT_MARKER,
  verdictRows,
  VERDICT_HEADERS,
  renderMarkdown,
  promotionAllowed,
  CANARY_DEFAULTS,
  runCanary
};
