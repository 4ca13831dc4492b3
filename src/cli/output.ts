import { BentoError, errorMessage } from '../core/errors.js';
import { CLI_NAMING } from './naming.js';

/** Writes `rows` as an aligned text table with a header. */
export function printTable(
  headers: string[],
  rows: string[][],
  write = (s: string) => process.stdout.write(s),
): void {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const fmt = (cells: string[]) =>
    cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  write(`${fmt(headers)}\n`);
  for (const row of rows) write(`${fmt(row)}\n`);
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Messages go to stderr so stdout stays clean for `--json` and `export -`. */
export function info(message: string): void {
  process.stderr.write(`${message}\n`);
}

/** One line, no stack trace, and the exit code of the error's kind (2 usage, 1 failure). */
export function reportError(err: unknown): number {
  if (err instanceof BentoError) {
    process.stderr.write(`error: ${err.render(CLI_NAMING)}\n`);
    return err.exitCode;
  }
  process.stderr.write(`error: ${errorMessage(err)}\n`);
  if (process.env['BENTOCI_DEBUG'] && err instanceof Error) process.stderr.write(`${err.stack}\n`);
  return 1;
}
