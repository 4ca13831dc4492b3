import { UsageError } from '../core/errors.js';
import type { BatchAxis } from '../shared/batch-axes.js';

/** The flag a commander option key stands for: `identityTokenEnv` -> `--identity-token-env`. */
export function flagOf(key: string): string {
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** Collects a repeatable `--label k=v` option into a record. */
export function collectLabel(value: string, previous: Record<string, string> = {}): Record<string, string> {
  return { ...previous, ...parseKeyValue(value, '--label') };
}

/** `--batch-axis name=1` or `name=shared`, repeatable. */
export function collectBatchAxis(
  value: string,
  previous: Record<string, BatchAxis> = {},
): Record<string, BatchAxis> {
  const [[name, axis]] = Object.entries(parseKeyValue(value, '--batch-axis')) as [[string, string]];
  if (axis !== 'shared' && !/^\d+$/.test(axis))
    throw new UsageError(`invalid --batch-axis "${value}": expected name=<axis number> or name=shared`);
  return { ...previous, [name]: axis === 'shared' ? 'shared' : Number(axis) };
}

export function parseKeyValue(value: string, flag: string): Record<string, string> {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new UsageError(`invalid ${flag} "${value}": expected key=value`);
  return { [value.slice(0, eq)]: value.slice(eq + 1) };
}

export function collectList(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function parsePositiveInt(flag: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n <= 0)
      throw new UsageError(`invalid ${flag} "${value}": expected a positive whole number`);
    return n;
  };
}
