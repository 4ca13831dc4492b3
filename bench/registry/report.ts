/**
 * The "## Registry" section of docs/benchmarks.md, written in place of the previous one; every other
 * section is left alone.
 */
import { readFile, writeFile } from 'node:fs/promises';

export interface Row {
  operation: string;
  ours: number;
  skopeo: number;
  baseline: string;
}

export interface ReportInput {
  sizeMiB: number;
  reps: number;
  rows: Row[];
  /** Re-push of unchanged content, seconds (best of reps), with the skopeo re-copy for reference. */
  repush: { ours: number; skopeo: number };
  machine: string;
  versions: string;
  command: string;
}

const fmt = (n: number, digits = 2) => n.toFixed(digits);

export function renderSection(input: ReportInput): string {
  const size = input.sizeMiB >= 1024 ? `${input.sizeMiB / 1024} GiB` : `${input.sizeMiB} MiB`;
  const mibps = (seconds: number) => fmt(input.sizeMiB / seconds, 0);
  const lines = [
    '## Registry',
    '',
    `Push and pull of a bento holding a ${size} model (random bytes, so compression plays no part) to`,
    "Debian's docker-registry (distribution 2.8) on loopback, against `skopeo copy` of the same content",
    '(an OCI layout directory with the same blobs and manifest) to the same registry in the same run.',
    `Each repetition starts a fresh registry and alternates which tool goes first; times are the best of`,
    `${input.reps}, wall clock, including process start. ratio = ours / skopeo (below 1 is faster). Our push`,
    'sends the large file in 64 MiB PATCH chunks (resumable); our pull verifies every blob while it',
    'streams and the store then re-hashes the entry before its atomic commit (skopeo writes the layout',
    'and checks digests once).',
    '',
    '| operation | bentoci (s) | skopeo (s) | baseline | ratio | bentoci MiB/s |',
    '|---|---:|---:|---|---:|---:|',
    ...input.rows.map(
      (r) =>
        `| ${r.operation} | ${fmt(r.ours)} | ${fmt(r.skopeo)} | ${r.baseline} | ${fmt(r.ours / r.skopeo)} | ${mibps(r.ours)} |`,
    ),
    '',
    `Re-push of unchanged content: **${fmt(input.repush.ours)} s** with bentoci (target below 1 s: one manifest`,
    `HEAD per tag, no large file read; most of it is Node's start-up), ${fmt(input.repush.skopeo)} s for the same`,
    '`skopeo copy` run again (a Go binary that finds the manifest already there).',
    '',
    `Machine: ${input.machine}. ${input.versions}.`,
    '',
    'Command:',
    '',
    '```',
    input.command,
    '```',
  ];
  return `${lines.join('\n')}\n`;
}

export async function writeSection(path: string, section: string): Promise<void> {
  const current = await readFile(path, 'utf8').catch(() => '# Benchmarks\n');
  const start = current.search(/^## Registry\s*$/m);
  let next: string;
  if (start < 0) next = `${current.trimEnd()}\n\n${section}`;
  else {
    const after = current.slice(start + 1).search(/^## /m);
    const end = after < 0 ? current.length : start + 1 + after;
    next = `${current.slice(0, start)}${section}${after < 0 ? '' : `\n${current.slice(end)}`}`;
  }
  await writeFile(path, `${next.trimEnd()}\n`);
}
