/**
 * What the runner tells a JavaScript action through its environment. Read once here so entries and
 * the toolkit do not each guess at defaults.
 */
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { bentociHome } from '../core/home.js';

export interface RunnerEnv {
  /** The checkout: relative inputs (bentofile, context, model paths) resolve against it. */
  workspace: string;
  /** Per-job scratch space the runner empties after the job. */
  temp: string;
  /** The model and bento store. */
  home: string;
  /** `owner/repo`, when known. */
  repository?: string;
  sha?: string;
  ref?: string;
}

export function runnerEnv(env: NodeJS.ProcessEnv = process.env): RunnerEnv {
  const get = (name: string) => (env[name] ? env[name] : undefined);
  const repository = get('GITHUB_REPOSITORY');
  const sha = get('GITHUB_SHA');
  const ref = get('GITHUB_REF');
  return {
    workspace: resolve(get('GITHUB_WORKSPACE') ?? process.cwd()),
    temp: resolve(get('RUNNER_TEMP') ?? tmpdir()),
    home: bentociHome(env),
    ...(repository ? { repository } : {}),
    ...(sha ? { sha } : {}),
    ...(ref ? { ref } : {}),
  };
}

/** A path from an input, relative to the workspace as a step's `run:` would see it. */
export function workspacePath(env: RunnerEnv, path: string): string {
  return resolve(env.workspace, path);
}
