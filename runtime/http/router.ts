/**
 * Routes: POST <api route> per API; health (/healthz, /livez, /readyz); /metrics; /docs.json; and the
 * KServe v2 REST endpoints under /v2. Lookups are exact-path map hits on the hot path.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { App } from '../app-types.js';
import { HttpError, OverloadError } from '../errors.js';
import { arrivalOf, holdConnection, holdFor } from './backoff.js';
import { type Codec, InferenceCall } from './call.js';
import { decodeBody } from './decode.js';
import { encodeOutputs } from './encode.js';
import { decodePathSegment, kserveCodec, modelMetadata, serverMetadata } from './kserve.js';
import { send, sendError, sendJson } from './respond.js';

type Handler = (req: IncomingMessage, res: ServerResponse, arrival: number) => void;

/** The longest hold after an overload refusal, as a share of the API's latency bound. */
const HOLD_SHARE = 1;

const V2_MODEL = /^\/v2\/models\/([^/]+)(?:\/versions\/([^/]+))?(\/ready|\/infer)?$/;

export function createRouter(app: App): (req: IncomingMessage, res: ServerResponse) => void {
  const posts = new Map<string, Handler>();
  const gets = new Map<string, Handler>();
  const kserve = new Map<string, { codec: Codec; metadata: string; version: string }>();
  // An .npz body inflates to no more than a raw body could carry.
  const decodeLimits = { maxInflatedBytes: app.config.maxRequestBytes };

  for (const [name, api] of app.inference.apis) {
    const specs = api.loaded.api.input;
    const keepJson = app.hooks?.apis?.[name] !== undefined;
    const codec: Codec = {
      hooks: true,
      decode: (req, body) => decodeBody(req.headers, body, specs, keepJson, decodeLimits),
      encode: (result, req) => encodeOutputs(result.outputs, req.headers.accept),
    };
    posts.set(api.loaded.api.route, (req, res, arrival) => infer(app, name, codec, req, res, arrival));
    kserve.set(name, {
      codec: kserveCodec(api),
      metadata: modelMetadata(api),
      version: api.loaded.model.info.version,
    });
  }

  const live: Handler = (_req, res) => sendJson(res, 200, '{"status":"ok"}');
  gets.set('/healthz', live);
  gets.set('/livez', live);
  gets.set('/readyz', (_req, res) => {
    const { ready, draining } = app.state;
    const status = draining ? 'draining' : ready ? 'ready' : 'starting';
    sendJson(res, ready && !draining ? 200 : 503, JSON.stringify({ status }));
  });
  gets.set('/metrics', (_req, res) => {
    app.metrics.render().then(
      ({ contentType, body }) => send(res, 200, body, { 'content-type': contentType }),
      (err: unknown) => sendError(res, err),
    );
  });
  gets.set('/docs.json', (_req, res) => sendJson(res, 200, app.openapiJson));
  gets.set('/v2', (_req, res) => sendJson(res, 200, serverMetadata(app)));
  gets.set('/v2/health/live', (_req, res) => sendJson(res, 200, '{"live":true}'));
  gets.set('/v2/health/ready', (_req, res) => {
    const ready = app.state.ready && !app.state.draining;
    sendJson(res, ready ? 200 : 503, JSON.stringify({ ready }));
  });

  return (req, res) => {
    const arrival = arrivalOf(req, app.clock.now());
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    try {
      if (req.method === 'POST') {
        const handler = posts.get(path);
        if (handler) return handler(req, res, arrival);
      } else if (req.method === 'GET' || req.method === 'HEAD') {
        const handler = gets.get(path);
        if (handler) return handler(req, res, arrival);
      }
      const v2 = V2_MODEL.exec(path);
      if (v2) return routeV2(app, kserve, v2, req, res, arrival);
      const allowed = posts.has(path) ? 'POST' : gets.has(path) ? 'GET' : undefined;
      if (allowed)
        throw new HttpError(405, `${req.method} ${path} is not allowed: use ${allowed}`, { allow: allowed });
      throw new HttpError(
        404,
        `no route ${req.method} ${path} (APIs: ${[...posts.keys()].map((r) => `POST ${r}`).join(', ')})`,
      );
    } catch (err) {
      req.resume();
      sendError(res, err);
    }
  };
}

function routeV2(
  app: App,
  kserve: Map<string, { codec: Codec; metadata: string; version: string }>,
  match: RegExpExecArray,
  req: IncomingMessage,
  res: ServerResponse,
  arrival: number,
): void {
  const [, rawName, version, action] = match;
  const name = decodePathSegment(rawName!, 'model name');
  const model = kserve.get(name);
  if (!model) throw new HttpError(404, `no model named "${name}" (models: ${[...kserve.keys()].join(', ')})`);
  if (version !== undefined && decodePathSegment(version, 'model version') !== model.version) {
    throw new HttpError(404, `model "${name}" has no version "${version}" (versions: ${model.version})`);
  }
  if (action === '/infer') {
    if (req.method !== 'POST')
      throw new HttpError(405, `${req.method} ${match[0]} is not allowed: use POST`, { allow: 'POST' });
    infer(app, name, model.codec, req, res, arrival);
    return;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD')
    throw new HttpError(405, `${req.method} ${match[0]} is not allowed: use GET`, { allow: 'GET' });
  if (action === '/ready') {
    const ready = app.state.ready && !app.state.draining;
    sendJson(res, ready ? 200 : 503, JSON.stringify({ name, ready }));
    return;
  }
  sendJson(res, 200, model.metadata);
}

function infer(
  app: App,
  api: string,
  codec: Codec,
  req: IncomingMessage,
  res: ServerResponse,
  arrival: number,
): void {
  const readAt = app.clock.now();
  const refusal = refuseEarly(app, api, arrival);
  if (refusal) {
    // Answered before the body is read: under overload a refusal costs a header parse and one write.
    // Its time is counted from the read: a hold on the connection before it (see backoff.ts) dates
    // the request's deadline, but the refusal itself still goes out at once.
    req.resume();
    const now = app.clock.now();
    const elapsed = now - readAt;
    const status = sendError(res, refusal, { 'server-timing': `total;dur=${elapsed.toFixed(3)}` });
    app.metrics.request(api, status, elapsed / 1000);
    if (refusal instanceof OverloadError) {
      const bound = app.inference.api(api).queue.maxLatencyMs;
      const hold = holdFor(refusal.retryAfterMs, app.inference.answerRate(api, now), bound * HOLD_SHARE);
      holdConnection(req, res, hold, now);
    }
    return;
  }
  void new InferenceCall(app, api, codec, req, res, arrival).run();
}

/** Why a request is refused before its body is read: not ready, overloaded, or too late in a drain. */
function refuseEarly(app: App, api: string, arrival: number): HttpError | undefined {
  const { ready, draining } = app.state;
  if (ready && !draining) return app.inference.precheck(api, arrival);
  if (!ready)
    return new HttpError(
      503,
      draining
        ? 'the server is shutting down; send the request to another replica'
        : 'the server is warming up; retry shortly',
      { 'retry-after': '1' },
    );
  // Draining: a request read now was sent before its client learnt of the drain, and is served
  // like any other if it can be answered before the grace period ends.
  return app.inference.precheck(api, arrival) ?? tooLateInDrain(app, api, arrival);
}

function tooLateInDrain(app: App, api: string, arrival: number): HttpError | undefined {
  const deadline = app.state.drainDeadline;
  // Admission already holds the request to its own deadline; only a later one needs a second look.
  if (arrival + app.inference.api(api).queue.maxLatencyMs <= deadline) return undefined;
  if (arrival < deadline && app.inference.scheduler.probe(api, 1, arrival, deadline).ok) return undefined;
  return new HttpError(
    503,
    'the server is shutting down and cannot answer before its grace period ends; send the request to another replica',
    { 'retry-after': '1' },
  );
}
