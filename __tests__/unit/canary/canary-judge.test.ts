import { describe, expect, it } from 'vitest';
import { random } from '../../../examples/models.js';
import { judge, judgeDistribution } from '../../../src/canary/judge.js';
import { type CanarySamples, emptySide } from '../../../src/canary/metrics.js';
import {
  hodgesLehmann,
  mannWhitney,
  normalCdf,
  normalQuantile,
  proportionBelow,
  twoProportionZ,
} from '../../../src/canary/stats.js';
import { defaultThresholds, parseThresholds } from '../../../src/canary/thresholds.js';
import { UsageError } from '../../../src/core/errors.js';

/** Mulberry32 (from the example models) and Box-Muller: seeded noise, so every run sees the same samples. */
const rng = random;
function gaussian(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}
/** Latencies like a service's: log-normal around `medianMs` with a heavy right tail. */
function latencies(seed: number, n: number, medianMs: number, slowdown = 0): number[] {
  const rand = rng(seed);
  return Array.from({ length: n }, () => medianMs * (1 + slowdown) * Math.exp(0.35 * gaussian(rand)));
}

function samples(baseline: number[], candidate: number[], extra: Partial<CanarySamples> = {}): CanarySamples {
  return {
    baseline: { ...emptySide(), latenciesMs: baseline, requests: baseline.length },
    candidate: { ...emptySide(), latenciesMs: candidate, requests: candidate.length },
    agreement: { compared: baseline.length, agreed: baseline.length, examples: [] },
    concurrency: 1,
    durationMs: 1000,
    warmupRequests: 0,
    ...extra,
  };
}

describe('normal distribution', () => {
  it('matches tabulated values of Φ and its inverse', () => {
    expect(normalCdf(0)).toBe(0.5);
    expect(normalCdf(1.96)).toBeCloseTo(0.9750021048517795, 14);
    expect(normalCdf(-3)).toBeCloseTo(0.0013498980316301, 15);
    // The far tail stays relative-accurate instead of collapsing 1 - Φ to 0.
    expect(normalCdf(-8.5) / 9.47953482220325e-18).toBeCloseTo(1, 6);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 12);
    expect(normalQuantile(1e-10)).toBeCloseTo(-6.361340902404056, 9);
    expect(normalQuantile(0.5)).toBeCloseTo(0, 15);
  });
});

describe('Mann-Whitney U', () => {
  it('separated samples: U = 25, z = 2.5067, p = 0.006093', () => {
    // Pooled ranks: baseline 1..5 take ranks 1..5, candidate 6..10 take ranks 6..10.
    // R1 = 6+7+8+9+10 = 40; U = R1 - n1(n1+1)/2 = 40 - 15 = 25; E[U] = 5*5/2 = 12.5.
    // No ties: Var(U) = n1 n2 (N+1) / 12 = 25 * 11 / 12 = 22.9167, sd = 4.78714.
    // z = (25 - 12.5 - 0.5) / 4.78714 = 2.50672; p = 1 - Φ(2.50672) = 0.006093.
    const r = mannWhitney([1, 2, 3, 4, 5], [6, 7, 8, 9, 10], 'greater');
    expect(r.u).toBe(25);
    expect(r.meanU).toBe(12.5);
    expect(r.sigmaU).toBeCloseTo(Math.sqrt(275 / 12), 12);
    expect(r.z).toBeCloseTo(12 / Math.sqrt(275 / 12), 12);
    expect(r.pValue).toBeCloseTo(0.00609289, 7);
    // The other direction asks whether the candidate is lower: not at all.
    expect(mannWhitney([1, 2, 3, 4, 5], [6, 7, 8, 9, 10], 'less').pValue).toBeGreaterThan(0.99);
  });

  it('tied samples use mid-ranks and the tie-corrected variance: U = 13, p = 0.08602', () => {
    // Pooled: 1b 2b 2b 2c 3b 3c 3c 4c. Mid-ranks: 1 -> 1, the three 2s -> 3, the three 3s -> 6, 4 -> 8.
    // Candidate ranks 3 + 6 + 6 + 8 = 23; U = 23 - 4*5/2 = 13 (pairwise: 2 + 3.5 + 3.5 + 4 = 13).
    // Ties: two groups of t = 3, Σ(t³ - t) = 48; N = 8.
    // Var(U) = 16/12 * (9 - 48/56) = 10.857143, sd = 3.295018.
    // z = (13 - 8 - 0.5) / 3.295018 = 1.365698; p = 1 - Φ(1.365698) = 0.086017.
    const r = mannWhitney([1, 2, 2, 3], [2, 3, 3, 4], 'greater');
    expect(r.u).toBe(13);
    expect(r.sigmaU).toBeCloseTo(Math.sqrt((16 / 12) * (9 - 48 / 56)), 12);
    expect(r.z).toBeCloseTo(1.365698, 5);
    expect(r.pValue).toBeCloseTo(0.0860168545, 8);
  });

  it('agrees with the textbook critical values for n1 = n2 = 10', () => {
    // Tables of the Mann-Whitney U (e.g. in Siegel & Castellan, or any statistics textbook) give, for
    // n1 = n2 = 10, the critical U of 27 one-tailed and 23 two-tailed at α = 0.05: U at or below is
    // significant. Candidates built so each value beats a chosen number of baseline values hit an exact U.
    const baseline = Array.from({ length: 10 }, (_, i) => 10 * (i + 1));
    const withU = (beats: number[]) => beats.map((k) => 10 * k + 5);
    const u27 = withU([0, 0, 1, 2, 3, 3, 4, 4, 5, 5]);
    const u28 = withU([0, 0, 1, 2, 3, 3, 4, 4, 5, 6]);
    const u23 = withU([0, 0, 0, 1, 2, 3, 3, 4, 5, 5]);
    const u24 = withU([0, 0, 0, 1, 2, 3, 3, 4, 5, 6]);
    expect(mannWhitney(baseline, u27, 'less').u).toBe(27);
    expect(mannWhitney(baseline, u27, 'less').pValue).toBeLessThan(0.05);
    expect(mannWhitney(baseline, u28, 'less').pValue).toBeGreaterThan(0.05);
    expect(mannWhitney(baseline, u23, 'two-sided').pValue).toBeLessThan(0.05);
    expect(mannWhitney(baseline, u24, 'two-sided').pValue).toBeGreaterThan(0.05);
    // By hand for U = 27: sd = sqrt(100 * 21 / 12) = 13.2288; z = (27 - 50 + 0.5) / 13.2288 = -1.7008;
    // Φ(-1.7008) = 0.04425.
    expect(mannWhitney(baseline, u27, 'less').pValue).toBeCloseTo(0.0442463, 6);
  });

  it('gives p = 1 when every value is tied (no spread to test)', () => {
    expect(mannWhitney([3, 3, 3], [3, 3], 'greater')).toMatchObject({ sigmaU: 0, pValue: 1 });
  });
});

describe('Hodges-Lehmann shift', () => {
  it('is the median of pairwise differences', () => {
    // Differences candidate - baseline: 2-1 = 1, 2-3 = -1, 6-1 = 5, 6-3 = 3 -> -1 1 3 5 -> median 2.
    expect(hodgesLehmann([1, 3], [2, 6]).estimate).toBeCloseTo(2, 9);
    // 6..10 minus 1..5: 25 differences symmetric around 5.
    const r = hodgesLehmann([1, 2, 3, 4, 5], [6, 7, 8, 9, 10]);
    expect(r.estimate).toBeCloseTo(5, 9);
    expect(r.lower).toBeLessThan(5);
    expect(r.upper).toBeGreaterThan(5);
    // Odd count: 3 differences 9-1, 9-2, 9-4 = 8 7 5 -> 7.
    expect(hodgesLehmann([1, 2, 4], [9]).estimate).toBeCloseTo(7, 9);
  });

  it('recovers a known shift and brackets it', () => {
    const base = latencies(1, 400, 10);
    const cand = latencies(2, 400, 10).map((v) => v + 2);
    const r = hodgesLehmann(base, cand, 0.95);
    expect(r.estimate).toBeGreaterThan(1.3);
    expect(r.estimate).toBeLessThan(2.7);
    expect(r.lower).toBeLessThan(r.estimate);
    expect(r.upper).toBeGreaterThan(r.estimate);
  });
});

describe('proportion tests', () => {
  it('two-proportion z: 10/1000 vs 30/1000 gives z = 3.1944, p = 0.000701', () => {
    // p = 40/2000 = 0.02; se = sqrt(0.02 * 0.98 * (1/1000 + 1/1000)) = 0.0062610;
    // z = (0.03 - 0.01) / 0.0062610 = 3.19438; p = 1 - Φ(3.19438) = 0.00070065.
    const r = twoProportionZ(10, 1000, 30, 1000, 'greater');
    expect(r.z).toBeCloseTo(3.1943828, 6);
    expect(r.pValue).toBeCloseTo(0.00070065, 7);
    expect(twoProportionZ(0, 100, 0, 100, 'greater').pValue).toBe(1);
  });

  it('proportion floor: 95/100 against 0.99 is significantly low, 98/100 is not', () => {
    // z = (0.95 - 0.99) / sqrt(0.99 * 0.01 / 100) = -4.0202, Φ(z) = 2.908e-5.
    expect(proportionBelow(95, 100, 0.99).pValue).toBeCloseTo(2.9080393e-5, 10);
    // z = -1.00504, Φ(z) = 0.15744.
    expect(proportionBelow(98, 100, 0.99).pValue).toBeCloseTo(0.1574393, 6);
    expect(proportionBelow(99, 100, 1).pValue).toBe(0);
  });
});

describe('judge', () => {
  const t = defaultThresholds();

  it('passes an identical candidate with score 100', () => {
    const base = latencies(7, 200, 5);
    const v = judge(samples(base, [...base].reverse()), t);
    expect(v.verdict).toBe('pass');
    expect(v.score).toBe(100);
    expect(v.metrics.find((m) => m.name === 'latency')?.reason).toBe('identical samples');
  });

  it('fails a candidate 30% slower: latency fails, score 60 < marginal 75', () => {
    const v = judge(samples(latencies(1, 300, 5), latencies(2, 300, 5, 0.3)), t);
    const latency = v.metrics.find((m) => m.name === 'latency')!;
    expect(latency.status).toBe('fail');
    expect(latency.classification).toBe('high');
    expect(latency.pValue!).toBeLessThan(1e-6);
    expect(latency.delta!).toBeGreaterThan(0.2);
    // 40 of 100 weight fails (throughput has weight 0): 60.
    expect(v.score).toBe(60);
    expect(v.verdict).toBe('fail');
    expect(v.passed).toBe(false);
  });

  it('a significant but small slowdown passes: the effect is within the allowed degradation', () => {
    const base = latencies(3, 5000, 5);
    const cand = latencies(4, 5000, 5, 0.04);
    const latency = judgeDistribution(
      { name: 'latency', unit: 'ms', direction: 'increase', maxDegradation: 0.1, weight: 1, critical: false },
      base,
      cand,
      0.05,
    );
    expect(latency.pValue!).toBeLessThan(0.05);
    expect(latency.status).toBe('pass');
    expect(latency.reason).toMatch(/not beyond the allowed/);
  });

  it('noise at the configured tolerance does not flip verdicts over 200 seeded runs', () => {
    let sameDistributionFails = 0;
    let slightlySlowerFails = 0;
    let muchSlowerPasses = 0;
    for (let seed = 0; seed < 200; seed++) {
      const base = latencies(1000 + seed, 150, 4);
      if (judge(samples(base, latencies(5000 + seed, 150, 4)), t).verdict !== 'pass') sameDistributionFails++;
      if (judge(samples(base, latencies(9000 + seed, 150, 4, 0.03)), t).verdict !== 'pass')
        slightlySlowerFails++;
      if (judge(samples(base, latencies(13000 + seed, 150, 4, 0.5)), t).verdict === 'pass')
        muchSlowerPasses++;
    }
    expect(sameDistributionFails).toBe(0);
    expect(slightlySlowerFails).toBe(0);
    expect(muchSlowerPasses).toBe(0);
  });

  it('is deterministic: the same samples give the same verdict and numbers', () => {
    const s = samples(latencies(11, 250, 3), latencies(12, 250, 3, 0.12));
    expect(JSON.stringify(judge(s, t))).toBe(JSON.stringify(judge(structuredClone(s), t)));
  });

  it('a failing critical metric (error rate) scores 0', () => {
    const base = latencies(21, 200, 5);
    const s = samples(base, base);
    s.candidate.requests = 200;
    s.candidate.errors = 40;
    const v = judge(s, t);
    expect(v.score).toBe(0);
    expect(v.verdict).toBe('fail');
    expect(v.reason).toMatch(/critical metric error_rate failed/);
  });

  it('wrong predictions fail agreement and the score drops to 70', () => {
    const base = latencies(31, 200, 5);
    const v = judge(samples(base, base, { agreement: { compared: 200, agreed: 80, examples: [] } }), t);
    expect(v.metrics.find((m) => m.name === 'agreement')?.status).toBe('fail');
    expect(v.score).toBe(70);
    expect(v.verdict).toBe('fail');
  });

  it('scores by weight and classifies with the pass and marginal thresholds', () => {
    const lenient = parseThresholds({ score: { pass: 60, marginal: 50 } });
    const slower = samples(latencies(1, 300, 5), latencies(2, 300, 5, 0.3));
    expect(judge(slower, lenient)).toMatchObject({ score: 60, verdict: 'pass', passed: true });
    const marginal = parseThresholds({ score: { pass: 70, marginal: 60 } });
    expect(judge(slower, marginal)).toMatchObject({ verdict: 'marginal', passed: false });
    expect(
      judge(slower, parseThresholds({ score: { pass: 70, marginal: 60 }, marginal_is: 'pass' })),
    ).toMatchObject({
      verdict: 'marginal',
      passed: true,
    });
  });

  it('fails when half the weighted metrics have no data', () => {
    const v = judge(samples([], []), t);
    expect(v.score).toBe(0);
    expect(v.reason).toMatch(/no data/);
  });
});

describe('thresholds', () => {
  it('rejects unknown fields and bad values with one line naming the field', () => {
    expect(() => parseThresholds({ metrics: { latency: { max_degredation: 0.1 } } })).toThrow(UsageError);
    expect(() => parseThresholds({ score: { pass: 50, marginal: 80 } })).toThrow(/score/);
    expect(() => parseThresholds({ alpha: 2 })).toThrow(/alpha/);
    expect(parseThresholds({ metrics: { latency: { max_degradation: 0.2 } } }).metrics.latency).toMatchObject(
      {
        max_degradation: 0.2,
        weight: 40,
      },
    );
  });
});
