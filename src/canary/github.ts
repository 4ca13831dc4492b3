/**
 * The pull request side of the gate: one PR comment updated in place (found by its hidden marker,
 * by listing the issue's comments) and a commit status named `bento-canary` that branch protection
 * can require. Through @actions/github's Octokit; the API base comes from GITHUB_API_URL (GitHub
 * Enterprise, or a local fixture in tests). Replies are validated; 5xx and 429 are retried.
 */
import { getOctokit } from '@actions/github';
import { z } from 'zod';
import { BentoError } from '../core/errors.js';
import { option, say } from '../core/user-text.js';
import { COMMENT_MARKER } from './report.js';

export const STATUS_CONTEXT = 'bento-canary';

export type Octokit = ReturnType<typeof getOctokit>;

export interface RepoRef {
  owner: string;
  repo: string;
}

export function githubClient(
  token: string,
  apiUrl = process.env['GITHUB_API_URL'] || 'https://api.github.com',
): Octokit {
  if (!token)
    throw new BentoError(
      say`no GitHub token: pass ${option('githubToken')} (the default is the workflow token, github.token)`,
    );
  return getOctokit(token, { baseUrl: apiUrl.replace(/\/+$/, '') });
}

const commentSchema = z.looseObject({
  id: z.number().int(),
  body: z.string().nullish(),
  html_url: z.string(),
});
const statusSchema = z.looseObject({ id: z.number().int(), state: z.string(), context: z.string() });

function statusOf(err: unknown): number | undefined {
  const status = (err as { status?: unknown }).status;
  return typeof status === 'number' ? status : undefined;
}

/** Retries what is worth retrying (5xx, 429, network errors) three times with backoff. */
async function withRetry<T>(what: string, fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      const status = statusOf(err);
      const retryable = status === undefined || status >= 500 || status === 429;
      if (attempt >= 3 || !retryable) {
        const detail = status ? `HTTP ${status}` : (err as Error).message;
        throw new BentoError(
          `GitHub API: ${what} failed (${detail})${status === 403 || status === 404 ? ': does the token have pull-requests/statuses write permission?' : ''}`,
        );
      }
      await new Promise((r) => setTimeout(r, 100 * 2 ** attempt));
    }
  }
}

export interface CommentOutcome {
  action: 'created' | 'updated';
  id: number;
  url: string;
}

/** Creates the marker comment on `issue`, or updates it in place when an earlier run left one. */
export async function upsertComment(
  octokit: Octokit,
  repo: RepoRef,
  issue: number,
  body: string,
  marker = COMMENT_MARKER,
): Promise<CommentOutcome> {
  const text = body.includes(marker) ? body : `${marker}\n${body}`;
  const raw = await withRetry(`listing comments of #${issue}`, () =>
    octokit.paginate(octokit.rest.issues.listComments, { ...repo, issue_number: issue, per_page: 100 }),
  );
  const comments = z.array(commentSchema).parse(raw);
  const existing = comments.find((c) => c.body?.includes(marker));
  if (existing) {
    const res = await withRetry(`updating comment ${existing.id}`, () =>
      octokit.rest.issues.updateComment({ ...repo, comment_id: existing.id, body: text }),
    );
    const updated = commentSchema.parse(res.data);
    return { action: 'updated', id: updated.id, url: updated.html_url };
  }
  const res = await withRetry(`commenting on #${issue}`, () =>
    octokit.rest.issues.createComment({ ...repo, issue_number: issue, body: text }),
  );
  const created = commentSchema.parse(res.data);
  return { action: 'created', id: created.id, url: created.html_url };
}

export type StatusState = 'success' | 'failure' | 'error' | 'pending';

/** Sets the `bento-canary` commit status: the merge gate branch protection requires. */
export async function setCommitStatus(
  octokit: Octokit,
  repo: RepoRef,
  sha: string,
  state: StatusState,
  description: string,
  targetUrl?: string,
  context = STATUS_CONTEXT,
): Promise<void> {
  // GitHub refuses descriptions over 140 characters.
  const short = description.length > 140 ? `${description.slice(0, 137)}...` : description;
  const res = await withRetry(`setting status ${context} on ${sha.slice(0, 12)}`, () =>
    octokit.rest.repos.createCommitStatus({
      ...repo,
      sha,
      state,
      description: short,
      context,
      ...(targetUrl ? { target_url: targetUrl } : {}),
    }),
  );
  statusSchema.parse(res.data);
}
