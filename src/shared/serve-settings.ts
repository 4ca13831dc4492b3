/**
 * Every setting of the serving runtime, in one table: its command-line flag (the runtime's and
 * `bentoci serve`'s), its environment variable, and for the queue and admission settings the field of
 * an API's `batching:` in bentofile.yaml / bento.yaml. The runtime, the CLI and the build read it
 * from here, so a setting has one name, one range and one message everywhere. Precedence, lowest
 * first: defaults, bento.yaml (per API), the environment, flags.
 */
import { z } from 'zod';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
/** ONNX Runtime's own severities, as ort.env.logLevel names them. */
export type OrtLogLevel = 'verbose' | 'info' | 'warning' | 'error' | 'fatal';

/** What the runtime runs with once every source is merged (undefined: per API, or derived). */
export interface ServeSettingValues {
  host: string;
  port: number;
  /** Inference workers (one ORT session per model each); derived from the cores when absent. */
  workers?: number;
  /** Intra-op threads per session; derived when absent. */
  threads?: number;
  provider: 'cpu' | 'cuda';
  /** false turns batching off for every API; undefined keeps bento.yaml's setting. */
  batching?: boolean;
  maxBatchSize?: number;
  maxLatencyMs?: number;
  /** Queued rows per API at most; default 64 full batches per worker (the latency bound usually refuses first). */
  maxQueueRows?: number;
  /** Quantile of batch times the batcher plans deadlines with; 0.99 by default. */
  latencyQuantile?: number;
  /** Share of admitted requests admission lets answer late, learning its margin for it; 0.001 by default. */
  lateTarget?: number;
  maxRequestBytes: number;
  /** Body bytes being read or awaiting decoding, all requests together; 8 x maxRequestBytes when absent. */
  maxBodyBytesInFlight?: number;
  /** Decoded tensor bytes queued or running, all requests together; 16 x maxRequestBytes when absent. */
  maxTensorBytesInFlight?: number;
  /** Bytes of one padded batch's padded inputs at most (one request alone may exceed it); 8 x maxRequestBytes when absent. */
  maxPaddedBatchBytes?: number;
  /** Padded positions of one batch over the positions its requests sent, at most; 2 when absent. */
  maxPaddingRatio?: number;
  /** How long a request's body may take to arrive: 408 and the connection closes after it. */
  bodyTimeoutMs: number;
  /** Open connections at most: one beyond it has its request answered 503 and is closed. */
  maxConnections: number;
  requestTimeoutMs: number;
  /** SIGTERM to shutdown at most: the grace period, delay included. */
  drainTimeoutMs: number;
  /** After SIGTERM, how long the listener stays open (readiness 503) for load balancers to notice. */
  drainDelayMs: number;
  logLevel: LogLevel;
  /** ORT's native logger writes raw lines to stderr (no way to route them): fatal keeps it silent. */
  ortLogLevel: OrtLogLevel;
}

/** The fields of an API's `batching:` that a setting may come from. */
export type BatchingField =
  | 'enabled'
  | 'max_batch_size'
  | 'max_latency_ms'
  | 'max_queue_rows'
  | 'latency_quantile'
  | 'late_target';

export interface ServeSetting {
  key: keyof ServeSettingValues;
  /** Without the leading dashes. */
  flag: string;
  env: string;
  /** Per-API settings: the bentofile / bento.yaml field under `apis[].batching`. */
  batching?: BatchingField;
  /** Parses the text of a flag or variable (and a YAML value, coerced the same way). */
  schema: z.ZodType<unknown>;
  /** What a valid value looks like, for messages. */
  expected: string;
  help: string;
}

const whole = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const boolText = z
  .union([z.boolean(), z.enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'])])
  .transform((v) => (typeof v === 'boolean' ? v : ['true', '1', 'yes', 'on'].includes(v)));

export const SERVE_SETTINGS: readonly ServeSetting[] = [
  {
    key: 'host',
    flag: 'host',
    env: 'BENTOCI_HOST',
    schema: z
      .string()
      .min(1)
      .regex(/^[A-Za-z0-9.:[\]-]+$/),
    expected: 'a host name or address',
    help: 'address to listen on (0.0.0.0)',
  },
  {
    key: 'port',
    flag: 'port',
    env: 'BENTOCI_PORT',
    schema: whole(0, 65535),
    expected: 'a port number 0-65535',
    help: 'port (3000; 0 picks a free one)',
  },
  {
    key: 'workers',
    flag: 'workers',
    env: 'BENTOCI_WORKERS',
    schema: whole(1, 1024),
    expected: 'a whole number 1-1024',
    help: 'inference workers, one ONNX Runtime session each (cores/2)',
  },
  {
    key: 'threads',
    flag: 'threads',
    env: 'BENTOCI_THREADS',
    schema: whole(1, 1024),
    expected: 'a whole number 1-1024',
    help: 'intra-op threads per worker (cores/workers)',
  },
  {
    key: 'provider',
    flag: 'provider',
    env: 'BENTOCI_PROVIDER',
    schema: z.enum(['cpu', 'cuda']),
    expected: 'cpu or cuda',
    help: 'execution provider (cpu)',
  },
  {
    key: 'batching',
    flag: 'batching',
    env: 'BENTOCI_BATCHING',
    batching: 'enabled',
    schema: boolText,
    expected: 'true or false',
    help: 'adaptive batching (bento.yaml; the model signature decides by default)',
  },
  {
    key: 'maxBatchSize',
    flag: 'max-batch-size',
    env: 'BENTOCI_MAX_BATCH_SIZE',
    batching: 'max_batch_size',
    schema: whole(1, 4096),
    expected: 'a whole number 1-4096',
    help: 'rows per batch at most (bento.yaml; 64)',
  },
  {
    key: 'maxLatencyMs',
    flag: 'max-latency-ms',
    env: 'BENTOCI_MAX_LATENCY_MS',
    batching: 'max_latency_ms',
    schema: z.coerce.number().min(0.1).max(600_000),
    expected: 'milliseconds, 0.1-600000',
    help: 'latency bound per request (bento.yaml; 100)',
  },
  {
    key: 'maxQueueRows',
    flag: 'max-queue-rows',
    env: 'BENTOCI_MAX_QUEUE_ROWS',
    batching: 'max_queue_rows',
    schema: whole(1, 100_000_000),
    expected: 'a whole number 1-100000000',
    help: 'queued rows per API at most (64 full batches per worker)',
  },
  {
    key: 'latencyQuantile',
    flag: 'latency-quantile',
    env: 'BENTOCI_LATENCY_QUANTILE',
    batching: 'latency_quantile',
    schema: z.coerce.number().gt(0).max(1),
    expected: 'a number in (0, 1]',
    help: 'quantile of batch times that deadlines are planned with (0.99)',
  },
  {
    key: 'lateTarget',
    flag: 'late-target',
    env: 'BENTOCI_LATE_TARGET',
    batching: 'late_target',
    schema: z.coerce.number().gt(0).max(0.5),
    expected: 'a share in (0, 0.5]',
    help: 'share of admitted requests allowed to answer past the bound (0.001)',
  },
  {
    key: 'maxRequestBytes',
    flag: 'max-request-bytes',
    env: 'BENTOCI_MAX_REQUEST_BYTES',
    schema: whole(1, 2 ** 31 - 1),
    expected: 'a whole number of bytes, 1-2147483647',
    help: 'request body limit (33554432)',
  },
  {
    key: 'maxBodyBytesInFlight',
    flag: 'max-body-bytes-in-flight',
    env: 'BENTOCI_MAX_BODY_BYTES_IN_FLIGHT',
    schema: whole(1, 2 ** 48),
    expected: 'a whole number of bytes, 1-281474976710656',
    help: 'body bytes being read or decoded, all requests together (8 x the request body limit)',
  },
  {
    key: 'maxTensorBytesInFlight',
    flag: 'max-tensor-bytes-in-flight',
    env: 'BENTOCI_MAX_TENSOR_BYTES_IN_FLIGHT',
    schema: whole(1, 2 ** 48),
    expected: 'a whole number of bytes, 1-281474976710656',
    help: 'decoded tensor bytes queued or running, all requests together; more gets 503 (16 x the request body limit)',
  },
  {
    key: 'maxPaddedBatchBytes',
    flag: 'max-padded-batch-bytes',
    env: 'BENTOCI_MAX_PADDED_BATCH_BYTES',
    schema: whole(1, 2 ** 48),
    expected: 'a whole number of bytes, 1-281474976710656',
    help: "bytes of one batch's padded inputs at most; more waits for the next batch (8 x the request body limit)",
  },
  {
    key: 'maxPaddingRatio',
    flag: 'max-padding-ratio',
    env: 'BENTOCI_MAX_PADDING_RATIO',
    schema: z.coerce.number().min(1).max(1_000_000),
    expected: 'a number 1-1000000',
    help: 'padded positions of one batch over the positions its requests sent, at most; more waits for the next batch (2)',
  },
  {
    key: 'bodyTimeoutMs',
    flag: 'body-timeout-ms',
    env: 'BENTOCI_BODY_TIMEOUT_MS',
    schema: whole(1, 86_400_000),
    expected: 'a whole number of milliseconds, 1-86400000',
    help: 'time for a request body to arrive, then 408 and close (30000)',
  },
  {
    key: 'maxConnections',
    flag: 'max-connections',
    env: 'BENTOCI_MAX_CONNECTIONS',
    schema: whole(1, 1_000_000),
    expected: 'a whole number 1-1000000',
    help: 'open connections at most; more get 503 and are closed (1024)',
  },
  {
    key: 'requestTimeoutMs',
    flag: 'request-timeout-ms',
    env: 'BENTOCI_REQUEST_TIMEOUT_MS',
    schema: whole(1, 86_400_000),
    expected: 'a whole number of milliseconds, 1-86400000',
    help: 'per-request timeout (60000)',
  },
  {
    key: 'drainTimeoutMs',
    flag: 'drain-timeout-ms',
    env: 'BENTOCI_DRAIN_TIMEOUT_MS',
    schema: whole(1, 86_400_000),
    expected: 'a whole number of milliseconds, 1-86400000',
    help: 'SIGTERM grace period, delay included (30000)',
  },
  {
    key: 'drainDelayMs',
    flag: 'drain-delay-ms',
    env: 'BENTOCI_DRAIN_DELAY_MS',
    schema: whole(0, 86_400_000),
    expected: 'a whole number of milliseconds, 0-86400000',
    help: 'serve on after SIGTERM, /readyz 503 (0)',
  },
  {
    key: 'logLevel',
    flag: 'log-level',
    env: 'BENTOCI_LOG_LEVEL',
    schema: z.enum(['debug', 'info', 'warn', 'error']),
    expected: 'debug, info, warn or error',
    help: 'log level (info)',
  },
  {
    key: 'ortLogLevel',
    flag: 'ort-log-level',
    env: 'BENTOCI_ORT_LOG_LEVEL',
    schema: z.enum(['verbose', 'info', 'warning', 'error', 'fatal']),
    expected: 'verbose, info, warning, error or fatal',
    help: "ONNX Runtime's own log, raw on stderr below fatal (fatal: silent)",
  },
];

export const SERVE_DEFAULTS = {
  host: '0.0.0.0',
  port: 3000,
  provider: 'cpu',
  maxRequestBytes: 32 * 1024 * 1024,
  bodyTimeoutMs: 30_000,
  maxConnections: 1024,
  requestTimeoutMs: 60_000,
  drainTimeoutMs: 30_000,
  drainDelayMs: 0,
  logLevel: 'info',
  ortLogLevel: 'fatal',
} as const satisfies Partial<ServeSettingValues>;

/** Per-API defaults of the queue settings that bento.yaml may leave out. */
export const QUEUE_DEFAULTS = { latencyQuantile: 0.99, lateTarget: 0.001 } as const;

/** Parses one value; the error names its source (a flag, a variable, a bentofile field) and what fits. */
export function parseServeSetting(
  setting: ServeSetting,
  value: unknown,
  source: string,
): { ok: true; value: unknown } | { ok: false; message: string } {
  const parsed = setting.schema.safeParse(typeof value === 'string' ? value.trim() : value);
  if (parsed.success) return { ok: true, value: parsed.data };
  return { ok: false, message: `invalid ${source} ${JSON.stringify(value)}: expected ${setting.expected}` };
}

/** The settings that an API's `batching:` may carry, by field. */
export const BATCHING_SETTINGS: ReadonlyMap<BatchingField, ServeSetting> = new Map(
  SERVE_SETTINGS.filter((s) => s.batching).map((s) => [s.batching!, s]),
);

/**
 * The zod schema of one optional `batching:` field in bentofile.yaml and bento.yaml: a YAML number
 * (or boolean) that the setting's own rule accepts, with its message.
 */
export function batchingFieldSchema(field: Exclude<BatchingField, 'enabled'>): z.ZodOptional<z.ZodNumber> {
  const setting = BATCHING_SETTINGS.get(field)!;
  return z
    .number({ error: `expected ${setting.expected}` })
    .refine((v) => setting.schema.safeParse(v).success, { error: `expected ${setting.expected}` })
    .optional();
}

/** Settings by the table's keys, as an operation hands them to the runtime; absent ones are not passed. */
export type ServeSettingsGiven = Partial<ServeSettingValues>;

/** A setting's row of the table, by its key. */
export function serveSetting(key: keyof ServeSettingValues): ServeSetting {
  const found = SERVE_SETTINGS.find((s) => s.key === key);
  if (!found) throw new Error(`the serve settings table has no ${key}`);
  return found;
}

/**
 * The runtime's command line for these settings, written from the table (`--max-batch-size 8`):
 * what serving from the store starts it with, so no caller spells a flag.
 */
export function serveSettingArgs(values: ServeSettingsGiven): string[] {
  return SERVE_SETTINGS.flatMap((s) => {
    const value = values[s.key];
    return value === undefined ? [] : [`--${s.flag}`, String(value)];
  });
}
