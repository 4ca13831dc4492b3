import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** The store home: `$BENTOCI_HOME`, or `~/bentoci` as BentoML uses `~/bentoml`. */
export function bentociHome(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env['BENTOCI_HOME'];
  return fromEnv ? resolve(fromEnv) : join(homedir(), 'bentoci');
}
