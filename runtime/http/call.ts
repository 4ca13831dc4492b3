/**
 * One admitted inference request from arrival to answer: read the body (size limit), decode, run the
 * `pre` hook, queue (admission control may still answer 503 at once), await the batch, `post` hook,
 * encode. (Refusals before the body is read never get here: see the router.)
 * A per-request timeout answers 504 and a client that goes away cancels its queued work; either way
 * the request is answered or accounted exactly once.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HookContext } from '../../src/shared/service.js';
import type { App, PendingCall } from '../app-types.js';
import { HttpError } from '../errors.js';
import type { InferenceJob, JobResult } from '../inference.js';
import { BodyRead } from './body.js';
import type { DecodedRequest } from './decode.js';
import type { EncodedBody } from './encode.js';
import { encodeHookResult, isTensorMap } from './encode.js';
import { send, sendError } from './respond.js';

export interface Codec {
  /** A Promise when the body is large enough to be decoded in slices (see decodeBody). */
  decode(req: IncomingMessage, body: Buffer): DecodedRequest | Promise<DecodedRequest>;
  encode(result: JobResult, req: IncomingMessage): EncodedBody;
  /** Whether the bento's hooks run (API routes yes; the KServe protocol carries raw tensors). */
  hooks: boolean;
}

const ms = (x: number) => x.toFixed(3);

export class InferenceCall implements PendingCall {
  private job?: InferenceJob;
  /** When the body was read, decoded and through `pre`: the request joined the queue. */
  private submittedAt = 0;
  private done = false;
  private timer?: NodeJS.Timeout;
  private abort?: AbortController;
  /** The body's bytes count against the process's budget until decoded or the request ends. */
  private read?: BodyRead;

  constructor(
    private readonly app: App,
    private readonly apiName: string,
    private readonly codec: Codec,
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    private readonly arrival: number,
  ) {}

  async run(): Promise<void> {
    const { app, req, res } = this;
    app.state.inProgress++;
    app.calls.add(this);
    this.timer = setTimeout(this.onTimeout, app.config.requestTimeoutMs);
    res.once('close', this.onClose);
    try {
      this.read = new BodyRead(req, app.bodies, {
        maxBytes: app.config.maxRequestBytes,
        timeoutMs: app.config.bodyTimeoutMs,
      });
      const body = await this.read.body;
      const pending = this.codec.decode(req, body);
      // Only large bodies give a Promise: small ones pay no extra turn of the event loop.
      let { inputs, json } = pending instanceof Promise ? await pending : pending;
      this.read.release();
      if (this.done) return;
      const hooks = this.codec.hooks ? app.hooks?.apis?.[this.apiName] : undefined;
      const ctx = hooks ? this.hookContext(json) : undefined;
      if (hooks?.pre) {
        const rewritten = await callHook(() => hooks.pre!(inputs, ctx!), 'pre');
        if (!isTensorMap(rewritten))
          throw new HttpError(500, `service hook ${this.apiName}.pre must return tensors by input name`);
        inputs = rewritten;
      }
      if (this.done) return;
      this.submittedAt = app.clock.now();
      this.job = app.inference.submit(this.apiName, inputs, this.arrival);
      const result = await this.job.result;
      if (this.done) return;
      const encoded = hooks?.post
        ? encodeHookResult(
            await callHook(() => hooks.post!(result.outputs, ctx!), 'post'),
            req.headers.accept,
          )
        : this.codec.encode(result, req);
      const job = this.job;
      const now = app.clock.now();
      encoded.headers['server-timing'] =
        `read;dur=${ms(this.submittedAt - this.arrival)}, queue;dur=${ms(job.dispatchedAt! - this.submittedAt)}, infer;dur=${ms(job.completedAt! - job.dispatchedAt!)}, run;dur=${ms(result.runMs)}, total;dur=${ms(now - this.arrival)}`;
      encoded.headers['x-batch-size'] = String(job.batchRows);
      encoded.headers['x-batch-requests'] = String(job.batchRequests);
      this.finish(encoded);
    } catch (err) {
      this.fail(err);
    }
  }

  private hookContext(json: unknown): HookContext {
    const { app, apiName } = this;
    this.abort = new AbortController();
    const log = app.log.child({ api: apiName });
    return {
      api: app.inference.api(apiName).loaded.api,
      headers: this.req.headers,
      body: json,
      state: new Map(),
      signal: this.abort.signal,
      log: (level, message, fields) => log[level](message, fields),
    };
  }

  private finish(encoded: EncodedBody): void {
    if (this.done) return;
    this.done = true;
    send(this.res, 200, encoded.body, encoded.headers);
    if (this.job) this.app.inference.answered(this.job, this.app.clock.now());
    this.record(200);
  }

  private fail(err: unknown): void {
    if (this.done) return;
    this.done = true;
    if (!(err instanceof HttpError) && !hasStatus(err)) {
      this.app.log.error('request failed', {
        api: this.apiName,
        error: (err as Error)?.message ?? String(err),
      });
    }
    // Whatever of the body is left is read and discarded, so the client gets to read the answer;
    // then the connection closes, so a body still trickling in does not keep it.
    this.req.resume();
    const extra: Record<string, string> = {
      'server-timing': `total;dur=${ms(this.app.clock.now() - this.arrival)}`,
    };
    if (!this.req.complete) extra['connection'] = 'close';
    this.record(sendError(this.res, err, extra));
  }

  private readonly onTimeout = (): void => {
    this.giveUp(new HttpError(504, `the request took longer than ${this.app.config.requestTimeoutMs} ms`));
  };

  /** Answers `err` now (the timeout, the end of a drain's grace period) and withdraws queued work. */
  giveUp(err: HttpError): void {
    if (this.done) return;
    if (this.job) this.app.inference.cancel(this.job);
    this.abort?.abort();
    this.fail(err);
  }

  private readonly onClose = (): void => {
    if (this.done || this.res.writableFinished) return;
    // The client went away: queued work is withdrawn; a running batch finishes for the others.
    this.done = true;
    if (this.job) this.app.inference.cancel(this.job);
    this.abort?.abort();
    this.record(499);
  };

  /** Exactly once per request: stop the timer, count it, and let a drain know when the last one ends. */
  private record(status: number): void {
    clearTimeout(this.timer);
    this.read?.release();
    const { app } = this;
    app.state.inProgress--;
    app.calls.delete(this);
    const elapsed = app.clock.now() - this.arrival;
    app.metrics.request(this.apiName, status, elapsed / 1000);
    if (status === 200 && elapsed > app.inference.api(this.apiName).queue.maxLatencyMs)
      app.metrics.missedDeadline(this.apiName);
    if (app.state.inProgress === 0) app.onIdle?.();
  }
}

function hasStatus(err: unknown): err is { status: number; message: string } {
  const status = (err as { status?: unknown })?.status;
  return typeof status === 'number' && status >= 400 && status < 600;
}

async function callHook<T>(fn: () => T | Promise<T>, which: string): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof HttpError) throw err;
    if (hasStatus(err)) throw new HttpError(err.status, err.message);
    throw new HttpError(500, `service hook ${which} failed: ${(err as Error)?.message ?? String(err)}`);
  }
}
