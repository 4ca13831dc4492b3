/**
 * How the canary tells a runtime it starts where to listen: the runtime's own flags and environment
 * variables, read from the serve settings table, so they have one spelling (src/shared/serve-settings.ts).
 */
import { SERVE_SETTINGS, type ServeSetting, type ServeSettingValues } from '../shared/serve-settings.js';

type ListenSettings = Pick<ServeSettingValues, 'host' | 'port'>;

function setting(key: keyof ServeSettingValues): ServeSetting {
  const found = SERVE_SETTINGS.find((s) => s.key === key);
  if (!found) throw new Error(`no serve setting ${key}`);
  return found;
}

/** The runtime's command-line flag of a setting: `port` -> `--port`. */
export function serveFlag(key: keyof ServeSettingValues): string {
  return `--${setting(key).flag}`;
}

/** The runtime's arguments for listening on `host`:`port`. */
export function listenArgs(values: ListenSettings): string[] {
  return [serveFlag('host'), values.host, serveFlag('port'), String(values.port)];
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
