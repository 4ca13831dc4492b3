/**
 * The PR comment and commit status against a local fixture of the GitHub REST API: the comment is
 * updated in place across runs (found by its marker, past the first page), never duplicated, and the
 * `bento-canary` status follows the verdict.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { githubClient, setCommitStatus, upsertComment } from '../../../src/canary/github.js';
import { COMMENT_MARKER } from '../../../src/canary/report.js';
import { BentoError } from '../../../src/core/errors.js';
import { type GitHubApiFixture, startGitHubApi } from '../../support/github-api.js';

let api: GitHubApiFixture;
beforeAll(async () => {
  api = await startGitHubApi();
});
afterAll(async () => {
  await api.close();
});

const repo = { owner: 'acme', repo: 'iris' };
const SHA = 'a'.repeat(40);
const markerComments = (issue: number) =>
  (api.state.comments.get(`acme/iris#${issue}`) ?? []).filter((c) => c.body.includes(COMMENT_MARKER));

describe('PR comment', () => {
  it('is created once, then updated in place on every later run', async () => {
    const octokit = githubClient(api.token, api.url);
    api.seedComment('acme/iris', 7, 'LGTM, waiting for the canary');
    const first = await upsertComment(octokit, repo, 7, `${COMMENT_MARKER}\n## fail (score 60.00)`);
    expect(first.action).toBe('created');
    const second = await upsertComment(octokit, repo, 7, `${COMMENT_MARKER}\n## pass (score 100.00)`);
    expect(second).toMatchObject({ action: 'updated', id: first.id });
    const third = await upsertComment(octokit, repo, 7, '## pass again (marker added when missing)');
    expect(third.id).toBe(first.id);

    const all = api.state.comments.get('acme/iris#7')!;
    expect(all).toHaveLength(2);
    expect(all[0]!.body).toBe('LGTM, waiting for the canary');
    expect(markerComments(7)).toHaveLength(1);
    expect(markerComments(7)[0]!.body).toBe(`${COMMENT_MARKER}\n## pass again (marker added when missing)`);
    expect(
      api.state.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/issues/7/comments')),
    ).toHaveLength(1);
    expect(api.state.requests.filter((r) => r.method === 'PATCH')).toHaveLength(2);
  });

  it('finds its comment past the first page of a long discussion', async () => {
    const octokit = githubClient(api.token, api.url);
    for (let i = 0; i < 130; i++) api.seedComment('acme/iris', 8, `review note ${i}`);
    api.seedComment('acme/iris', 8, `${COMMENT_MARKER}\nold verdict`, 'github-actions[bot]');
    for (let i = 0; i < 20; i++) api.seedComment('acme/iris', 8, `later note ${i}`);
    const result = await upsertComment(octokit, repo, 8, `${COMMENT_MARKER}\nnew verdict`);
    expect(result.action).toBe('updated');
    expect(markerComments(8)).toHaveLength(1);
    expect(markerComments(8)[0]!.body).toContain('new verdict');
    expect(api.state.comments.get('acme/iris#8')).toHaveLength(151);
    // per_page=100: two pages were read.
    expect(
      api.state.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/issues/8/comments')),
    ).toHaveLength(2);
  });

  it('retries server errors, and names the problem when it gives up', async () => {
    const octokit = githubClient(api.token, api.url);
    api.failNext(2);
    expect((await upsertComment(octokit, repo, 9, 'after two 502s')).action).toBe('created');
    expect(markerComments(9)).toHaveLength(1);
    const bad = githubClient('wrong-token', api.url);
    await expect(upsertComment(bad, repo, 9, 'x')).rejects.toThrow(BentoError);
    await expect(upsertComment(bad, repo, 9, 'x')).rejects.toThrow(
      /GitHub API: listing comments of #9 failed \(HTTP 401\)/,
    );
  });
});

describe('commit status', () => {
  it('sets bento-canary on the head commit, the latest state winning', async () => {
    const octokit = githubClient(api.token, api.url);
    await setCommitStatus(octokit, repo, SHA, 'pending', 'canary running');
    await setCommitStatus(
      octokit,
      repo,
      SHA,
      'failure',
      `fail: score 60.00; ${'x'.repeat(200)}`,
      'https://example.test/run/1',
    );
    const statuses = api.state.statuses.get(`acme/iris@${SHA}`)!;
    expect(statuses.map((s) => s.state)).toEqual(['pending', 'failure']);
    expect(statuses.every((s) => s.context === 'bento-canary')).toBe(true);
    expect(statuses[1]!.description!.length).toBe(140);
    expect(statuses[1]!.target_url).toBe('https://example.test/run/1');
    await setCommitStatus(octokit, repo, SHA, 'success', 'pass: score 100.00');
    const combined = await octokit.rest.repos.getCombinedStatusForRef({ ...repo, ref: SHA });
    expect(combined.data.state).toBe('success');
    expect(combined.data.statuses).toHaveLength(1);
  });

  it('refuses a bad sha with the API error', async () => {
    const octokit = githubClient(api.token, api.url);
    await expect(setCommitStatus(octokit, repo, 'not-a-sha', 'success', 'x')).rejects.toThrow(/HTTP 422/);
  });
});
