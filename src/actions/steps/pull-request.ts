/**
 * Where bento-canary reports on a pull request: one PR comment updated in place and the
 * `bento-canary` commit status on the PR's head commit. Reporting must not hide the verdict: a
 * missing permission or an API failure is a warning, and the step still gates on the verdict.
 */
import * as core from '@actions/core';
import { context } from '@actions/github';
import {
  githubClient,
  type RepoRef,
  type StatusState,
  setCommitStatus,
  upsertComment,
} from '../../canary/github.js';
import { errorMessage } from '../../core/errors.js';
import type { CanaryInputs } from '../inputs.js';
import type { RunnerEnv } from '../runner.js';

export interface PullRequestReporter {
  status(state: StatusState, description: string): Promise<void>;
  /** The comment's URL, when one was written. */
  comment(markdown: string): Promise<string | undefined>;
}

export function pullRequestReporter(
  inputs: Pick<CanaryInputs, 'githubToken' | 'comment' | 'status' | 'prNumber'>,
  env: RunnerEnv,
): PullRequestReporter {
  const pr = (context.payload as { pull_request?: { number?: number; head?: { sha?: string } } })
    .pull_request;
  const prNumber = inputs.prNumber ?? pr?.number;
  const sha = pr?.head?.sha ?? env.sha;
  const [owner, name] = env.repository?.split('/') ?? [];
  const repo: RepoRef | undefined = owner && name ? { owner, repo: name } : undefined;
  const runId = process.env['GITHUB_RUN_ID'];
  const runUrl =
    env.repository && runId
      ? `${process.env['GITHUB_SERVER_URL'] ?? 'https://github.com'}/${env.repository}/actions/runs/${runId}`
      : undefined;
  const octokit = inputs.githubToken && repo ? githubClient(inputs.githubToken) : undefined;
  const report = async <T>(what: string, fn: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await fn();
    } catch (err) {
      core.warning(`${what}: ${errorMessage(err)}`, { title: 'bento-canary could not report' });
      return undefined;
    }
  };
  return {
    async status(state, description) {
      if (!inputs.status || !octokit || !repo || !sha) return;
      await report(`setting the ${state} status`, () =>
        setCommitStatus(octokit, repo, sha, state, description, runUrl),
      );
    },
    async comment(markdown) {
      if (!inputs.comment || !octokit || !repo || !prNumber) return undefined;
      const written = await report('updating the PR comment', () =>
        upsertComment(octokit, repo, prNumber, markdown),
      );
      if (written) core.info(`${written.action} the canary comment on #${prNumber}: ${written.url}`);
      return written?.url;
    },
  };
}
