/** The running service as the HTTP handlers see it. */
import type { ServiceHooks } from '../src/shared/service.js';
import type { SchedulerClock } from './batching/types.js';
import type { RuntimeConfig } from './config.js';
import type { Inference } from './inference.js';
import type { Logger } from './log.js';
import type { RuntimeMetrics } from './metrics.js';
import type { LoadedService } from './service/load.js';

export interface AppState {
  /** Sessions loaded and warm. */
  ready: boolean;
  /** SIGTERM received: new requests are refused, accepted ones finish. */
  draining: boolean;
  /** Requests between arrival and answer. */
  inProgress: number;
}

export interface App {
  service: LoadedService;
  inference: Inference;
  metrics: RuntimeMetrics;
  log: Logger;
  hooks: ServiceHooks | undefined;
  config: RuntimeConfig;
  clock: SchedulerClock;
  state: AppState;
  /** The bento's OpenAPI document, serialized once. */
  openapiJson: string;
  /** Called whenever the last in-progress request is answered (the drain waits on it). */
  onIdle?: () => void;
}
