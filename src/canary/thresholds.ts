/**
 * The thresholds file: which metrics the judge compares, how much each may degrade, their weights, and
 * the score thresholds of the verdict (Kayenta's scheme). YAML, validated with zod; every field has a
 * default, so an empty file (or none) is the default policy.
 */
import { readFile } from 'node:fs/promises';
import YAML from 'yaml';
import { z } from 'zod';
import { OptionError, UsageError } from '../core/errors.js';
import { option, say, type UserText } from '../core/user-text.js';

/** Which change is a regression: `increase` (latency, memory), `decrease` (throughput), `either`. */
export const directionSchema = z.enum(['increase', 'decrease', 'either']);
export type Direction = z.infer<typeof directionSchema>;

const weight = z.number().min(0).max(1000);
const fraction = z.number().min(0);

const latencySchema = z
  .object({
    weight: weight.default(40),
    critical: z.boolean().default(false),
    direction: directionSchema.default('increase'),
    /** Allowed Hodges-Lehmann shift relative to the baseline median: 0.1 = 10% slower. */
    max_degradation: fraction.default(0.1),
  })
  .strict();

const errorRateSchema = z
  .object({
    weight: weight.default(30),
    critical: z.boolean().default(true),
    /** Allowed rise of the error rate in absolute terms: 0.01 = one percentage point. */
    max_increase: z.number().min(0).max(1).default(0.01),
  })
  .strict();

export const agreementModeSchema = z.enum(['auto', 'argmax', 'tolerance', 'exact']);
export type AgreementMode = z.infer<typeof agreementModeSchema>;

const agreementSchema = z
  .object({
    weight: weight.default(30),
    critical: z.boolean().default(false),
    /** Lowest acceptable fraction of paired responses whose predictions agree. */
    min: z.number().min(0).max(1).default(0.99),
    /**
     * `argmax`: same class per row of a float matrix; `tolerance`: every number within atol + rtol*|b|;
     * `exact`: equal JSON; `auto`: argmax for [batch, classes>1] floats, tolerance for other numbers.
     */
    mode: agreementModeSchema.default('auto'),
    atol: z.number().min(0).default(1e-5),
    rtol: z.number().min(0).default(1e-4),
  })
  .strict();

const throughputSchema = z
  .object({
    /** Report-only by default: with paired traffic it is a transform of latency (Little's law). */
    weight: weight.default(0),
    critical: z.boolean().default(false),
    max_degradation: fraction.default(0.1),
  })
  .strict();

export const prometheusMetricSchema = z
  .object({
    /** Shown in the report; defaults to the series name. */
    label: z.string().min(1).optional(),
    /** Series name as exposed on /metrics, e.g. `process_resident_memory_bytes`. */
    name: z.string().regex(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/),
    /** Only series with these labels; the matching series are summed. */
    labels: z.record(z.string(), z.string()).default({}),
    /** `last`: the value at each scrape (gauges); `increase` / `rate`: per-interval change (counters). */
    aggregate: z.enum(['last', 'increase', 'rate']).default('last'),
    direction: directionSchema.default('increase'),
    max_degradation: fraction.default(0.1),
    weight: weight.default(10),
    critical: z.boolean().default(false),
  })
  .strict();
export type PrometheusMetricSpec = z.infer<typeof prometheusMetricSchema>;

export const thresholdsSchema = z
  .object({
    /** Significance level of every test (one-sided by the metric's direction). */
    alpha: z.number().gt(0).lt(1).default(0.05),
    score: z
      .object({
        pass: z.number().min(0).max(100).default(95),
        marginal: z.number().min(0).max(100).default(75),
      })
      .strict()
      .default({ pass: 95, marginal: 75 })
      .refine((s) => s.marginal <= s.pass, { message: 'score.marginal must not exceed score.pass' }),
    /** What a marginal score means for the gate (exit code, commit status, promotion). */
    marginal_is: z.enum(['pass', 'fail']).default('fail'),
    metrics: z
      .object({
        latency: latencySchema.default(latencySchema.parse({})),
        error_rate: errorRateSchema.default(errorRateSchema.parse({})),
        agreement: agreementSchema.default(agreementSchema.parse({})),
        throughput: throughputSchema.default(throughputSchema.parse({})),
        prometheus: z.array(prometheusMetricSchema).default([]),
      })
      .strict()
      .default({
        latency: latencySchema.parse({}),
        error_rate: errorRateSchema.parse({}),
        agreement: agreementSchema.parse({}),
        throughput: throughputSchema.parse({}),
        prometheus: [],
      }),
  })
  .strict();
export type Thresholds = z.infer<typeof thresholdsSchema>;
export type ThresholdsInput = z.input<typeof thresholdsSchema>;

export function defaultThresholds(): Thresholds {
  return thresholdsSchema.parse({});
}

/** Validates thresholds given as an object (a parsed file); `source` says where they came from. */
export function parseThresholds(value: unknown, source: string | UserText = 'thresholds'): Thresholds {
  const parsed = thresholdsSchema.safeParse(value ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length > 0 ? issue.path.join('.') : '(top level)';
    throw new UsageError(
      say`invalid ${source}: ${where}: ${issue.message} (see docs/canary.md for the fields)`,
    );
  }
  return parsed.data;
}

/** The thresholds file of option `key` (the defaults without one); every error names the option. */
export async function loadThresholds(path: string | undefined, key = 'thresholds'): Promise<Thresholds> {
  if (!path) return defaultThresholds();
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new OptionError(
      key,
      say`invalid ${option(key)} "${path}": the file cannot be read (pass a YAML file)`,
    );
  }
  let value: unknown;
  try {
    value = YAML.parse(text);
  } catch (err) {
    throw new OptionError(
      key,
      say`invalid ${option(key)} "${path}": not YAML (${(err as Error).message.split('\n')[0]})`,
    );
  }
  try {
    return parseThresholds(value, say`${option(key)} "${path}"`);
  } catch (err) {
    throw err instanceof UsageError ? new OptionError(key, err.text) : err;
  }
}
