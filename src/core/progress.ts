/**
 * Progress for long transfers: one log line every few seconds with bytes, rate and, when the total is
 * known, the percentage. Lines (not a redrawn bar) so CI logs stay readable.
 */
export interface Progress {
  add(bytes: number): void;
  done(): void;
}

const MIN_BYTES = 4 * 1024 * 1024;

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

export function progress(
  label: string,
  total: number | undefined,
  log: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
  intervalMs = 2000,
): Progress {
  const start = Date.now();
  let bytes = 0;
  let lastLog = start;
  const line = (final: boolean): string => {
    const seconds = Math.max((Date.now() - start) / 1000, 0.001);
    const pct = total ? ` (${Math.min(100, (bytes / total) * 100).toFixed(0)}%)` : '';
    const of = total ? ` of ${formatBytes(total)}` : '';
    return `${label}: ${formatBytes(bytes)}${of}${pct}, ${formatBytes(bytes / seconds)}/s${final ? `, ${seconds.toFixed(1)} s` : ''}`;
  };
  return {
    add(n) {
      bytes += n;
      const now = Date.now();
      if (now - lastLog >= intervalMs && bytes >= MIN_BYTES) {
        lastLog = now;
        log(line(false));
      }
    },
    done() {
      if (bytes >= MIN_BYTES) log(line(true));
    },
  };
}
