/**
 * What a connection may hold on the server: how many may be open (a connection beyond the cap has
 * its request answered 503 and is closed), how long headers and bodies may take (Node's own timers,
 * set from --body-timeout-ms), and a clean one-line 4xx when Node's HTTP parser refuses a request
 * (by default Node writes a bare status line with no body).
 */
import type { IncomingMessage, RequestListener, Server, ServerOptions } from 'node:http';
import type { Socket } from 'node:net';
import { HttpError } from '../errors.js';
import type { OnLimit } from './limits.js';
import { sendError } from './respond.js';

export interface ConnectionLimits {
  maxConnections: number;
  bodyTimeoutMs: number;
}

/** Health probes answered even on a connection beyond the cap: a refused liveness probe restarts a healthy server. */
const PROBES = new Set(['/healthz', '/livez', '/readyz', '/v2/health/live', '/v2/health/ready']);

/** Beyond this many times the cap, Node closes new connections unanswered: the file descriptors stay bounded. */
const HARD_CAP_FACTOR = 2;

/**
 * Node 20's timers, checked every `connectionsCheckingInterval`: `headersTimeout` runs from the
 * connection (or a message's first byte) to the end of its headers; `requestTimeout` to the end of
 * its body. Inference routes answer a slow body 408 themselves (runtime/http/body.ts); Node's
 * `requestTimeout` is the backstop for bodies nobody reads (an early refusal's, another route's),
 * which it would otherwise keep for its default 300 s.
 */
export function serverTimeouts(
  limits: ConnectionLimits,
): Pick<
  ServerOptions,
  'headersTimeout' | 'requestTimeout' | 'keepAliveTimeout' | 'connectionsCheckingInterval'
> {
  const headersTimeout = Math.min(limits.bodyTimeoutMs, 60_000);
  return {
    headersTimeout,
    requestTimeout: headersTimeout + limits.bodyTimeoutMs,
    // Longer than the 60 s idle timeout of common load balancers, so they close an idle connection first.
    keepAliveTimeout: 65_000,
    connectionsCheckingInterval: Math.max(10, Math.min(1000, Math.floor(headersTimeout / 4))),
  };
}

/**
 * Counts open connections and returns the request handler to install: a connection opened while
 * `maxConnections` were open has its first request answered 503 (Retry-After, Connection: close),
 * except a health probe, which is answered and then the connection closed.
 * Also answers Node's client errors with one line.
 */
export function guardConnections(
  server: Server,
  limits: ConnectionLimits,
  handler: RequestListener,
  onLimit: OnLimit = () => {},
): RequestListener {
  const { maxConnections } = limits;
  let open = 0;
  const over = new WeakSet<Socket>();
  /** Each connection's latest request: whether a timeout hit one that was answered already. */
  const latest = new WeakMap<Socket, IncomingMessage>();
  server.maxConnections = maxConnections * HARD_CAP_FACTOR;
  // Before Node's own listener, so the mark is there when the first request is parsed.
  server.prependListener('connection', (socket: Socket) => {
    open++;
    socket.once('close', () => open--);
    if (open > maxConnections) over.add(socket);
  });
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) =>
    answerClientError(err, socket, latest.get(socket), limits, onLimit),
  );
  return (req, res) => {
    latest.set(req.socket, req);
    if (!over.has(req.socket)) return handler(req, res);
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    if (req.method === 'GET' && PROBES.has(q === -1 ? url : url.slice(0, q))) {
      res.setHeader('connection', 'close');
      return handler(req, res);
    }
    req.resume();
    onLimit('maxConnections', maxConnections);
    sendError(
      res,
      new HttpError(
        503,
        `the server has ${maxConnections} connections open, its limit; retry on a new connection shortly`,
        { 'retry-after': '1', connection: 'close' },
      ),
    );
  };
}

function answerClientError(
  err: NodeJS.ErrnoException,
  socket: Socket,
  req: IncomingMessage | undefined,
  limits: ConnectionLimits,
  onLimit: OnLimit,
): void {
  const inFlight = (socket as Socket & { _httpMessage?: { headersSent: boolean } | null })._httpMessage;
  // A reset peer hears nothing; an answer already under way must not be corrupted by a second one,
  // nor one already sent (an early refusal) be followed by another while its body still trickles.
  const answered = req !== undefined && !req.complete && !inFlight;
  if (err.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent || answered) {
    socket.destroy();
    return;
  }
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') onLimit('bodyTimeoutMs', limits.bodyTimeoutMs);
  const [status, reason, message] = clientErrorAnswer(err, limits);
  const body = JSON.stringify({ error: message });
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    () => socket.destroy(),
  );
}

function clientErrorAnswer(err: NodeJS.ErrnoException, limits: ConnectionLimits): [number, string, string] {
  switch (err.code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT': {
      const { headersTimeout, requestTimeout } = serverTimeouts(limits);
      return [
        408,
        'Request Timeout',
        `the request did not arrive in time (headers within ${headersTimeout} ms, all of it within ${requestTimeout} ms); send it faster`,
      ];
    }
    case 'HPE_HEADER_OVERFLOW':
      return [
        431,
        'Request Header Fields Too Large',
        'the request headers are too large; send fewer or shorter headers',
      ];
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return [
        413,
        'Payload Too Large',
        'the chunk extensions of the request body are too large; send chunks without extensions',
      ];
    default: {
      // The parser's reason is its own fixed text; anything but printable ASCII is dropped all the same.
      const reason = String((err as { reason?: unknown }).reason ?? err.message).replace(/[^ -~]/g, ' ');
      return [
        400,
        'Bad Request',
        `the request is not valid HTTP/1.1: ${reason} (${err.code ?? 'parse error'})`,
      ];
    }
  }
}
