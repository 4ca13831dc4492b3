/**
 * `bentoci serve` flags: the runtime's own settings (src/shared/serve-settings.ts), validated here
 * so a bad one is a usage error before anything starts, and turned into the runtime's command line.
 */
import type { Command } from 'commander';
import { UsageError } from '../core/errors.js';
import { parseServeSetting, SERVE_SETTINGS } from '../shared/serve-settings.js';

/** What commander parsed: one camelCase key per setting, `batching: false` from --no-batching. */
export type ServeFlags = Record<string, string | boolean | undefined>;

/** The settings `bentoci serve` passes through (the log level follows the CLI's own output). */
const PASSED = SERVE_SETTINGS.filter((s) => s.key !== 'logLevel');

/** Registers a flag per runtime setting; batching is `--no-batching`, as bento.yaml decides otherwise. */
export function addServeFlags(command: Command): Command {
  for (const s of PASSED) {
    if (s.key === 'batching')
      command.option('--no-batching', 'run every request alone (default: as bento.yaml says)');
    else command.option(`--${s.flag} <value>`, `${s.help} [env ${s.env}]`);
  }
  return command;
}

/** The runtime's arguments for these flags; throws UsageError naming the first bad flag. */
export function runtimeArgs(flags: ServeFlags): string[] {
  const args: string[] = [];
  for (const setting of PASSED) {
    if (setting.key === 'batching') continue;
    const value = flags[setting.key];
    if (value === undefined) continue;
    const parsed = parseServeSetting(setting, String(value), `--${setting.flag}`);
    if (!parsed.ok) throw new UsageError(parsed.message);
    args.push(`--${setting.flag}`, String(parsed.value));
  }
  if (flags['batching'] === false) args.push('--no-batching');
  return args;
}
