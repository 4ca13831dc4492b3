/**
 * Runtime configuration. Precedence, lowest first: defaults, bento.yaml (per-API batching, and its
 * `envs`), the process environment (`BENTOCI_*`), command-line flags. Every value is validated; a bad
 * one stops start-up with a one-line message naming the flag or variable and what was expected.
 */
import { parseArgs } from 'node:util';
import {
  parseServeSetting,
  SERVE_DEFAULTS,
  SERVE_SETTINGS,
  type ServeSetting,
  type ServeSettingValues,
  serveSetting,
} from '../src/shared/serve-settings.js';
import { RuntimeStartError } from './errors.js';

/** The settings table lives in src/shared, where `bentoci serve` and the build read it too. */
export type RuntimeConfig = ServeSettingValues;
export const DEFAULTS = SERVE_DEFAULTS;
const SETTINGS = SERVE_SETTINGS;

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
  const port = serveSetting('port');
  if (!env['BENTOCI_PORT'] && env['PORT']) config['port'] = parseSetting(port, env['PORT'], 'PORT');
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

/**
 * How an operator sets a setting, for messages below this front door that tell them to change one:
 * `--max-connections / BENTOCI_MAX_CONNECTIONS`, or with a value `--provider cpu / BENTOCI_PROVIDER=cpu`.
 * Rendered from the table, so the runtime's messages name exactly the flags and variables it reads.
 */
export function settingName(key: keyof ServeSettingValues, value?: string): string {
  const setting = serveSetting(key);
  return value === undefined
    ? `--${setting.flag} / ${setting.env}`
    : `--${setting.flag} ${value} / ${setting.env}=${value}`;
}

function parseSetting(setting: ServeSetting, text: string, source: string): unknown {
  const parsed = parseServeSetting(setting, text, source);
  if (!parsed.ok) throw new RuntimeStartError(parsed.message);
  return parsed.value;
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
