/**
 * Runtime configuration. Precedence, lowest first: defaults, bento.yaml (per-API batching, and its
 * `envs`), the process environment (`BENTOCI_*`), command-line flags. Every value is validated; a bad
 * one stops start-up with a one-line message naming the flag or variable and what was expected.
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { RuntimeStartError } from './errors.js';
import type { LogLevel } from './log.js';

export interface RuntimeConfig {
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
  maxRequestBytes: number;
  requestTimeoutMs: number;
  /** Queued rows per API at most; default 64 full batches per worker (the latency bound usually refuses first). */
  maxQueueRows?: number;
  latencyQuantile: number;
  /** SIGTERM to shutdown at most: the grace period, delay included. */
  drainTimeoutMs: number;
  /** After SIGTERM, how long the listener stays open (readiness 503) for load balancers to notice. */
  drainDelayMs: number;
  logLevel: LogLevel;
}

const positiveInt = z.coerce.number().int().positive();
const boolText = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'])
  .transform((v) => ['true', '1', 'yes', 'on'].includes(v));

interface Setting {
  key: keyof RuntimeConfig;
  flag: string;
  env: string;
  schema: z.ZodType<unknown>;
  expected: string;
  help: string;
}

const SETTINGS: Setting[] = [
  {
    key: 'host',
    flag: 'host',
    env: 'BENTOCI_HOST',
    schema: z.string().min(1),
    expected: 'a host name or address',
    help: 'address to listen on (0.0.0.0)',
  },
  {
    key: 'port',
    flag: 'port',
    env: 'BENTOCI_PORT',
    schema: z.coerce.number().int().min(0).max(65535),
    expected: 'a port number 0-65535',
    help: 'port (3000; 0 picks a free one)',
  },
  {
    key: 'workers',
    flag: 'workers',
    env: 'BENTOCI_WORKERS',
    schema: positiveInt,
    expected: 'a positive whole number',
    help: 'inference workers (cores/2)',
  },
  {
    key: 'threads',
    flag: 'threads',
    env: 'BENTOCI_THREADS',
    schema: positiveInt,
    expected: 'a positive whole number',
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
    schema: boolText,
    expected: 'true or false',
    help: 'adaptive batching (from bento.yaml)',
  },
  {
    key: 'maxBatchSize',
    flag: 'max-batch-size',
    env: 'BENTOCI_MAX_BATCH_SIZE',
    schema: positiveInt.max(4096),
    expected: 'a whole number 1-4096',
    help: 'rows per batch at most (from bento.yaml)',
  },
  {
    key: 'maxLatencyMs',
    flag: 'max-latency-ms',
    env: 'BENTOCI_MAX_LATENCY_MS',
    schema: z.coerce.number().min(0.1).max(600_000),
    expected: 'milliseconds, 0.1-600000',
    help: 'latency bound per request (from bento.yaml)',
  },
  {
    key: 'maxRequestBytes',
    flag: 'max-request-bytes',
    env: 'BENTOCI_MAX_REQUEST_BYTES',
    schema: positiveInt,
    expected: 'a positive whole number of bytes',
    help: 'request body limit (33554432)',
  },
  {
    key: 'requestTimeoutMs',
    flag: 'request-timeout-ms',
    env: 'BENTOCI_REQUEST_TIMEOUT_MS',
    schema: positiveInt,
    expected: 'a positive whole number of milliseconds',
    help: 'per-request timeout (60000)',
  },
  {
    key: 'maxQueueRows',
    flag: 'max-queue-rows',
    env: 'BENTOCI_MAX_QUEUE_ROWS',
    schema: positiveInt,
    expected: 'a positive whole number',
    help: 'queued rows per API at most',
  },
  {
    key: 'latencyQuantile',
    flag: 'latency-quantile',
    env: 'BENTOCI_LATENCY_QUANTILE',
    schema: z.coerce.number().gt(0).max(1),
    expected: 'a number in (0, 1]',
    help: 'tail quantile of batch time predictions (0.99)',
  },
  {
    key: 'drainTimeoutMs',
    flag: 'drain-timeout-ms',
    env: 'BENTOCI_DRAIN_TIMEOUT_MS',
    schema: positiveInt,
    expected: 'a positive whole number of milliseconds',
    help: 'SIGTERM grace period, delay included (30000)',
  },
  {
    key: 'drainDelayMs',
    flag: 'drain-delay-ms',
    env: 'BENTOCI_DRAIN_DELAY_MS',
    schema: z.coerce.number().int().min(0),
    expected: 'a whole number of milliseconds, 0 or more',
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
];

export const DEFAULTS = {
  host: '0.0.0.0',
  port: 3000,
  provider: 'cpu',
  maxRequestBytes: 32 * 1024 * 1024,
  requestTimeoutMs: 60_000,
  latencyQuantile: 0.99,
  drainTimeoutMs: 30_000,
  drainDelayMs: 0,
  logLevel: 'info',
} as const satisfies Partial<RuntimeConfig>;

export const USAGE = [
  'usage: node server.js [BENTO_OR_MODEL_DIR] [options]   (or BENTOCI_BENTO_DIR)',
  ...SETTINGS.map((s) => `  --${s.flag.padEnd(20)} ${s.env.padEnd(28)} ${s.help}`),
  `  --${'no-batching'.padEnd(20)} ${''.padEnd(28)} same as --batching false`,
].join('\n');

export interface CommandLine {
  /** The bento or model directory. */
  path: string;
  flags: Record<string, string | boolean | undefined>;
  help: boolean;
}

export function parseCommandLine(argv: readonly string[], env: NodeJS.ProcessEnv): CommandLine {
  const options: Record<string, { type: 'string' | 'boolean' }> = {
    help: { type: 'boolean' },
    'no-batching': { type: 'boolean' },
  };
  for (const s of SETTINGS) options[s.flag] = { type: 'string' };
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new RuntimeStartError(`${(err as Error).message.split('\n')[0]} (run with --help for options)`);
  }
  const path = parsed.positionals[0] ?? env['BENTOCI_BENTO_DIR'];
  const help = parsed.values['help'] === true;
  if (!path && !help)
    throw new RuntimeStartError('no bento given: pass a bento or model directory, or set BENTOCI_BENTO_DIR');
  return { path: path ?? '', flags: parsed.values as Record<string, string | boolean | undefined>, help };
}

/** Flags over environment over defaults; bento.yaml settings apply later, per API, unless overridden here. */
export function resolveConfig(flags: CommandLine['flags'], env: NodeJS.ProcessEnv): RuntimeConfig {
  const config: Record<string, unknown> = { ...DEFAULTS };
  if (!env['BENTOCI_PORT'] && env['PORT']) config['port'] = parseSetting(SETTINGS[1]!, env['PORT'], 'PORT');
  for (const s of SETTINGS) {
    const fromEnv = env[s.env];
    if (fromEnv !== undefined && fromEnv !== '') config[s.key] = parseSetting(s, fromEnv, s.env);
    const fromFlag = flags[s.flag];
    if (typeof fromFlag === 'string') config[s.key] = parseSetting(s, fromFlag, `--${s.flag}`);
  }
  if (flags['no-batching'] === true) config['batching'] = false;
  const { drainDelayMs, drainTimeoutMs } = config as unknown as RuntimeConfig;
  if (drainDelayMs >= drainTimeoutMs)
    throw new RuntimeStartError(
      `the drain delay (${drainDelayMs} ms) must be shorter than the grace period (${drainTimeoutMs} ms) that includes it: lower --drain-delay-ms or raise --drain-timeout-ms`,
    );
  return config as unknown as RuntimeConfig;
}

function parseSetting(setting: Setting, text: string, source: string): unknown {
  const parsed = setting.schema.safeParse(text.trim());
  if (!parsed.success)
    throw new RuntimeStartError(`invalid ${source} "${text}": expected ${setting.expected}`);
  return parsed.data;
}

export interface Layout {
  workers: number;
  threads: number;
  /** ORT threads may spin only when a core is left for the HTTP thread. */
  spinning: boolean;
}

/**
 * Workers x intra-op threads must fit the cores: by default half the cores run workers (at least
 * one) and the threads split the cores between them; the HTTP thread shares them.
 */
export function resolveLayout(config: Pick<RuntimeConfig, 'workers' | 'threads'>, cores: number): Layout {
  const workers =
    config.workers ??
    (config.threads ? Math.max(1, Math.floor(cores / config.threads)) : Math.max(1, Math.floor(cores / 2)));
  const threads = config.threads ?? Math.max(1, Math.floor(cores / workers));
  if (workers * threads > cores) {
    throw new RuntimeStartError(
      `--workers ${workers} x --threads ${threads} needs ${workers * threads} cores but this machine has ${cores}; lower one of them`,
    );
  }
  return { workers, threads, spinning: workers * threads < cores };
}
