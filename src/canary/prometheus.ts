/**
 * A small parser of the Prometheus text exposition format (version 0.0.4): `# TYPE` lines and samples
 * `name{label="value",...} value [timestamp]`, with the format's escapes in label values. Enough to
 * read any metric a service exposes on /metrics and pick series by name and labels.
 */
import { BentoError } from '../core/errors.js';

export interface PromSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface PromScrape {
  samples: PromSample[];
  /** Declared types by metric family name: counter, gauge, histogram, summary, untyped. */
  types: Record<string, string>;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;

function parseValue(text: string): number {
  if (text === '+Inf' || text === 'Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  if (text === 'NaN') return Number.NaN;
  const value = Number(text);
  if (text === '' || Number.isNaN(value)) throw new Error(`"${text}" is not a number`);
  return value;
}

/** Reads `{a="x",b="y"}` starting at `text[start] === '{'`; returns the labels and the index after `}`. */
function parseLabels(text: string, start: number): { labels: Record<string, string>; end: number } {
  const labels: Record<string, string> = {};
  let i = start + 1;
  for (;;) {
    while (text[i] === ' ' || text[i] === ',') i++;
    if (text[i] === '}') return { labels, end: i + 1 };
    const name = LABEL_NAME.exec(text.slice(i))?.[0];
    if (!name) throw new Error(`bad label name at column ${i + 1}`);
    i += name.length;
    while (text[i] === ' ') i++;
    if (text[i] !== '=' || text[i + 1] !== '"') throw new Error(`expected ="..." after label ${name}`);
    i += 2;
    let value = '';
    for (;;) {
      const ch = text[i];
      if (ch === undefined) throw new Error(`unterminated value of label ${name}`);
      if (ch === '"') break;
      if (ch === '\\') {
        const next = text[i + 1];
        value += next === 'n' ? '\n' : (next ?? '');
        i += 2;
      } else {
        value += ch;
        i++;
      }
    }
    labels[name] = value;
    i++;
  }
}

export function parsePrometheusText(text: string): PromScrape {
  const samples: PromSample[] = [];
  const types: Record<string, string> = {};
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!.trim();
    if (line === '') continue;
    if (line.startsWith('#')) {
      const m = /^#\s*TYPE\s+(\S+)\s+(\S+)/.exec(line);
      if (m) types[m[1]!] = m[2]!;
      continue;
    }
    try {
      const name = NAME.exec(line)?.[0];
      if (!name) throw new Error('expected a metric name');
      let i = name.length;
      let labels: Record<string, string> = {};
      if (line[i] === '{') ({ labels, end: i } = parseLabels(line, i));
      const [valueText = '', timestamp] = line.slice(i).trim().split(/\s+/);
      if (timestamp !== undefined && !/^-?\d+$/.test(timestamp))
        throw new Error(`bad timestamp "${timestamp}"`);
      samples.push({ name, labels, value: parseValue(valueText) });
    } catch (err) {
      throw new BentoError(`invalid Prometheus metrics at line ${n + 1}: ${(err as Error).message}`);
    }
  }
  return { samples, types };
}

/** Sum of the series named `name` whose labels include `labels`; undefined when none matches. */
export function selectValue(
  scrape: PromScrape,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  let total: number | undefined;
  for (const s of scrape.samples) {
    if (s.name !== name) continue;
    if (!Object.entries(labels).every(([k, v]) => s.labels[k] === v)) continue;
    total = (total ?? 0) + s.value;
  }
  return total;
}

/**
 * Samples of one metric from a series of scrapes: the value at each scrape (`last`), or the change
 * between consecutive scrapes (`increase`), or that change per second (`rate`). A counter reset (a
 * drop) counts from zero, as Prometheus' increase() does.
 */
export function samplesOf(
  scrapes: readonly { atMs: number; value: number | undefined }[],
  aggregate: 'last' | 'increase' | 'rate',
): number[] {
  const present = scrapes.filter((s): s is { atMs: number; value: number } => s.value !== undefined);
  if (aggregate === 'last') return present.map((s) => s.value);
  const out: number[] = [];
  for (let i = 1; i < present.length; i++) {
    const prev = present[i - 1]!;
    const cur = present[i]!;
    const delta = cur.value >= prev.value ? cur.value - prev.value : cur.value;
    const seconds = (cur.atMs - prev.atMs) / 1000;
    if (aggregate === 'increase') out.push(delta);
    else if (seconds > 0) out.push(delta / seconds);
  }
  return out;
}
