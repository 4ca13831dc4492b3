/**
 * Runs the serving runtime for a resolved target as a child process: `node dist/runtime/server.js
 * DIR ...`. A child rather than in-process because it is then exactly what images run (same entry,
 * flags, environment and logs), the runtime owns its process (SIGTERM drain, exit code) and its
 * worker threads find worker.js beside server.js, and the CLI never loads ONNX Runtime itself.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BentoError } from '../core/errors.js';
import { type ServeSettingsGiven, serveSettingArgs } from '../shared/serve-settings.js';

/** dist/runtime/server.js beside the bundled CLI (dist/cli.js), or from the sources' checkout. */
export function runtimeServerPath(env: NodeJS.ProcessEnv = process.env): string {
  const candidates = [
    env['BENTOCI_RUNTIME_SERVER'],
    fileURLToPath(new URL('./runtime/server.js', import.meta.url)),
    fileURLToPath(new URL('../../dist/runtime/server.js', import.meta.url)),
  ].filter((p): p is string => Boolean(p));
  const found = candidates.find((p) => existsSync(p));
  if (!found)
    throw new BentoError(
      `the serving runtime is missing (looked for ${candidates.join(', ')}); run \`npm run build\``,
    );
  return found;
}

/**
 * Serves until the runtime exits; SIGINT and SIGTERM are passed on so it drains. Resolves its exit
 * code. The settings become the runtime's flags, written from the settings table.
 */
export function runRuntime(
  dir: string,
  settings: ServeSettingsGiven,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const args = [runtimeServerPath(env), dir, ...serveSettingArgs(settings)];
  const child = spawn(process.execPath, args, { stdio: 'inherit', env });
  const forward = (signal: NodeJS.Signals) => () => {
    if (child.exitCode === null) child.kill(signal);
  };
  const onInt = forward('SIGINT');
  const onTerm = forward('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  return new Promise((resolve, reject) => {
    child.once('error', (err) => reject(new BentoError(`cannot start the serving runtime: ${err.message}`)));
    child.once('exit', (code, signal) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}
