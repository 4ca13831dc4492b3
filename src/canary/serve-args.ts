/**
 * How the canary tells a runtime it starts where to listen: the runtime's own flags and environment
 * variables, read from the serve settings table, so they have one spelling (src/shared/serve-settings.ts).
 */
import { type ServeSettingValues, serveSetting as setting } from '../shared/serve-settings.js';

type ListenSettings = Pick<ServeSettingValues, 'host' | 'port'>;

/** The runtime's command-line flag of a setting: `port` -> `--port`. */
export function serveFlag(key: keyof ServeSettingValues): string {
  return `--${setting(key).flag}`;
}

/** The same as environment variables (`BENTOCI_HOST=...`), for an image whose command is its own. */
export function listenEnv(values: ListenSettings): string[] {
  return [`${setting('host').env}=${values.host}`, `${setting('port').env}=${values.port}`];
}

/**
 * An image's own command with the values of the listen flags replaced where it passes them (flags
 * win over the environment in the runtime); the rest of the command is kept as it is.
 */
export function withListenArgs(cmd: readonly string[], values: ListenSettings): string[] {
  const out = [...cmd];
  for (const [key, value] of [
    ['host', values.host],
    ['port', String(values.port)],
  ] as const) {
    const i = out.indexOf(serveFlag(key));
    if (i >= 0 && i + 1 < out.length) out[i + 1] = value;
  }
  return out;
}
