/** Writing answers: JSON text with a length, and errors as {"error": message}. */
import { type IncomingMessage, ServerResponse } from 'node:http';
import { HttpError } from '../errors.js';

/** A response that knows whether its server is draining (see drainAwareResponses). */
interface DrainAware {
  readonly lastOnConnection?: boolean;
}

/**
 * The server's response class: `lastOnConnection` reads the drain flag through the prototype, so a
 * drain reaches answers already under way, and no request pays more than one property read for it.
 */
export function drainAwareResponses(state: {
  readonly draining: boolean;
}): typeof ServerResponse<IncomingMessage> {
  return class DrainAwareResponse extends ServerResponse<IncomingMessage> implements DrainAware {
    get lastOnConnection(): boolean {
      return state.draining;
    }
  };
}

export function send(
  res: ServerResponse,
  status: number,
  body: string | Buffer,
  headers: Record<string, string>,
): void {
  if (res.headersSent || res.destroyed) return;
  headers['content-length'] = String(typeof body === 'string' ? Buffer.byteLength(body) : body.length);
  // While draining every answer is its connection's last: Node closes the socket once it is sent,
  // and a keep-alive client learns to reconnect (elsewhere) instead of having its next request reset.
  if ((res as DrainAware).lastOnConnection) headers['connection'] = 'close';
  res.writeHead(status, headers);
  res.end(body);
}

export function sendJson(
  res: ServerResponse,
  status: number,
  text: string,
  headers: Record<string, string> = {},
): void {
  headers['content-type'] = 'application/json';
  send(res, status, text, headers);
}

/** The status and body for any error; unexpected ones become 500 without internals. */
export function errorAnswer(err: unknown): {
  status: number;
  message: string;
  headers: Record<string, string>;
} {
  if (err instanceof HttpError)
    return { status: err.status, message: err.message, headers: { ...err.headers } };
  return { status: 500, message: `internal error: ${(err as Error)?.message ?? String(err)}`, headers: {} };
}

export function sendError(res: ServerResponse, err: unknown, extra: Record<string, string> = {}): number {
  const { status, message, headers } = errorAnswer(err);
  Object.assign(headers, extra);
  sendJson(res, status, JSON.stringify({ error: message }), headers);
  return status;
}
