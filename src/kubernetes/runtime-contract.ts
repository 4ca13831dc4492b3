/**
 * What the manifests rely on in the serving runtime (runtime/config.ts, runtime/http/router.ts,
 * runtime/metrics.ts), kept in one file so a change there is one edit here. A test checks every
 * variable named below against the runtime's own usage text.
 */

/** Health endpoints: live while the process runs; ready once models are loaded and warm, not while draining. */
export const PATHS = {
  live: '/livez',
  ready: '/readyz',
  metrics: '/metrics',
  v2Ready: '/v2/health/ready',
} as const;

/** Environment variables of the runtime that the manifests set. */
export const ENV = {
  port: 'BENTOCI_PORT',
  workers: 'BENTOCI_WORKERS',
  threads: 'BENTOCI_THREADS',
  drainTimeoutMs: 'BENTOCI_DRAIN_TIMEOUT_MS',
  bentoDir: 'BENTOCI_BENTO_DIR',
} as const;

/** Series the runtime exports on /metrics. */
export const METRICS = {
  latency: 'bentoci_request_duration_seconds',
  requests: 'bentoci_requests_total',
  queueDepth: 'bentoci_queue_depth',
} as const;

/**
 * Shutdown: on SIGTERM the runtime turns /readyz to 503, refuses new requests and finishes accepted
 * ones within the drain timeout. Kubernetes removes the pod from endpoints asynchronously, so the
 * preStop hook keeps the old pod serving until the endpoint update has reached every proxy; only
 * then does SIGTERM start the drain.
 */
export const SHUTDOWN = {
  /** Seconds preStop waits: long enough for kube-proxy and ingress controllers to drop the endpoint. */
  preStopSeconds: 5,
  /** The runtime's default drain (runtime/config.ts DEFAULTS.drainTimeoutMs). */
  drainTimeoutMs: 30_000,
  /** Slack between the drain's end and SIGKILL, for the process to log and exit. */
  exitSlackSeconds: 5,
} as const;

/** terminationGracePeriodSeconds: preStop, then the whole drain, then time to exit. */
export function gracePeriodSeconds(drainTimeoutMs: number): number {
  return SHUTDOWN.preStopSeconds + Math.ceil(drainTimeoutMs / 1000) + SHUTDOWN.exitSlackSeconds;
}
