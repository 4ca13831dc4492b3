/**
 * Starting and stopping the runtime: load the bento, import its hooks, listen (health answers at
 * once, /readyz says 503 until warm), start the workers, warm up, report ready. `drain()` is the
 * SIGTERM path (runtime/drain.ts): answer every request read, then close. Exposed as a function so
 * tests and the benchmark can start it in-process.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { availableParallelism } from 'node:os';
import { apiBatching } from '../src/shared/batching-report.js';
import type { ServiceHooks } from '../src/shared/service.js';
import type { App, AppState } from './app-types.js';
import { type BatchPolicy, type SchedulerClock, systemClock } from './batching/types.js';
import { type RuntimeConfig, resolveLayout, settingName } from './config.js';
import { drainServer } from './drain.js';
import { RuntimeStartError } from './errors.js';
import { BodyBudget } from './http/body.js';
import { guardConnections, serverTimeouts } from './http/connections.js';
import { limitNotices } from './http/limits.js';
import { drainAwareResponses } from './http/respond.js';
import { createRouter } from './http/router.js';
import { Inference } from './inference.js';
import type { Logger } from './log.js';
import { RuntimeMetrics } from './metrics.js';
import { checkProvider } from './provider.js';
import { loadHooks } from './service/hooks.js';
import type { LoadedService } from './service/load.js';
import { warmUp } from './warmup.js';
import { WorkerPool } from './workers/pool.js';

export interface StartOptions {
  service: LoadedService;
  config: RuntimeConfig;
  log: Logger;
  /** The bundled worker entry (dist/runtime/worker.js). */
  workerUrl: URL;
  /** Replaces the adaptive batching policy (the benchmark's peer baselines). */
  policy?: BatchPolicy;
  clock?: SchedulerClock;
  cores?: number;
}

export interface RunningRuntime {
  app: App;
  server: Server;
  url: string;
  /** Resolves when the sessions are loaded and warm. */
  ready: Promise<void>;
  /** Drains (runtime/drain.ts) within `timeoutMs`; resolves true when every request read got an answer. */
  drain(timeoutMs?: number): Promise<boolean>;
}

export async function startRuntime(options: StartOptions): Promise<RunningRuntime> {
  const { service, config, log } = options;
  const clock = options.clock ?? systemClock;
  const layout = resolveLayout(config, options.cores ?? availableParallelism());
  checkProvider(config.provider);

  const hooks: ServiceHooks | undefined = service.module
    ? await loadHooks(
        service.dir,
        service.module,
        service.apis.map((a) => a.api.name),
      )
    : undefined;

  let pool: WorkerPool | undefined;
  const state: AppState = {
    ready: false,
    draining: false,
    drainDeadline: Number.POSITIVE_INFINITY,
    inProgress: 0,
  };
  // The scheduler only calls the runner once it is ready (requests are refused until then).
  const runner = {
    run: (model: string, inputs: Parameters<WorkerPool['run']>[1]) => pool!.run(model, inputs),
  };
  let inference: Inference | undefined;
  // Eight bodies of the largest size by default: room for concurrent large requests, while a flood
  // of unfinished ones holds at most this much (their decoded tensors come on top).
  const onLimit = limitNotices(log, (key) => settingName(key));
  const bodies = new BodyBudget(config.maxBodyBytesInFlight ?? 8 * config.maxRequestBytes, onLimit);
  const metrics = new RuntimeMetrics(
    service.apis.map((a) => a.api.name),
    {
      queuedRows: (api) => inference?.scheduler.queuedRows(api) ?? 0,
      admissionStretch: (api) => inference?.policy.stretch?.(api) ?? 0,
      inFlightRequests: () => state.inProgress,
      inFlightBatches: () => inference?.scheduler.inFlightBatches ?? 0,
      bodyBytesInFlight: () => bodies.inFlight,
      tensorBytesInFlight: () => inference?.tensors.inFlight ?? 0,
    },
  );
  inference = new Inference({
    apis: service.apis,
    config,
    workers: layout.workers,
    runner,
    metrics,
    log,
    clock,
    onLimit,
    ...(options.policy ? { policy: options.policy } : {}),
  });
  const app: App = {
    service,
    inference,
    metrics,
    log,
    hooks,
    config,
    clock,
    state,
    openapiJson: JSON.stringify(service.openapi),
    calls: new Set(),
    bodies,
  };

  const server = createServer({ ...serverTimeouts(config), ServerResponse: drainAwareResponses(state) });
  server.on('request', guardConnections(server, config, createRouter(app), onLimit));
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        new RuntimeStartError(
          `cannot listen on ${config.host}:${config.port}: ${err.code === 'EADDRINUSE' ? 'the port is in use' : err.message}`,
        ),
      ),
    );
    server.listen(config.port, config.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host === '[::]' ? '[::1]' : host}:${address.port}`;
  log.info('listening', {
    url,
    service: `${service.name}:${service.version}`,
    kind: service.kind,
    ...layout,
    provider: config.provider,
  });
  // Whether each API batches, and if not what stops it: the first thing to check when it is slow.
  for (const api of service.apis) {
    const off = config.batching === false && api.api.batching.enabled;
    const batching = off ? 'off: turned off by the batching setting' : apiBatching(api.api, api.signature);
    log.info('api', { api: api.api.name, route: api.api.route, batching });
  }

  const ready = (async () => {
    const started = clock.now();
    if (hooks?.setup) {
      await hooks.setup({
        bentoDir: service.dir,
        apis: service.apis.map((a) => a.api),
        log: (level, msg, fields) => log[level](msg, fields),
      });
    }
    pool = await WorkerPool.start({
      workerUrl: options.workerUrl,
      count: layout.workers,
      init: {
        models: service.models.map((m) => ({ key: m.tag, path: m.onnxPath })),
        provider: config.provider,
        threads: layout.threads,
        spinning: layout.spinning,
        ortLogLevel: config.ortLogLevel,
      },
      log,
    }).catch((err: Error) => {
      throw new RuntimeStartError(
        `cannot load the models: ${err.message}${config.provider === 'cuda' ? ` (execution provider cuda; use ${settingName('provider', 'cpu')} to run on the CPU)` : ''}`,
      );
    });
    await warmUp({
      apis: inference.apis.values(),
      runner,
      policy: inference.policy,
      workers: layout.workers,
      clock,
      log,
    });
    state.ready = true;
    log.info('ready', {
      url,
      startup_ms: Math.round(clock.now() - started),
      apis: service.apis.map((a) => `POST ${a.api.route}`),
    });
  })();
  ready.catch(() => {});

  let drained: Promise<boolean> | undefined;
  const drain = (timeoutMs = config.drainTimeoutMs): Promise<boolean> => {
    drained ??= (async () => {
      const delayMs = Math.min(config.drainDelayMs, timeoutMs);
      const { complete } = await drainServer({ app, server, delayMs, graceMs: timeoutMs });
      await hooks?.shutdown?.();
      await pool?.close();
      log.info('stopped', { complete });
      return complete;
    })();
    return drained;
  };

  return { app, server, url, ready, drain };
}
