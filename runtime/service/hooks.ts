/** Imports a bento's service module (bento.yaml `service.module`, relative to src/) and checks its hooks. */
import { existsSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ApiHooks, ServiceHooks } from '../../src/shared/service.js';
import { RuntimeStartError } from '../errors.js';

const HOOK_NAMES = ['pre', 'post'] as const;

/** `file.js:name` -> the file and export name (the default export when no name is given). */
export function parseModuleSpec(spec: string): { file: string; exportName: string } {
  const colon = spec.lastIndexOf(':');
  if (colon > 0 && !/^[A-Za-z]:[\\/]/.test(spec.slice(colon - 1))) {
    return { file: spec.slice(0, colon), exportName: spec.slice(colon + 1) || 'default' };
  }
  return { file: spec, exportName: 'default' };
}

export async function loadHooks(
  bentoDir: string,
  spec: string,
  apiNames: readonly string[],
): Promise<ServiceHooks> {
  const { file, exportName } = parseModuleSpec(spec);
  const srcDir = join(bentoDir, 'src');
  const path = resolve(srcDir, file);
  const back = relative(srcDir, path);
  if (back.startsWith('..') || isAbsolute(back))
    throw new RuntimeStartError(`service module "${spec}" points outside ${srcDir}`);
  if (!existsSync(path)) {
    const hint = /\.[cm]?ts$/.test(file)
      ? ' (a TypeScript service is compiled to .js when the bento is built: build it again)'
      : '';
    throw new RuntimeStartError(`service module ${path} is missing${hint}`);
  }
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (err) {
    throw new RuntimeStartError(`service module ${path} failed to load: ${(err as Error).message}`);
  }
  const hooks = mod[exportName];
  if (typeof hooks !== 'object' || hooks === null) {
    throw new RuntimeStartError(
      `service module ${path} has no object export "${exportName}" (expected { apis: { <api>: { pre, post } } })`,
    );
  }
  return checkHooks(hooks as ServiceHooks, path, apiNames);
}

function checkHooks(hooks: ServiceHooks, path: string, apiNames: readonly string[]): ServiceHooks {
  for (const name of ['setup', 'shutdown'] as const) {
    if (hooks[name] !== undefined && typeof hooks[name] !== 'function') {
      throw new RuntimeStartError(`service module ${path}: "${name}" must be a function`);
    }
  }
  for (const [api, entry] of Object.entries(hooks.apis ?? {})) {
    if (!apiNames.includes(api)) {
      throw new RuntimeStartError(
        `service module ${path} has hooks for API "${api}", which the bento does not define (APIs: ${apiNames.join(', ')})`,
      );
    }
    for (const hook of HOOK_NAMES) {
      const fn = (entry as ApiHooks | undefined)?.[hook];
      if (fn !== undefined && typeof fn !== 'function') {
        throw new RuntimeStartError(`service module ${path}: apis.${api}.${hook} must be a function`);
      }
    }
  }
  return hooks;
}
