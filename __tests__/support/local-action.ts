/**
 * Runs an action through GitHub's own local runner for JavaScript actions (@github/local-action): it
 * imports the entry and calls its exported `run()`, with the inputs and the runner's variables from
 * a dotenv file. For a bundle (dist/) the bundled @actions/core writes the outputs and the summary to
 * the runner's files; for a source entry (.ts) local-action stands its own `core` in.
 *
 * local-action looks for a package.json above the entry and lists the @actions packages with npm
 * from the working directory, so it runs in the repository, on a copy of dist/ kept under
 * node_modules/.cache (a rebuild of dist/ during the tests cannot pull it away).
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  type Annotation,
  inputEnvName,
  type Job,
  parseAnnotations,
  parseCommandFile,
  readActionYml,
  repoPath,
} from './action-harness.js';

/** The bundles under test: dist/, or $BENTOCI_TEST_ACTIONS_DIST (a build of modified sources). */
export const ACTIONS_DIST = resolve(process.env['BENTOCI_TEST_ACTIONS_DIST'] ?? repoPath('dist'));
const BIN = repoPath('node_modules', '@github', 'local-action', 'bin', 'local-action.js');

let pinned: string | undefined;

/** The copy of the bundles this test file runs (made once). */
export function pinnedDist(): string {
  if (pinned) return pinned;
  const cache = repoPath('node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  pinned = mkdtempSync(join(cache, 'bentoci-local-action-'));
  cpSync(ACTIONS_DIST, pinned, { recursive: true });
  return pinned;
}

export function removePinnedDist(): void {
  if (pinned) rmSync(pinned, { recursive: true, force: true });
  pinned = undefined;
}

export interface LocalActionResult {
  exitCode: number;
  /** stdout and stderr of local-action and the action. */
  log: string;
  outputs: Record<string, string>;
  summary: string;
  annotations: Annotation[];
}

/** dotenv's double-quoted form: `\n` is a newline; quotes and backslashes are not needed here. */
function dotenvLine(name: string, value: string): string {
  if (/["\\]/.test(value)) throw new Error(`${name}: a value with " or \\ is not supported here`);
  return `${name}="${value.replaceAll('\n', '\\n')}"`;
}

/**
 * `local-action run <actionDir> <entry> <dotenv>`: actionDir holds the action.yml (inputs and
 * their defaults come from it, as the runner supplies them), entry is a file path.
 */
export async function runLocalAction(
  actionDir: string,
  entry: string,
  job: Job,
  inputs: Record<string, string>,
  env: Record<string, string> = {},
): Promise<LocalActionResult> {
  const action = await readActionYml(actionDir);
  const unknown = Object.keys(inputs).filter((name) => !(name in action.inputs));
  if (unknown.length > 0) throw new Error(`${actionDir} has no input(s) ${unknown.join(', ')}`);
  const stepDir = await mkdtemp(join(job.temp, '_local_action-'));
  const files = {
    GITHUB_OUTPUT: join(stepDir, 'set_output'),
    GITHUB_STEP_SUMMARY: join(stepDir, 'step_summary'),
    GITHUB_ENV: join(stepDir, 'set_env'),
    GITHUB_PATH: join(stepDir, 'add_path'),
    GITHUB_STATE: join(stepDir, 'save_state'),
    GITHUB_EVENT_PATH: join(stepDir, 'event.json'),
  };
  await Promise.all(Object.values(files).map((f) => writeFile(f, '')));
  await writeFile(files.GITHUB_EVENT_PATH, '{}');
  const vars: Record<string, string> = {
    ...files,
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: job.workspace,
    GITHUB_EVENT_NAME: 'push',
    GITHUB_REPOSITORY: 'bentoci/example',
    GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
    GITHUB_REF: 'refs/heads/main',
    GITHUB_RUN_ID: '1',
    GITHUB_SERVER_URL: 'https://github.com',
    RUNNER_TEMP: job.temp,
    BENTOCI_HOME: job.home,
    ...job.env,
    ...env,
  };
  for (const [name, spec] of Object.entries(action.inputs))
    vars[inputEnvName(name)] = inputs[name] ?? spec.default ?? '';
  const dotenv = join(stepDir, 'step.env');
  await writeFile(
    dotenv,
    `${Object.entries(vars)
      .map(([k, v]) => dotenvLine(k, v))
      .join('\n')}\n`,
  );
  // The parent's own GITHUB_* and INPUT_* (when the tests run in a workflow) stay out of the step.
  const parentEnv = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^(GITHUB_|INPUT_|RUNNER_)/.test(k)),
  );
  const { exitCode, log } = await new Promise<{ exitCode: number; log: string }>((done, reject) => {
    const child = spawn(process.execPath, [BIN, 'run', actionDir, entry, dotenv], {
      cwd: repoPath(),
      env: { ...parentEnv, FORCE_COLOR: '0', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let text = '';
    child.stdout.on('data', (c: Buffer) => {
      text += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      text += c.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => done({ exitCode: code ?? 1, log: text }));
  });
  return {
    exitCode,
    log,
    outputs: parseCommandFile(await readFile(files.GITHUB_OUTPUT, 'utf8')),
    summary: await readFile(files.GITHUB_STEP_SUMMARY, 'utf8'),
    annotations: parseAnnotations(log),
  };
}
