/**
 * The SIGTERM drain, which loses nothing it has read. In order:
 * 1. /readyz turns 503 and every answer from now on carries `Connection: close` (Node closes the
 *    socket after it), while requests are still served as usual: load balancers notice during the
 *    delay (`--drain-delay-ms`), keep-alive clients learn to reconnect elsewhere.
 * 2. The listener closes; open connections stay.
 * 3. Idle keep-alive connections are closed a moment later (LINGER_MS), and only after a whole poll
 *    phase: a request its client had already sent may be in the kernel buffer, unread, and closing
 *    the socket then would reset it. Once read it is a request (its connection is no longer idle),
 *    served when it can be answered before the grace period ends, else answered 503.
 * 4. Done when every connection has closed and the queue is empty; if the grace period
 *    (`--drain-timeout-ms`, from SIGTERM, delay included) ends first, every request still unanswered
 *    gets 503 and its queued work is withdrawn, the connections get a moment to take those answers,
 *    then what is left is cut, and the log says how many of each.
 */
import type { Server } from 'node:http';
import { Server as NetServer } from 'node:net';
import type { App } from './app-types.js';
import { HttpError } from './errors.js';

/** After the grace period: how long the 503 answers get to reach their clients before the cut. */
const FLUSH_MS = 1000;
/**
 * How long idle keep-alive connections stay open once the listener has closed: a client that sent
 * its next request as SIGTERM came (it cannot know) has it read and answered, not reset.
 */
const LINGER_MS = 500;
/** How often idle connections are looked for again while draining (a safety net: see sweepIdle). */
const SWEEP_MS = 100;

export interface DrainOptions {
  app: App;
  server: Server;
  /** How long to keep serving, readiness 503, before the listener closes. */
  delayMs: number;
  /** SIGTERM to shutdown at most, the delay included. */
  graceMs: number;
}

export interface DrainOutcome {
  /** Every request read got an HTTP answer (200, or 503 with `Connection: close`). */
  complete: boolean;
  /** Requests answered 503 because the grace period ended before they could be served. */
  notServed: number;
  /** Connections cut at the end with a request on them unanswered or partly received. */
  cut: number;
}

export async function drainServer({ app, server, delayMs, graceMs }: DrainOptions): Promise<DrainOutcome> {
  const { state, log, inference } = app;
  state.drainDeadline = app.clock.now() + graceMs;
  state.draining = true;
  log.info('draining', {
    in_progress: state.inProgress,
    queued: [...inference.apis.keys()].reduce((n, a) => n + inference.scheduler.queuedRows(a), 0),
    delay_ms: delayMs,
    grace_ms: graceMs,
  });
  const grace = timer(graceMs);
  if (delayMs > 0) {
    const delay = timer(delayMs);
    await Promise.race([delay.done, grace.done]);
    delay.cancel();
  }

  // http.Server.close() would also close the idle keep-alive connections at once: net.Server's
  // stops accepting only. (Node's header and request timeouts keep being enforced meanwhile.)
  const closed = new Promise<void>((resolve) => NetServer.prototype.close.call(server, () => resolve()));
  log.info('listener closed', { in_progress: state.inProgress });
  const sweeper = sweepIdle(server);
  const finished = await Promise.race([
    closed
      .then(() => untilIdle(app))
      // Batches of clients that left may still be running.
      .then(() => inference.scheduler.drain())
      .then(() => true),
    grace.done.then(() => false),
  ]);
  grace.cancel();
  let notServed = 0;
  let cut = 0;
  if (!finished) {
    notServed = giveUpAll(app);
    log.error('grace period over: answered 503 to the requests it could not serve in time', {
      not_served: notServed,
      grace_ms: graceMs,
    });
    const flush = timer(FLUSH_MS);
    await Promise.race([closed, flush.done]);
    flush.cancel();
    server.closeIdleConnections();
    // The sockets just closed are counted until their close callbacks have run.
    await afterPollPhase();
    cut = await openConnections(server);
    if (cut > 0)
      log.error('cut connections with a request unanswered or partly received', { connections: cut });
    server.closeAllConnections();
    await closed;
  }
  sweeper.stop();
  return { complete: cut === 0, notServed, cut };
}

/**
 * Closes idle keep-alive connections after LINGER_MS, and again every SWEEP_MS. Each sweep waits for
 * a whole poll phase first: whatever a client sent before the sweep was due is in the kernel buffer,
 * and is read (the connection is then busy with a request, not idle) before its socket could be
 * closed. Later sweeps find a connection idle only if an answer left it open, which no answer sent
 * while draining does: they are a safety net.
 */
function sweepIdle(server: Server): { stop(): void } {
  const sweep = () => void afterPollPhase().then(() => server.closeIdleConnections());
  let interval: NodeJS.Timeout | undefined;
  const first = setTimeout(() => {
    sweep();
    interval = setInterval(sweep, SWEEP_MS).unref();
  }, LINGER_MS).unref();
  return {
    stop: () => {
      clearTimeout(first);
      clearInterval(interval);
    },
  };
}

/**
 * Resolves after a poll phase that began after the call: the first immediate runs at the end of the
 * current loop iteration, whose poll phase may have begun before; the second after the next one.
 */
function afterPollPhase(): Promise<void> {
  return new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
}

/** Answers every request still in progress 503 (each closes its connection); how many. */
function giveUpAll(app: App): number {
  const calls = [...app.calls];
  const err = new HttpError(
    503,
    'the server shut down before the request could be served; send it to another replica',
    { 'retry-after': '1' },
  );
  for (const call of calls) call.giveUp(err);
  return calls.length;
}

function untilIdle(app: App): Promise<void> {
  return new Promise((resolve) => {
    if (app.state.inProgress === 0) resolve();
    else app.onIdle = resolve;
  });
}

function openConnections(server: Server): Promise<number> {
  return new Promise((resolve) => server.getConnections((err, count) => resolve(err ? 0 : count)));
}

function timer(ms: number): { done: Promise<void>; cancel(): void } {
  let handle: NodeJS.Timeout | undefined;
  const done = new Promise<void>((resolve) => {
    handle = setTimeout(resolve, ms);
  });
  return { done, cancel: () => clearTimeout(handle) };
}
