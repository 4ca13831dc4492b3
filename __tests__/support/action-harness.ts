/**
 * Runs an action the way the GitHub runner runs a JavaScript action: it reads the action's
 * action.yml, turns `with:` values (and the defaults) into INPUT_* variables with the runner's name
 * mangling, gives the step the runner's files and variables (GITHUB_OUTPUT, GITHUB_STEP_SUMMARY,
 * GITHUB_EVENT_PATH, RUNNER_TEMP, GITHUB_WORKSPACE...) and starts `node <runs.main>` in the
 * workspace. Afterwards it parses the output file (including `name<<DELIMITER` blocks), the summary
 * and the workflow commands (annotations) the step printed.
 *
 * A Job is one simulated job: its own workspace, temp dir and store home (BENTOCI_HOME), so two jobs
 * share nothing but what they pass through a cache or a registry.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import YAML from 'yaml';
import { z } from 'zod';
import { irisModel } from '../../examples/models.js';

const REPO_ROOT = resolve(import.meta.dirname, '..', '..');

export const actionYmlSchema = z.object({
  name: z.string().min(1),
  description: z.string().min(1),
  inputs: z
    .record(
      z.string(),
      z.object({
        description: z.string().min(1),
        required: z.boolean().optional(),
        default: z.string().optional(),
        deprecationMessage: z.string().optional(),
      }),
    )
    .default({}),
  outputs: z
    .record(z.string(), z.object({ description: z.string().min(1), value: z.string().optional() }))
    .default({}),
  runs: z.object({
    using: z.enum(['node20', 'node24']),
    main: z.string().min(1),
    pre: z.string().optional(),
    post: z.string().optional(),
  }),
});
export type ActionYml = z.infer<typeof actionYmlSchema>;

/** `actions/bento-build` or `.` (the root action). */
export async function readActionYml(actionDir: string): Promise<ActionYml> {
  const text = await readFile(join(REPO_ROOT, actionDir, 'action.yml'), 'utf8');
  return actionYmlSchema.parse(YAML.parse(text));
}

/** The runner's mangling: `INPUT_` + the name upper-cased with spaces as underscores (dashes stay). */
export function inputEnvName(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

export interface Job {
  root: string;
  workspace: string;
  temp: string;
  home: string;
  /** Extra environment for every step of this job. */
  env: Record<string, string>;
  cleanup(): Promise<void>;
}

export async function newJob(env: Record<string, string> = {}): Promise<Job> {
  const root = await mkdtemp(join(tmpdir(), 'bentoci-job-'));
  const job: Job = {
    root,
    workspace: join(root, 'work'),
    temp: join(root, 'temp'),
    home: join(root, 'bentoci-home'),
    env,
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
  await Promise.all([mkdir(job.workspace), mkdir(job.temp), mkdir(job.home)]);
  return job;
}

export interface Annotation {
  level: 'error' | 'warning' | 'notice';
  properties: Record<string, string>;
  message: string;
}

export interface StepResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
  annotations: Annotation[];
  /** Values the step registered with `::add-mask::`. */
  masks: string[];
}

export interface RunOptions {
  env?: Record<string, string>;
  event?: Record<string, unknown>;
  eventName?: string;
  /** Let a missing required input through, to see the action's own check. */
  skipRequiredCheck?: boolean;
}

/** Parses a GITHUB_OUTPUT (or GITHUB_ENV) file: `name=value` lines and `name<<DELIM` ... `DELIM` blocks. */
export function parseCommandFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') continue;
    const heredoc = /^([^=]+?)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name, delimiter] = heredoc;
      const value: string[] = [];
      i++;
      while (i < lines.length && lines[i] !== delimiter) value.push(lines[i++]!);
      if (i >= lines.length) throw new Error(`unterminated ${name}<<${delimiter} block in the command file`);
      out[name!] = value.join('\n');
      continue;
    }
    const eq = line.indexOf('=');
    if (eq <= 0) throw new Error(`malformed command file line: ${line}`);
    out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}

function unescapeData(s: string): string {
  return s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
}

function unescapeProperty(s: string): string {
  return unescapeData(s).replace(/%3A/g, ':').replace(/%2C/g, ',');
}

/** `::error title=...,file=...::message` lines as the runner reads them. */
export function parseAnnotations(stdout: string): Annotation[] {
  const out: Annotation[] = [];
  for (const line of stdout.split(/\r?\n/)) {
    const match = /^::(error|warning|notice)(?: ([^:]*))?::(.*)$/.exec(line);
    if (!match) continue;
    const properties: Record<string, string> = {};
    for (const pair of (match[2] ?? '').split(',').filter(Boolean)) {
      const eq = pair.indexOf('=');
      properties[pair.slice(0, eq)] = unescapeProperty(pair.slice(eq + 1));
    }
    out.push({ level: match[1] as Annotation['level'], properties, message: unescapeData(match[3] ?? '') });
  }
  return out;
}

/** The environment a runner gives a step, without anything of the test process but the basics. */
function baseEnv(): Record<string, string> {
  const keep = [
    'PATH',
    'LANG',
    'TZ',
    'DOCKER_HOST',
    'NODE_EXTRA_CA_CERTS',
    'SSL_CERT_FILE',
    'SSL_CERT_DIR',
    'HTTP_PROXY',
    'HTTPS_PROXY',
    'NO_PROXY',
  ];
  const env: Record<string, string> = {};
  for (const name of keep) if (process.env[name]) env[name] = process.env[name]!;
  return env;
}

/**
 * Runs the action in `actionDir` (relative to the repository root: `actions/bento-build`, or `.` for
 * the root action.yml) with `inputs` as its `with:` block.
 */
export async function runActionStep(
  actionDir: string,
  inputs: Record<string, string>,
  job: Job,
  options: RunOptions = {},
): Promise<StepResult> {
  const action = await readActionYml(actionDir);
  const unexpected = Object.keys(inputs).filter((name) => !(name in action.inputs));
  if (unexpected.length > 0) {
    throw new Error(
      `unexpected input(s) ${unexpected.join(', ')} for ${actionDir}; valid inputs are ${Object.keys(action.inputs).join(', ')}`,
    );
  }
  const env: Record<string, string> = { ...baseEnv() };
  for (const [name, spec] of Object.entries(action.inputs)) {
    const value = inputs[name] ?? spec.default ?? '';
    if (spec.required && value === '' && !options.skipRequiredCheck) {
      throw new Error(`input "${name}" of ${actionDir} is required and not supplied`);
    }
    env[inputEnvName(name)] = value;
  }

  const stepDir = await mkdtemp(join(job.temp, '_runner_file_commands-'));
  const files = {
    GITHUB_OUTPUT: join(stepDir, 'set_output'),
    GITHUB_STEP_SUMMARY: join(stepDir, 'step_summary'),
    GITHUB_ENV: join(stepDir, 'set_env'),
    GITHUB_PATH: join(stepDir, 'add_path'),
    GITHUB_STATE: join(stepDir, 'save_state'),
    GITHUB_EVENT_PATH: join(stepDir, 'event.json'),
  };
  await Promise.all(Object.values(files).map((f) => writeFile(f, '')));
  await writeFile(files.GITHUB_EVENT_PATH, JSON.stringify(options.event ?? {}));

  const actionPath = resolve(REPO_ROOT, actionDir);
  Object.assign(env, files, {
    HOME: job.root,
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: job.workspace,
    GITHUB_ACTION_PATH: actionPath,
    GITHUB_ACTION: 'bentoci-step',
    GITHUB_EVENT_NAME: options.eventName ?? 'push',
    GITHUB_REPOSITORY: 'bentoci/example',
    GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
    GITHUB_REF: 'refs/heads/main',
    GITHUB_RUN_ID: '1',
    GITHUB_SERVER_URL: 'https://github.com',
    RUNNER_OS: 'Linux',
    RUNNER_ARCH: 'X64',
    RUNNER_TEMP: job.temp,
    BENTOCI_HOME: job.home,
    ...job.env,
    ...options.env,
  });

  // BENTOCI_TEST_ACTIONS_DIST: the entries of another build (`node scripts/build.mjs --outdir DIR`).
  const dist = process.env['BENTOCI_TEST_ACTIONS_DIST'];
  const main = dist ? resolve(dist, basename(action.runs.main)) : resolve(actionPath, action.runs.main);
  const { exitCode, stdout, stderr } = await new Promise<{
    exitCode: number;
    stdout: string;
    stderr: string;
  }>((done, reject) => {
    const child = spawn(process.execPath, [main], {
      cwd: job.workspace,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      err += c.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => done({ exitCode: code ?? 1, stdout: out, stderr: err }));
  });

  const masks = stdout
    .split(/\r?\n/)
    .filter((l) => l.startsWith('::add-mask::'))
    .map((l) => unescapeData(l.slice('::add-mask::'.length)));
  return {
    exitCode,
    stdout,
    stderr,
    outputs: parseCommandFile(await readFile(files.GITHUB_OUTPUT, 'utf8')),
    summary: await readFile(files.GITHUB_STEP_SUMMARY, 'utf8'),
    annotations: parseAnnotations(stdout),
    masks,
  };
}

const BENTOFILE = `service:
  name: iris_service
  apis:
    - name: predict
      model: iris:latest
labels: { project: iris }
`;

/** A project in the job's workspace: `<dir>/models/iris.onnx` and a bentofile that serves it. */
export async function writeProject(job: Job, dir = 'project'): Promise<void> {
  await mkdir(join(job.workspace, dir, 'models'), { recursive: true });
  await writeFile(join(job.workspace, dir, 'models', 'iris.onnx'), irisModel());
  await writeFile(join(job.workspace, dir, 'bentofile.yaml'), BENTOFILE);
}

/** A path inside the repository. */
export function repoPath(...parts: string[]): string {
  return join(REPO_ROOT, ...parts);
}
