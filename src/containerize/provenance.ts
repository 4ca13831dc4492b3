/**
 * Values for the OCI labels that depend on where the build runs (revision, source, created). They
 * reach the Dockerfile as build args, so the Dockerfile itself stays a function of the bento alone.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { UsageError } from '../core/errors.js';

const run = promisify(execFile);

export interface Provenance {
  revision: string;
  source: string;
  created: string;
}

/**
 * revision: GITHUB_SHA, else `git rev-parse HEAD` in `cwd`. source: GITHUB_SERVER_URL/GITHUB_REPOSITORY,
 * else the origin remote as an https URL. created: SOURCE_DATE_EPOCH, else the bento's creation time
 * (not now, so rebuilding the same bento gives the same label). Missing values are empty strings.
 */
export async function provenanceOf(
  bentoCreated: string,
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<Provenance> {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const revision = env['GITHUB_SHA'] || (await git(['rev-parse', 'HEAD'], cwd));
  const repo = env['GITHUB_REPOSITORY'];
  const source = repo
    ? `${(env['GITHUB_SERVER_URL'] || 'https://github.com').replace(/\/+$/, '')}/${repo}`
    : httpsRemote(await git(['remote', 'get-url', 'origin'], cwd));
  return { revision, source, created: createdOf(env['SOURCE_DATE_EPOCH'], bentoCreated) };
}

export function createdOf(sourceDateEpoch: string | undefined, bentoCreated: string): string {
  if (sourceDateEpoch === undefined || sourceDateEpoch === '') return new Date(bentoCreated).toISOString();
  if (!/^\d+$/.test(sourceDateEpoch)) {
    throw new UsageError(`invalid SOURCE_DATE_EPOCH "${sourceDateEpoch}": expected whole seconds since 1970`);
  }
  return new Date(Number(sourceDateEpoch) * 1000).toISOString();
}

/** git@github.com:org/repo.git and https://token@host/org/repo.git -> https://host/org/repo (no credentials). */
export function httpsRemote(remote: string): string {
  if (!remote) return '';
  const scp = /^[\w.-]+@([\w.-]+):(.+?)(?:\.git)?$/.exec(remote);
  if (scp) return `https://${scp[1]}/${scp[2]}`;
  try {
    const url = new URL(remote);
    if (url.protocol !== 'https:' && url.protocol !== 'http:' && url.protocol !== 'ssh:') return '';
    return `https://${url.hostname}${url.pathname.replace(/\.git$/, '')}`;
  } catch {
    return '';
  }
}

async function git(args: string[], cwd: string): Promise<string> {
  try {
    const { stdout } = await run('git', args, { cwd, timeout: 5000 });
    return stdout.trim();
  } catch {
    return '';
  }
}
