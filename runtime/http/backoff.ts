/**
 * Backpressure on clients that resend the moment they are refused. A 503 for overload still goes
 * out at once, but the connection's next request is read only after a short hold: a client that
 * retries in a loop then waits instead of spinning, and the cores its refusals would have taken go
 * to the work that was admitted (on a small machine a retry storm otherwise eats the capacity it is
 * refused for). The hold counts as the next request's time: its arrival is dated from the hold's
 * start, so the latency bound and the server's own count of late answers include it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** When a held connection's hold started (clock ms), until its next request is dated from it. */
const heldAt = new WeakMap<Socket, number>();
/** Connections held right now. */
let holding = 0;

/**
 * How long to hold a refused client's connection: until the queue is expected to have room, and at
 * least as long as the admitted work takes to get through the clients already held (so the held
 * ones come back about as fast as answers go out, not as fast as the cores can refuse them), at
 * most `maxMs`.
 */
export function holdFor(untilRoomMs: number, answersPerMs: number, maxMs: number): number {
  const turn = answersPerMs > 0 ? holding / answersPerMs : 0;
  return Math.min(maxMs, Math.max(untilRoomMs, turn));
}

/**
 * Holds `req`'s connection for `ms` once the refusal is written. The pause waits a turn of the
 * event loop: on the answer's finish Node itself resumes the socket for the next request.
 */
export function holdConnection(req: IncomingMessage, res: ServerResponse, ms: number, now: number): void {
  const socket = req.socket;
  if (ms <= 0 || socket.destroyed) return;
  res.once('finish', () =>
    setImmediate(() => {
      if (socket.destroyed) return;
      heldAt.set(socket, now);
      socket.pause();
      holding++;
      setTimeout(() => {
        holding--;
        socket.resume();
      }, ms).unref();
    }),
  );
}

/** The arrival of a request: now, or the start of its connection's hold when one was held. */
export function arrivalOf(req: IncomingMessage, now: number): number {
  const since = heldAt.get(req.socket);
  if (since === undefined) return now;
  heldAt.delete(req.socket);
  return Math.min(now, since);
}
