/**
 * Masking secrets in the job log. The runner masks a registered value wherever it appears in one
 * line of output; a multi-line secret (a PEM key) is registered line by line too, because a log line
 * that quotes one line of the key would not contain the whole value.
 */
import * as core from '@actions/core';

/** Lines this short or this generic would mask unrelated output ("-----END PRIVATE KEY-----"). */
const MIN_LINE = 8;

export function maskSecret(value: string): void {
  if (!value) return;
  core.setSecret(value);
  const lines = value.split(/\r?\n/).map((l) => l.trim());
  if (lines.length < 2) return;
  for (const line of lines) {
    if (
      line.length >= MIN_LINE &&
      !/^-----(BEGIN|END) [A-Z ]+-----$/.test(line) &&
      !/^[A-Za-z-]+:/.test(line)
    ) {
      core.setSecret(line);
    }
  }
}
