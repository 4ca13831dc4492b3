/**
 * Benchmark settings from the environment. `BENCH_SERVE_QUICK=1` is a couple of minutes (one
 * repetition, three concurrency levels, two rates, 1 s points); the defaults are the full run
 * (all levels and rates, 3 repetitions of 3 s points, each after a discarded 1 s warm-up).
 */
import { z } from 'zod';
import type { PeerName } from './policies.js';

const list = (text: string) =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

const envSchema = z.object({
  BENCH_SERVE_QUICK: z.enum(['0', '1']).default('0'),
  BENCH_SERVE_SECONDS: z.coerce.number().positive().optional(),
  BENCH_SERVE_WARMUP: z.coerce.number().min(0).optional(),
  BENCH_SERVE_REPS: z.coerce.number().int().positive().optional(),
  BENCH_SERVE_CONCURRENCY: z.string().optional(),
  BENCH_SERVE_RATES: z.string().optional(),
  BENCH_SERVE_MODELS: z.string().optional(),
  BENCH_SERVE_VARIANTS: z.string().optional(),
  BENCH_SERVE_BOUND_MS: z.coerce.number().positive().default(100),
  BENCH_SERVE_MAX_BATCH: z.coerce.number().int().positive().default(64),
  BENCH_SERVE_LIMIT_SECONDS: z.coerce.number().positive().optional(),
  BENCH_SERVE_DOC: z.enum(['0', '1']).default('1'),
});

export const ALL_PEERS: PeerName[] = ['bentoml', 'triton-0', 'triton-delay', 'torchserve', 'ray'];
export const ALL_VARIANTS = ['A', 'A-bin', 'B', 'C', ...ALL_PEERS.map((p) => `P:${p}`)];

export interface BenchConfig {
  quick: boolean;
  seconds: number;
  warmup: number;
  reps: number;
  concurrency: number[];
  /** Open-loop rates as multiples of A's measured capacity. */
  rates: number[];
  models: Array<'iris' | 'heavy'>;
  variants: string[];
  boundMs: number;
  maxBatch: number;
  /** Seconds per in-process L_model point. */
  limitSeconds: number;
  writeDoc: boolean;
}

export function benchConfig(env: NodeJS.ProcessEnv = process.env): BenchConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`invalid ${issue.path.join('.')}: ${issue.message}`);
  }
  const e = parsed.data;
  const quick = e.BENCH_SERVE_QUICK === '1';
  const numbers = (text: string | undefined, fallback: number[]) =>
    text ? list(text).map(Number) : fallback;
  const concurrency = numbers(
    e.BENCH_SERVE_CONCURRENCY,
    quick ? [1, 32, 256] : [1, 2, 4, 8, 16, 32, 64, 128, 256],
  );
  const rates = numbers(e.BENCH_SERVE_RATES, quick ? [1, 2] : [0.5, 1, 1.5, 2]);
  if ([...concurrency, ...rates].some((n) => !(n > 0)))
    throw new Error('BENCH_SERVE_CONCURRENCY and BENCH_SERVE_RATES take positive numbers');
  const models = (
    e.BENCH_SERVE_MODELS ? list(e.BENCH_SERVE_MODELS) : ['iris', 'heavy']
  ) as BenchConfig['models'];
  if (models.some((m) => m !== 'iris' && m !== 'heavy'))
    throw new Error('BENCH_SERVE_MODELS takes iris and/or heavy');
  const variants = e.BENCH_SERVE_VARIANTS ? list(e.BENCH_SERVE_VARIANTS) : ALL_VARIANTS;
  const unknown = variants.find((v) => !ALL_VARIANTS.includes(v));
  if (unknown)
    throw new Error(`unknown variant ${unknown} in BENCH_SERVE_VARIANTS (known: ${ALL_VARIANTS.join(', ')})`);
  return {
    quick,
    seconds: e.BENCH_SERVE_SECONDS ?? (quick ? 1 : 3),
    warmup: e.BENCH_SERVE_WARMUP ?? (quick ? 0.5 : 1),
    reps: e.BENCH_SERVE_REPS ?? (quick ? 1 : 3),
    concurrency,
    rates,
    models,
    variants,
    boundMs: e.BENCH_SERVE_BOUND_MS,
    maxBatch: e.BENCH_SERVE_MAX_BATCH,
    limitSeconds: e.BENCH_SERVE_LIMIT_SECONDS ?? (quick ? 0.3 : 1),
    writeDoc: e.BENCH_SERVE_DOC === '1',
  };
}
