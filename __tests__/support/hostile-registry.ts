/**
 * A registry that misbehaves on purpose: a node:http server on a loopback address whose handler the
 * test writes, recording every request (and the Authorization it carried) and every byte it streamed.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

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
