import { OptionError } from '../core/errors.js';
import { option, say } from '../core/user-text.js';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * Parses `30s`, `2m`, `1m30s`, `500ms` or a bare number of seconds into milliseconds; an error names
 * option `key` (the option or field the text came from).
 */
export function parseDuration(text: string, key = 'duration'): number {
  const value = text.trim();
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000;
  const parts = [...value.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== value)
    throw new OptionError(
      key,
      say`invalid ${option(key)} "${text}": expected a duration such as 30s, 2m, 1m30s or 500ms`,
    );
  const ms = parts.reduce((sum, p) => sum + Number(p[1]) * UNITS[p[2]!]!, 0);
  if (ms <= 0)
    throw new OptionError(key, say`invalid ${option(key)} "${text}": the duration must be positive`);
  return ms;
}
