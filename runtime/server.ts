/**
 * The serving runtime's entry: `node server.js BENTO_DIR [options]` (or BENTOCI_BENTO_DIR). Reads
 * the bento or model entry, merges configuration, serves until SIGTERM or SIGINT, drains
 * (runtime/drain.ts), exits 0: 1 when start-up failed, with the reason as a JSON log line, or when the
 * drain had to cut a connection with a request on it unanswered.
 */
import { startRuntime } from './app.js';
import { parseCommandLine, resolveConfig, USAGE } from './config.js';
import { RuntimeStartError } from './errors.js';
import { createLogger } from './log.js';
import { loadService } from './service/load.js';

async function main(): Promise<void> {
  let log = createLogger((process.env['BENTOCI_LOG_LEVEL'] as 'info') ?? 'info');
  try {
    const commandLine = parseCommandLine(process.argv.slice(2), process.env);
    if (commandLine.help) {
      process.stdout.write(`${USAGE}\n`);
      return;
    }
    const service = await loadService(commandLine.path);
    // bento.yaml `envs` apply unless the environment already sets them.
    for (const { name, value } of service.envs)
      if (process.env[name] === undefined) process.env[name] = value;
    const config = resolveConfig(commandLine.flags, process.env);
    log = createLogger(config.logLevel);
    const runtime = await startRuntime({
      service,
      config,
      log,
      workerUrl: new URL('./worker.js', import.meta.url),
    });
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      log.info('signal received', { signal });
      runtime.drain().then((complete) => process.exit(complete ? 0 : 1));
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
    await runtime.ready;
  } catch (err) {
    const message =
      err instanceof RuntimeStartError
        ? err.message
        : `unexpected error: ${(err as Error)?.stack ?? String(err)}`;
    log.error(message);
    process.exit(1);
  }
}

await main();
