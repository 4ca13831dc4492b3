import { UsageError } from '../core/errors.js';

/** The flag a commander option key stands for: `identityTokenEnv` -> `--identity-token-env`. */
export function flagOf(key: string): string {
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** Collects a repeatable `--label k=v` option into a record. */
export function collectLabel(value: string, previous: Record<string, string> = {}): Record<string, string> {
  return { ...previous, ...parseKeyValue(value, '--label') };
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
