/**
 * A local fixture of the GitHub REST API endpoints bentoci uses, answering by GitHub's public schema
 * (docs.github.com/rest): issue comments (list with pagination, create, update) and commit statuses
 * (create, list, combined status). State lives in memory; tests read it through `state` and may seed
 * comments by other users. Requests need a token, bodies are validated the way GitHub does (422 with
 * its error shape), and every request is recorded.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FixtureComment {
  id: number;
  node_id: string;
  url: string;
  html_url: string;
  issue_url: string;
  body: string;
  user: { login: string; id: number; type: 'User' | 'Bot' };
  author_association: string;
  created_at: string;
  updated_at: string;
}

export interface FixtureStatus {
  id: number;
  node_id: string;
  url: string;
  state: 'error' | 'failure' | 'pending' | 'success';
  description: string | null;
  target_url: string | null;
  context: string;
  created_at: string;
  updated_at: string;
  creator: { login: string; id: number; type: 'Bot' };
}

export interface GitHubApiFixture {
  /** Base URL to put in GITHUB_API_URL, e.g. http://127.0.0.1:PORT */
  url: string;
  token: string;
  state: {
    /** Comments per `owner/repo#number`. */
    comments: Map<string, FixtureComment[]>;
    /** Statuses per `owner/repo@sha`, oldest first. */
    statuses: Map<string, FixtureStatus[]>;
    requests: { method: string; path: string }[];
  };
  /** Adds a comment as another user (a reviewer), as if made on github.com. */
  seedComment(repo: string, issue: number, body: string, login?: string): FixtureComment;
  /** Makes the next `count` requests answer 502, to exercise retries. */
  failNext(count: number): void;
  close(): Promise<void>;
}

const BOT = { login: 'github-actions[bot]', id: 41898282, type: 'Bot' as const };
const SHA = /^[0-9a-f]{40}$/;

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? JSON.parse(text) : {};
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'x-github-media-type': 'github.v3',
    ...headers,
  });
  res.end(JSON.stringify(body));
}

function unprocessable(res: ServerResponse, resource: string, field: string, code = 'missing_field'): void {
  send(res, 422, {
    message: 'Validation Failed',
    errors: [{ resource, field, code }],
    documentation_url: 'https://docs.github.com/rest',
  });
}

export async function startGitHubApi(token = 'ghs_fixture_token'): Promise<GitHubApiFixture> {
  const state: GitHubApiFixture['state'] = {
    comments: new Map(),
    statuses: new Map(),
    requests: [],
  };
  let nextId = 1000;
  let failures = 0;
  let base = '';
  const now = () => new Date().toISOString();

  const makeComment = (
    repo: string,
    issue: number,
    body: string,
    user: FixtureComment['user'],
  ): FixtureComment => {
    const id = nextId++;
    const t = now();
    return {
      id,
      node_id: `IC_${id}`,
      url: `${base}/repos/${repo}/issues/comments/${id}`,
      html_url: `https://github.com/${repo}/pull/${issue}#issuecomment-${id}`,
      issue_url: `${base}/repos/${repo}/issues/${issue}`,
      body,
      user,
      author_association: user.type === 'Bot' ? 'NONE' : 'MEMBER',
      created_at: t,
      updated_at: t,
    };
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://fixture');
    const method = req.method ?? 'GET';
    state.requests.push({ method, path: url.pathname });
    if (failures > 0) {
      failures--;
      return send(res, 502, { message: 'Server Error' });
    }
    const auth = req.headers.authorization ?? '';
    if (auth !== `token ${token}` && auth !== `Bearer ${token}`)
      return send(res, 401, {
        message: 'Bad credentials',
        documentation_url: 'https://docs.github.com/rest',
      });

    let m = /^\/repos\/([^/]+\/[^/]+)\/issues\/(\d+)\/comments$/.exec(url.pathname);
    if (m) {
      const key = `${m[1]}#${m[2]}`;
      const list = state.comments.get(key) ?? [];
      if (method === 'GET') {
        const perPage = Math.min(100, Number(url.searchParams.get('per_page') ?? 30));
        const page = Number(url.searchParams.get('page') ?? 1);
        const slice = list.slice((page - 1) * perPage, page * perPage);
        const last = Math.max(1, Math.ceil(list.length / perPage));
        const links: string[] = [];
        const link = (p: number, rel: string) =>
          `<${base}${url.pathname}?per_page=${perPage}&page=${p}>; rel="${rel}"`;
        if (page < last) links.push(link(page + 1, 'next'), link(last, 'last'));
        if (page > 1) links.push(link(1, 'first'), link(page - 1, 'prev'));
        return send(res, 200, slice, links.length > 0 ? { link: links.join(', ') } : {});
      }
      if (method === 'POST') {
        const body = (await readJson(req)) as { body?: unknown };
        if (typeof body.body !== 'string' || body.body === '')
          return unprocessable(res, 'IssueComment', 'body');
        const comment = makeComment(m[1]!, Number(m[2]), body.body, BOT);
        state.comments.set(key, [...list, comment]);
        return send(res, 201, comment, { location: comment.url });
      }
    }
    m = /^\/repos\/([^/]+\/[^/]+)\/issues\/comments\/(\d+)$/.exec(url.pathname);
    if (m && method === 'PATCH') {
      const id = Number(m[2]);
      const comment = [...state.comments.entries()]
        .filter(([k]) => k.startsWith(`${m![1]}#`))
        .flatMap(([, v]) => v)
        .find((c) => c.id === id);
      if (!comment) return send(res, 404, { message: 'Not Found' });
      const body = (await readJson(req)) as { body?: unknown };
      if (typeof body.body !== 'string' || body.body === '')
        return unprocessable(res, 'IssueComment', 'body');
      comment.body = body.body;
      comment.updated_at = now();
      return send(res, 200, comment);
    }
    m = /^\/repos\/([^/]+\/[^/]+)\/statuses\/([^/]+)$/.exec(url.pathname);
    if (m && method === 'POST') {
      if (!SHA.test(m[2]!)) return send(res, 422, { message: `No commit found for SHA: ${m[2]}` });
      const body = (await readJson(req)) as Record<string, unknown>;
      if (!['error', 'failure', 'pending', 'success'].includes(body['state'] as string))
        return unprocessable(res, 'Status', 'state', 'invalid');
      if (typeof body['description'] === 'string' && body['description'].length > 140)
        return unprocessable(res, 'Status', 'description', 'custom');
      const id = nextId++;
      const t = now();
      const status: FixtureStatus = {
        id,
        node_id: `SC_${id}`,
        url: `${base}/repos/${m[1]}/statuses/${m[2]}`,
        state: body['state'] as FixtureStatus['state'],
        description: (body['description'] as string | undefined) ?? null,
        target_url: (body['target_url'] as string | undefined) ?? null,
        context: (body['context'] as string | undefined) ?? 'default',
        created_at: t,
        updated_at: t,
        creator: BOT,
      };
      const key = `${m[1]}@${m[2]}`;
      state.statuses.set(key, [...(state.statuses.get(key) ?? []), status]);
      return send(res, 201, status);
    }
    m = /^\/repos\/([^/]+\/[^/]+)\/commits\/([^/]+)\/(statuses|status)$/.exec(url.pathname);
    if (m && method === 'GET') {
      const list = state.statuses.get(`${m[1]}@${m[2]}`) ?? [];
      if (m[3] === 'statuses') return send(res, 200, [...list].reverse());
      // Combined status: the latest per context.
      const latest = new Map<string, FixtureStatus>();
      for (const s of list) latest.set(s.context, s);
      const statuses = [...latest.values()];
      const combined = statuses.some((s) => s.state === 'failure' || s.state === 'error')
        ? 'failure'
        : statuses.every((s) => s.state === 'success') && statuses.length > 0
          ? 'success'
          : 'pending';
      return send(res, 200, { state: combined, sha: m[2], total_count: statuses.length, statuses });
    }
    send(res, 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: Error) =>
      send(res, 400, { message: `Problems parsing JSON: ${err.message}` }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    token,
    state,
    seedComment(repo, issue, body, login = 'reviewer') {
      const key = `${repo}#${issue}`;
      const comment = makeComment(repo, issue, body, { login, id: 1, type: 'User' });
      state.comments.set(key, [...(state.comments.get(key) ?? []), comment]);
      return comment;
    },
    failNext(count) {
      failures = count;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
