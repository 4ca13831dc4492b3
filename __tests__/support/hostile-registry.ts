/**
 * A registry that misbehaves on purpose: a node:http server on a loopback address whose handler the
 * test writes, recording every request (and the Authorization it carried) and every byte it streamed.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { openRepository, type Repository, type RepositoryOptions } from '../../src/oci/index.js';

export const USER = 'alice';
export const PASSWORD = 's3cret-Pa55word';
export const BASIC = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;
export const REPO = 'hostile/app';

export interface Seen {
  method: string;
  path: string;
  authorization: string | undefined;
}

export interface HostileServer {
  /** `http://host:port`: scheme, host and port, the unit credentials are bound to. */
  origin: string;
  /** `host:port`, as an oci:// URL names it. */
  host: string;
  seen: Seen[];
  /** Bytes written by `stream` so far. */
  sent: number;
  /** Resolves when every `stream` has stopped (the client hung up or the bound was reached). */
  streamsDone(): Promise<void>;
  stop(): Promise<void>;
}

/** The streams in flight per server, so a test can wait until the server stopped sending. */
const inFlight = new WeakMap<HostileServer, Set<Promise<void>>>();

export type Handler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => unknown;

export async function startHostile(handler: Handler, address = '127.0.0.1'): Promise<HostileServer> {
  const streams = new Set<Promise<void>>();
  const state: HostileServer = {
    origin: '',
    host: '',
    seen: [],
    sent: 0,
    streamsDone: async () => {
      await Promise.all([...streams]);
    },
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server: Server = createServer((req, res) => {
    state.seen.push({
      method: req.method ?? '',
      path: req.url ?? '',
      authorization: req.headers.authorization,
    });
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      Promise.resolve(handler(req, res, Buffer.concat(chunks))).catch((err: unknown) => {
        if (!res.headersSent) res.writeHead(500);
        res.end(String(err));
      });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, address, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  state.host = `${address}:${port}`;
  state.origin = `http://${state.host}`;
  inFlight.set(state, streams);
  return state;
}

/**
 * Writes `head` then filler bytes until `bound` bytes in all or until the client hangs up, counting
 * them into `server.sent`: what a registry that never stops sending looks like from the client.
 */
export function stream(server: HostileServer, res: ServerResponse, head: Buffer, bound: number): void {
  const filler = Buffer.alloc(64 * 1024, 0x61);
  const done = new Promise<void>((resolve) => {
    let written = 0;
    let closed = false;
    res.on('close', () => {
      closed = true;
      resolve();
    });
    const pump = () => {
      while (!closed && written < bound) {
        const chunk = written === 0 ? head : filler.subarray(0, Math.min(filler.length, bound - written));
        written += chunk.length;
        server.sent += chunk.length;
        if (!res.write(chunk)) {
          res.once('drain', pump);
          return;
        }
      }
      if (!closed) res.end();
    };
    pump();
  });
  inFlight.get(server)?.add(done);
}

/** A JSON reply. */
export function json(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

/** The error `promise` rejects with; a promise that resolves fails the test. */
export function failure(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (err: unknown) => err as Error,
  );
}

/** Servers and repositories of one test, closed by `cleanup` (run it after each test). */
export function hostileFixture() {
  const servers: HostileServer[] = [];
  const repos: Repository[] = [];
  const serve = async (...args: Parameters<typeof startHostile>): Promise<HostileServer> => {
    const server = await startHostile(...args);
    servers.push(server);
    return server;
  };
  return {
    serve,
    /** A registry that wants Basic credentials (USER, PASSWORD) on every request, then lets `handler` answer. */
    basicRegistry: (handler: Handler): Promise<HostileServer> =>
      serve((req, res, body) => {
        if (req.headers.authorization !== BASIC) {
          res.writeHead(401, { 'www-authenticate': 'Basic realm="hostile"', 'content-length': '0' });
          return res.end();
        }
        return handler(req, res, body);
      }),
    /** REPO on `server` with USER and PASSWORD, plain HTTP, quick retries, short timeouts. */
    open: async (server: HostileServer, options: RepositoryOptions = {}): Promise<Repository> => {
      const repo = await openRepository(`oci://${server.host}/${REPO}`, {
        insecure: true,
        push: true,
        username: USER,
        password: PASSWORD,
        retry: { attempts: 2, baseMs: 5, maxMs: 10 },
        timeoutMs: 5000,
        env: {},
        ...options,
      });
      repos.push(repo);
      return repo;
    },
    cleanup: async (): Promise<void> => {
      for (const repo of repos.splice(0)) await repo.close();
      for (const server of servers.splice(0)) await server.stop();
    },
  };
}
