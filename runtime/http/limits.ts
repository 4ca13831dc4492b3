/**
 * Which setting turned a request away, for the operator. A refused client hears what happened and
 * what it can do (send less, send faster, retry); the server's flags are none of its business. The
 * log names the setting to raise, at most once a minute per setting, with how many were refused.
 */
import type { ServeSettingValues } from '../../src/shared/serve-settings.js';
import type { Logger } from '../log.js';

/** The settings a request can be refused at for the process's sake, not an API's queue. */
export type LimitKey = Extract<
  keyof ServeSettingValues,
  'maxRequestBytes' | 'maxBodyBytesInFlight' | 'maxTensorBytesInFlight' | 'bodyTimeoutMs' | 'maxConnections'
>;

/** Called on each refusal at a limit, with the limit's value. */
export type OnLimit = (key: LimitKey, limit: number) => void;

export const NOTICE_INTERVAL_MS = 60_000;

/**
 * An OnLimit that logs a warning naming the setting (as `name` renders it: the runtime's front door
 * knows its flags and variables) on the first refusal and then at most once per interval.
 */
export function limitNotices(
  log: Pick<Logger, 'warn'>,
  name: (key: LimitKey) => string,
  now: () => number = Date.now,
  intervalMs = NOTICE_INTERVAL_MS,
): OnLimit {
  const seen = new Map<LimitKey, { last: number; refused: number }>();
  return (key, limit) => {
    const entry = seen.get(key) ?? { last: Number.NEGATIVE_INFINITY, refused: 0 };
    seen.set(key, entry);
    entry.refused++;
    const time = now();
    if (time - entry.last < intervalMs) return;
    log.warn('requests refused at a limit: raise the setting if this load is expected', {
      setting: name(key),
      limit,
      refused: entry.refused,
    });
    entry.last = time;
    entry.refused = 0;
  };
}
