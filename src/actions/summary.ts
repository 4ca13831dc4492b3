/**
 * The job summary of an action run, rendered from a RunReport as GitHub-flavoured Markdown: what was
 * built, imported, exported and pushed (sizes and digests), signatures, step timings, and a Mermaid
 * Gantt chart of the steps when there are several (GitHub renders ```mermaid blocks).
 */
import * as core from '@actions/core';
import { formatBytes } from '../core/progress.js';
import type { RunReport, StepTiming } from './report.js';

/** Markdown table cells must not break the row. */
function cell(text: string | number | undefined): string {
  if (text === undefined || text === '') return '–';
  return String(text).replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function code(text: string | undefined): string {
  return text ? `\`${text.replace(/`/g, "'")}\`` : '–';
}

function table(headers: string[], rows: (string | number | undefined)[][]): string {
  const head = `| ${headers.join(' | ')} |\n| ${headers.map(() => '---').join(' | ')} |\n`;
  return head + rows.map((r) => `| ${r.map(cell).join(' | ')} |\n`).join('');
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

/** Mermaid task names may not contain ':' or '#' (they start the metadata or a comment). */
function ganttName(name: string): string {
  return name.replace(/[:#;]/g, ' ').trim() || 'step';
}

function gantt(steps: StepTiming[], origin: number): string {
  const lines = ['```mermaid', 'gantt', '  dateFormat x', '  axisFormat %M:%S', '  section steps'];
  steps.forEach((s, i) => {
    // Mermaid draws a zero-length bar as nothing; one millisecond keeps short steps visible.
    const end = Math.max(s.endMs - origin, s.startMs - origin + 1);
    lines.push(`  ${ganttName(s.name)} :${s.ok ? 'done' : 'crit'}, s${i}, ${s.startMs - origin}, ${end}`);
  });
  lines.push('```');
  return `${lines.join('\n')}\n`;
}

export function renderSummary(title: string, report: RunReport, now = Date.now()): string {
  const parts: string[] = [`## ${title}\n`];
  if (report.failure) parts.push(`> [!CAUTION]\n> **${report.failure.title}**: ${report.failure.message}\n`);

  if (report.artifacts.length > 0) {
    parts.push(
      `### Artifacts\n\n${table(
        ['Kind', 'Reference', 'Action', 'Size', 'Digest'],
        report.artifacts.map((a) => [
          a.kind,
          code(a.ref),
          a.action,
          a.size === undefined ? undefined : formatBytes(a.size),
          code(a.digest),
        ]),
      )}`,
    );
  }
  if (report.transfers.length > 0) {
    parts.push(
      `### Actions cache\n\n${table(
        ['Direction', 'Entry', 'Cache key', 'Outcome', 'Archive size'],
        report.transfers.map((t) => [
          t.direction,
          `${t.kind} ${code(t.ref)}`,
          code(t.key),
          t.outcome,
          t.size === undefined ? undefined : formatBytes(t.size),
        ]),
      )}`,
    );
  }
  if (report.pushed.length > 0) {
    parts.push(
      `### Pushed\n\n${table(
        ['Kind', 'Reference', 'Digest'],
        report.pushed.map((p) => [p.kind, code(p.ref), code(p.digest)]),
      )}`,
    );
  }
  for (const details of report.images) {
    const entries = Object.entries(details.values).sort(([a], [b]) => a.localeCompare(b));
    if (entries.length === 0) continue;
    const what = details.kind === 'labels' ? 'Image labels' : 'Manifest annotations';
    parts.push(
      `### ${what} of ${code(details.image)}\n\n${table(
        ['Key', 'Value'],
        entries.map(([k, v]) => [code(k), v]),
      )}`,
    );
  }
  if (report.steps.length > 0) {
    const origin = report.steps[0]!.startMs;
    const total = Math.max(...report.steps.map((s) => s.endMs)) - origin;
    parts.push(
      `### Timings\n\n${table(
        ['Step', 'Duration', 'Result'],
        [
          ...report.steps.map((s) => [s.name, seconds(s.endMs - s.startMs), s.ok ? 'ok' : 'failed']),
          ['**total**', seconds(total), report.failure ? 'failed' : 'ok'],
        ],
      )}`,
    );
    if (report.steps.length > 1) parts.push(gantt(report.steps, origin));
  } else {
    parts.push(`Finished in ${seconds(now - report.startedAt)}.\n`);
  }
  if (report.notes.length > 0) parts.push(report.notes.map((n) => `- ${n}`).join('\n') + '\n');
  return parts.join('\n');
}

/** Appends the summary to $GITHUB_STEP_SUMMARY; outside a runner there is nowhere to write it. */
export async function writeSummary(title: string, report: RunReport): Promise<void> {
  if (!process.env['GITHUB_STEP_SUMMARY']) return;
  await core.summary.addRaw(renderSummary(title, report), true).write();
}
