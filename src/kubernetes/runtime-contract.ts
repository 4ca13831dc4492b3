/**
 * What the manifests rely on in the serving runtime (its settings table in src/shared/serve-settings.ts,
 * runtime/http/router.ts, runtime/metrics.ts), kept in one file so a change there is one edit here.
 * Variable names come from the settings table; a test checks them against the runtime's usage text.
 */
import { SERVE_DEFAULTS, type ServeSettingValues, serveSetting } from '../shared/serve-settings.js';

/** Health endpoints: live while the process runs; ready once models are loaded and warm, not while draining. */
export const PATHS = {
  live: '/livez',
  ready: '/readyz',
  metrics: '/metrics',
  v2Ready: '/v2/health/ready',
} as const;

/** The runtime's variable for a setting, from the table the runtime itself reads. */
const envOf = (key: keyof ServeSettingValues): string => serveSetting(key).env;

/** Environment variables of the runtime that the manifests set. */
export const ENV = {
  port: envOf('port'),
  workers: envOf('workers'),
  threads: envOf('threads'),
  drainTimeoutMs: envOf('drainTimeoutMs'),
  drainDelayMs: envOf('drainDelayMs'),
  /** Read by runtime/config.ts beside the table: where the bento (or a model directory) is. */
  bentoDir: 'BENTOCI_BENTO_DIR',
} as const;

/** Series the runtime exports on /metrics. */
export const METRICS = {
  latency: 'bentoci_request_duration_seconds',
  requests: 'bentoci_requests_total',
  queueDepth: 'bentoci_queue_depth',
} as const;

/**
 * Shutdown. Kubernetes removes a terminating pod from endpoints asynchronously, so the preStop hook
 * holds SIGTERM back until the endpoint update has reached every proxy; the runtime's own drain delay
 * (the same idea, for platforms without hooks) is then not needed and stays 0. On SIGTERM the
 * runtime turns /readyz to 503, serves every request it has read and exits within its drain timeout
 * (delay included); the grace period covers the hook and that whole drain.
 */
export const SHUTDOWN = {
  /** Seconds preStop waits: long enough for kube-proxy and ingress controllers to drop the endpoint. */
  preStopSeconds: 5,
  drainTimeoutMs: SERVE_DEFAULTS.drainTimeoutMs,
  /** Slack between the drain's end and SIGKILL, for the process to log and exit. */
  exitSlackSeconds: 5,
} as const;

/** terminationGracePeriodSeconds: preStop, then the whole drain, then time to exit. */
export function gracePeriodSeconds(drainTimeoutMs: number): number {
  return SHUTDOWN.preStopSeconds + Math.ceil(drainTimeoutMs / 1000) + SHUTDOWN.exitSlackSeconds;
}
