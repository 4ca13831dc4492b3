/**
 * actions/bento-canary run as the runner runs it (dist bundle, INPUT_* variables, event payload,
 * GITHUB_OUTPUT, the step summary) on a pull_request event, against loopback services and a local
 * fixture of the GitHub REST API: the verdict lands in one PR comment updated across runs, the
 * `bento-canary` status on the PR's head commit follows it, and the step fails when the gate closes.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMENT_MARKER } from '../../../src/canary/report.js';
import { type Job, newJob, runActionStep } from '../../support/action-harness.js';
import { type Service, startService } from '../../support/canary-service.js';
import { type GitHubApiFixture, startGitHubApi } from '../../support/github-api.js';
import { assertCliBuilt } from '../../support/store-cli.js';

const HEAD = 'c0ffee'.padEnd(40, '0');
const EVENT = { pull_request: { number: 12, head: { sha: HEAD } } };

let api: GitHubApiFixture;
let job: Job;
let baseline: Service;
let twin: Service;
let wrong: Service;

beforeAll(async () => {
  assertCliBuilt();
  api = await startGitHubApi();
  job = await newJob({ GITHUB_API_URL: api.url });
  [baseline, twin, wrong] = await Promise.all([
    startService({ weights: [1, -1, 0.5], delayMs: 2 }),
    startService({ weights: [1, -1, 0.5], delayMs: 2 }),
    startService({ weights: [-1, 1, 0.2], delayMs: 2 }),
  ]);
  const lines = Array.from({ length: 30 }, (_, i) =>
    JSON.stringify({ body: { input: [[i / 7, 1, -i / 9, 0.25]] }, route: '/predict' }),
  );
  await writeFile(join(job.workspace, 'requests.jsonl'), `${lines.join('\n')}\n`);
});
afterAll(async () => {
  await Promise.all([baseline, twin, wrong].map((s) => s?.close()));
  await api?.close();
  await job?.cleanup();
});

const step = (candidate: Service) =>
  runActionStep(
    'actions/bento-canary',
    {
      baseline: baseline.url,
      candidate: candidate.url,
      'requests-file': 'requests.jsonl',
      'github-token': api.token,
    },
    job,
    { eventName: 'pull_request', event: EVENT },
  );

describe('actions/bento-canary', () => {
  it('passes, comments once and sets the status; a failing rerun updates the same comment and fails', async () => {
    const first = await step(twin);
    expect(first.stderr).toBe('');
    expect(first.exitCode).toBe(0);
    expect(first.outputs).toMatchObject({ verdict: 'pass', score: '100.00', passed: 'true' });
    expect(first.outputs['comment-url']).toMatch(
      /^https:\/\/github\.com\/bentoci\/example\/pull\/12#issuecomment-\d+$/,
    );
    expect(first.summary).toContain('bento-canary: pass');
    expect(first.summary).toContain('```mermaid\nxychart-beta');

    const second = await step(wrong);
    expect(second.exitCode).toBe(1);
    expect(second.outputs).toMatchObject({
      verdict: 'fail',
      passed: 'false',
      'comment-url': first.outputs['comment-url'],
    });
    expect(second.annotations.find((a) => a.level === 'error')?.message).toMatch(
      /canary fail \(score 70\.00, pass at 95\): failed: agreement/,
    );

    const comments = api.state.comments.get('bentoci/example#12')!;
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body.startsWith(COMMENT_MARKER)).toBe(true);
    expect(comments[0]!.body).toContain('bento-canary: fail');
    expect(comments[0]!.body).toMatch(/\| agreement \| – \| \d+\.\d+% \|/);

    const statuses = api.state.statuses.get(`bentoci/example@${HEAD}`)!;
    expect(statuses.map((s) => [s.context, s.state])).toEqual([
      ['bento-canary', 'pending'],
      ['bento-canary', 'success'],
      ['bento-canary', 'pending'],
      ['bento-canary', 'failure'],
    ]);
    expect(statuses[3]!.target_url).toBe('https://github.com/bentoci/example/actions/runs/1');
    expect(statuses[3]!.description).toMatch(/^fail: score 70\.00/);
  });

  it('names a bad input in its annotation', async () => {
    const run = await runActionStep(
      'actions/bento-canary',
      { baseline: baseline.url, candidate: twin.url, concurrency: 'many', 'github-token': api.token },
      job,
      { eventName: 'pull_request', event: EVENT },
    );
    expect(run.exitCode).toBe(1);
    expect(run.annotations[0]).toMatchObject({
      level: 'error',
      properties: { title: 'Invalid input "concurrency" (bento-canary)' },
    });
  });
});
