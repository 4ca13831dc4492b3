/**
 * `bentoci canary judge-server`: the PR gate's judge as a live analysis provider. Argo Rollouts' Web
 * metric provider POSTs to /v1/argo and reads `gate` from the JSON answer; Flagger's rollout webhook
 * POSTs to /v1/flagger and reads the status (200 passes, 412 fails the check). Each request judges the
 * window that ends now. The server keeps no state: any replica can answer any request.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { z } from 'zod';
import { errorMessage, UsageError } from '../core/errors.js';
import { parseDuration } from './duration.js';
import { judgeLive, type LiveJudgeOptions } from './judge-live.js';
import {
  argoRequestSchema,
  argoSides,
  flaggerRequestSchema,
  flaggerSides,
  JUDGE_PATHS,
  type JudgeAnswer,
  type Sides,
} from './judge-protocol.js';
import { windowEnding } from './live-samples.js';

export interface JudgeServerOptions extends LiveJudgeOptions {
  host?: string;
  port?: number;
  /** Window judged when the request names none. */
  defaultWindowMs: number;
  now?: () => number;
  log?: (line: string) => void;
}

export interface RunningJudgeServer {
  server: Server;
  url: string;
  close(): Promise<void>;
}

const MAX_BODY = 64 * 1024;

class BadRequest extends Error {}

async function readJson(req: IncomingMessage): Promise<unknown> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw new BadRequest(`body larger than ${MAX_BODY} bytes`);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new BadRequest('body is not JSON');
  }
}

function parse<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new BadRequest(`${issue.path.join('.') || 'body'}: ${issue.message}`);
  }
  return parsed.data;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export function judgeRequestHandler(options: JudgeServerOptions) {
  const now = options.now ?? Date.now;
  const log = options.log ?? (() => {});
  const judgeWindow = async (sides: Sides, window: string | undefined): Promise<JudgeAnswer> => {
    const windowMs = window ? parseDuration(window, 'window') : options.defaultWindowMs;
    return judgeLive(options, sides, windowEnding(now(), windowMs));
  };
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0];
    try {
      if (req.method === 'GET' && path === JUDGE_PATHS.health) return send(res, 200, { status: 'ok' });
      if (req.method === 'POST' && path === JUDGE_PATHS.argo) {
        const body = parse(argoRequestSchema, await readJson(req));
        const answer = await judgeWindow(argoSides(body), body.window);
        log(
          `argo ${body.namespace} canary=${body.canaryHash} stable=${body.stableHash}: ${answer.gate} (${answer.reason})`,
        );
        // Always 200: Argo counts other statuses as errors, not failures; `gate` carries the verdict.
        return send(res, 200, answer);
      }
      if (req.method === 'POST' && path === JUDGE_PATHS.flagger) {
        const body = parse(flaggerRequestSchema, await readJson(req));
        const answer = await judgeWindow(flaggerSides(body), body.metadata?.['window']);
        log(`flagger ${body.namespace}/${body.name} ${body.phase ?? ''}: ${answer.gate} (${answer.reason})`);
        return send(res, answer.gate === 'pass' ? 200 : 412, answer);
      }
      return send(res, 404, {
        error: `no route ${req.method} ${path}: POST ${JUDGE_PATHS.argo} or ${JUDGE_PATHS.flagger}, GET ${JUDGE_PATHS.health}`,
      });
    } catch (err) {
      if (err instanceof BadRequest || err instanceof UsageError)
        return send(res, 400, { error: `invalid request: ${(err as Error).message}` });
      log(`error: ${errorMessage(err)}`);
      // The judgement could not be made (Prometheus down): an error, never a verdict.
      return send(res, 502, { error: errorMessage(err) });
    }
  };
}

export async function startJudgeServer(options: JudgeServerOptions): Promise<RunningJudgeServer> {
  const handler = judgeRequestHandler(options);
  const server = createServer((req, res) => {
    void handler(req, res);
  });
  // Prometheus range queries take a while; keep a slow client from holding a socket forever.
  server.requestTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8080, options.host ?? '0.0.0.0', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    server,
    url: `http://${host}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
