/**
 * `bentoci serve` flags: one per setting of the runtime's table (src/shared/serve-settings.ts), with
 * the runtime's own flag names and help, handed to the serve operation by the table's keys.
 */
import type { Command } from 'commander';
import { SERVE_SETTINGS, type ServeSettingValues } from '../shared/serve-settings.js';

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

/**
 * The settings the flags give, by the table's keys (the operation checks them). Commander defaults
 * a `--no-` flag's value to true; only its false is a setting.
 */
export function serveSettingsOf(flags: ServeFlags): Partial<Record<keyof ServeSettingValues, unknown>> {
  const settings: Partial<Record<keyof ServeSettingValues, unknown>> = {};
  for (const s of PASSED) {
    const value = flags[s.key];
    if (s.key === 'batching') {
      if (value === false) settings.batching = false;
    } else if (value !== undefined) settings[s.key] = value;
  }
  return settings;
}
