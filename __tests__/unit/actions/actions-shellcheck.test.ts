/**
 * shellcheck over every `run:` script of the workflows users read (the files under .github/workflows
 * and examples/workflows, the docs' snippets), as actionlint runs it when shellcheck is installed:
 * expressions replaced by underscores, bash, and the checks that only misfire on that substitution
 * or on variables set through `env:` turned off. shellcheck is Debian's package
 * (scripts/install-deps.sh); with CI=true a missing shellcheck fails the test.
 */
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { repoPath } from '../../support/action-harness.js';
import {
  docWorkflows,
  type RunScript,
  runScripts,
  withoutExpressions,
  workflowFiles,
} from '../../support/workflow-examples.js';

// actionlint's list: SC1091 (sourced files it cannot see), SC2194/SC2050/SC2157/SC2043 (constant
// words where an expression was), SC2154 (variables the step's env: sets).
const EXCLUDED = 'SC1091,SC2194,SC2050,SC2154,SC2157,SC2043';

const hasShellcheck = spawnSync('shellcheck', ['--version']).status === 0;
const mustRun = process.env['CI'] === 'true';

function shellcheck(run: RunScript): string[] {
  const shell = /^(bash|sh)\b/.exec(run.shell)?.[1];
  if (!shell) return [];
  const result = spawnSync('shellcheck', ['--norc', '-s', shell, '-e', EXCLUDED, '-f', 'gcc', '-'], {
    input: withoutExpressions(run.script),
    encoding: 'utf8',
  });
  if (result.status === 0) return [];
  return [`${run.where}:\n${result.stdout.replaceAll('-:', '  line ')}${result.stderr}`];
}

async function allRunScripts(): Promise<RunScript[]> {
  const workflows = [
    ...(await Promise.all(
      (
        await workflowFiles()
      ).map(async (where) => ({ where, text: await readFile(repoPath(where), 'utf8') })),
    )),
    ...(await docWorkflows()),
  ];
  return workflows.flatMap(runScripts);
}

describe.skipIf(!hasShellcheck && !mustRun)('shellcheck over the workflows run: scripts', () => {
  it('finds every run: script, and none has a finding', async () => {
    expect(hasShellcheck, 'shellcheck is not installed: run scripts/install-deps.sh').toBe(true);
    const scripts = await allRunScripts();
    expect(scripts.some((s) => s.where.startsWith('examples/workflows/release.yml'))).toBe(true);
    expect(scripts.length).toBeGreaterThanOrEqual(10);
    expect(scripts.flatMap(shellcheck)).toEqual([]);
  });

  it('flags what it should, with expressions stood in for as actionlint does', () => {
    const findings = shellcheck({
      where: 'probe',
      shell: 'bash',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a workflow expression, not a template
      script: 'out=${{ steps.x.outputs.dir }}\ncd $out\nrm -rf $out/*\n',
    });
    expect(findings.join('\n')).toMatch(/SC2164/);
    expect(findings.join('\n')).toMatch(/SC2115/);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a workflow expression, not a template
    expect(withoutExpressions('a ${{ b }} c')).toBe('a ________ c');
  });
});
