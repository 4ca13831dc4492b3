import type { Command } from 'commander';
import { z } from 'zod';
import { parseDuration } from '../canary/duration.js';
import { startJudgeServer } from '../canary/judge-server.js';
import { PrometheusRangeClient } from '../canary/prometheus-range.js';
import { loadThresholds } from '../canary/thresholds.js';
import { UsageError } from '../core/errors.js';
import { parsePositiveInt } from './options.js';
import { info } from './output.js';
import { action } from './program.js';

const flagsSchema = z.object({
  prometheus: z.string(),
  thresholds: z.string().optional(),
  host: z.string(),
  port: z.number().int().min(0).max(65535),
  window: z.string(),
  minRequests: z.number().int().positive(),
});

function parsePort(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new UsageError(`invalid --port "${value}": expected 0-65535`);
  return n;
}

/** `bentoci canary judge-server`: the PR gate's judge for Argo Rollouts and Flagger analyses. */
export function registerJudgeServerCommand(program: Command): void {
  const canary = program.commands.find((c) => c.name() === 'canary') ?? program;
  canary
    .command('judge-server')
    .description(
      'answer Argo Rollouts (Web metric) and Flagger (webhook) analyses with the canary judge over Prometheus data',
    )
    .requiredOption(
      '--prometheus <url>',
      'Prometheus base URL, e.g. http://prometheus.monitoring.svc:9090 (Authorization header from $BENTOCI_PROMETHEUS_AUTHORIZATION)',
    )
    .option('--thresholds <file>', 'the same thresholds file as the PR gate (docs/canary.md)')
    .option('--host <address>', 'address to listen on', '0.0.0.0')
    .option('--port <n>', 'port (0 picks a free one)', parsePort, 8080)
    .option('--window <time>', 'window judged when a request names none', '5m')
    .option(
      '--min-requests <n>',
      'fewer requests than this on a side answer inconclusive',
      parsePositiveInt('--min-requests'),
      50,
    )
    .action(
      action(async (raw: unknown) => {
        const flags = flagsSchema.parse(raw);
        if (!/^https?:\/\/\S+$/.test(flags.prometheus))
          throw new UsageError(`invalid --prometheus "${flags.prometheus}": expected http(s)://host:port`);
        const thresholds = await loadThresholds(flags.thresholds);
        // From the environment, not a flag: a token in the command line shows in `ps` and the pod spec.
        const authorization = process.env['BENTOCI_PROMETHEUS_AUTHORIZATION'];
        const server = await startJudgeServer({
          prometheus: new PrometheusRangeClient({
            url: flags.prometheus,
            ...(authorization ? { headers: { authorization } } : {}),
          }),
          thresholds,
          minRequests: flags.minRequests,
          defaultWindowMs: parseDuration(flags.window, 'window'),
          host: flags.host,
          port: flags.port,
          log: info,
        });
        info(`judge server listening on ${server.url} (Prometheus ${flags.prometheus})`);
        const stop = () => void server.close().then(() => process.exit(0));
        process.once('SIGTERM', stop);
        process.once('SIGINT', stop);
        await new Promise<void>((resolve) => server.server.once('close', () => resolve()));
      }),
    );
}
