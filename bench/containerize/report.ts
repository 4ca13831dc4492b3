/**
 * The "## Containerize" section of docs/benchmarks.md, written in place of the previous one and
 * leaving every other section alone.
 */
import { readFile, writeFile } from 'node:fs/promises';

export interface ContainerizeFigures {
  reps: number;
  machine: string;
  command: string;
  bento: string;
  modelsMiB: number;
  /** Median seconds. */
  cold: { ours: number; naive: number };
  rebuild: { ours: number; naive: number };
  /** Bytes. */
  size: { ours: number; naive: number; base: number };
  reusedLayers: { ours: string; naive: string };
}

const s = (n: number) => n.toFixed(1);
const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
const ratio = (a: number, b: number) => (a / b).toFixed(2);

export function renderSection(f: ContainerizeFigures): string {
  return [
    '## Containerize',
    '',
    `\`bentoci containerize\` (multi-stage: npm ci in a deps stage, one layer per model before the code) against`,
    'a naive single-stage Dockerfile of the same bento (`COPY . .` then `npm install` in the final image), built',
    `on the same engine in the same run. Bento: ${f.bento}, ${f.modelsMiB.toFixed(1)} MiB of models. Times are`,
    `medians of ${f.reps} runs, wall clock through the engine API (context upload included); the cold builds use`,
    'no layer cache, so both install onnxruntime-node from the npm registry. "Rebuild" is the build of a bento',
    'that differs only in a source file, right after the cold build; ratio = ours / naive (below 1 is better).',
    '',
    '| build | bentoci (s) | naive (s) | ratio |',
    '|---|---:|---:|---:|',
    `| cold, no cache | ${s(f.cold.ours)} | ${s(f.cold.naive)} | ${ratio(f.cold.ours, f.cold.naive)} |`,
    `| rebuild after a code-only change | ${s(f.rebuild.ours)} | ${s(f.rebuild.naive)} | ${ratio(f.rebuild.ours, f.rebuild.naive)} |`,
    '',
    '| image | bentoci | naive | ratio |',
    '|---|---:|---:|---:|',
    `| size (MiB) | ${mib(f.size.ours)} | ${mib(f.size.naive)} | ${ratio(f.size.ours, f.size.naive)} |`,
    `| added to the base image (MiB) | ${mib(f.size.ours - f.size.base)} | ${mib(f.size.naive - f.size.base)} | ${ratio(f.size.ours - f.size.base, f.size.naive - f.size.base)} |`,
    `| layers reused by the rebuild | ${f.reusedLayers.ours} | ${f.reusedLayers.naive} | |`,
    '',
    `The base image here is the test stand-in (${mib(f.size.base)} MiB: this host's node binary, npm and libraries,`,
    "tagged with the Node image's name, since nothing can be pulled); on a real `node:24-trixie-slim` the base",
    "differs, the layers added on top do not. The naive image keeps every platform's ONNX Runtime binaries and",
    'the npm cache; its rebuild reinstalls the dependencies because the one `COPY . .` changed.',
    '',
    `Machine: ${f.machine}. Command: \`${f.command}\`.`,
    '',
  ].join('\n');
}

/** Replaces "## Containerize" up to the next "## " heading (or appends it). */
export async function writeSection(path: string, section: string): Promise<void> {
  const text = await readFile(path, 'utf8').catch(() => '# Benchmarks\n\n');
  const start = text.search(/^## Containerize\s*$/m);
  if (start < 0) {
    await writeFile(path, `${text.trimEnd()}\n\n${section}`);
    return;
  }
  const rest = text.slice(start + 1);
  const next = rest.search(/^## /m);
  const end = next < 0 ? text.length : start + 1 + next;
  await writeFile(path, `${text.slice(0, start)}${section}${next < 0 ? '' : '\n'}${text.slice(end)}`);
}
