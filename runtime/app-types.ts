/** The running service as the HTTP handlers see it. */
import type { ServiceHooks } from '../src/shared/service.js';
import type { SchedulerClock } from './batching/types.js';
import type { RuntimeConfig } from './config.js';
import type { HttpError } from './errors.js';
import type { BodyBudget } from './http/body.js';
import type { Inference } from './inference.js';
import type { Logger } from './log.js';
import type { RuntimeMetrics } from './metrics.js';
import type { LoadedService } from './service/load.js';

export interface AppState {
  /** Sessions loaded and warm. */
  ready: boolean;
  /**
   * SIGTERM received: readiness answers 503 and every answer closes its connection; requests still
   * read are served when they can be answered before `drainDeadline`.
   */
  draining: boolean;
  /** When the drain's grace period ends (clock ms); +Infinity until SIGTERM. */
  drainDeadline: number;
  /** Requests between arrival and answer. */
  inProgress: number;
}

/** An inference request not answered yet, as the drain sees it. */
export interface PendingCall {
  /** Answers `err` now (if nothing was answered yet) and withdraws its queued work. */
  giveUp(err: HttpError): void;
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
  /** Body bytes being read or decoded, all requests together (--max-body-bytes-in-flight). */
  bodies: BodyBudget;
  /** The inference requests in progress: what the drain answers 503 when its grace period ends. */
  calls: Set<PendingCall>;
  /** Called whenever the last in-progress request is answered (the drain waits on it). */
  onIdle?: () => void;
}
