/**
 * esbuild for bundling service modules. Its JavaScript API runs a native binary found relative to
 * its package, so it cannot live inside bentoci's own bundles (dist/): it is resolved at run time,
 * from bentoci's installation first, then from the project being built (a TypeScript project that
 * writes hooks usually has it: `npm i -D esbuild`), and last the WebAssembly build that
 * scripts/build.mjs copies beside the bundles (dist/esbuild-wasm/): an action's checkout has no
 * node_modules, and the user's project need not install esbuild. Slower to start (docs/benchmarks.md).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { UsageError } from '../core/errors.js';

export type Esbuild = typeof import('esbuild');

const cache = new Map<string, Promise<Esbuild>>();

export function loadEsbuild(context: string): Promise<Esbuild> {
  let loading = cache.get(context);
  if (!loading) {
    loading = load(context);
    cache.set(context, loading);
    loading.catch(() => cache.delete(context));
  }
  return loading;
}

async function load(context: string): Promise<Esbuild> {
  const bases = [import.meta.url, pathToFileURL(join(context, 'package.json')).href];
  for (const base of bases) {
    let entry: string;
    try {
      entry = createRequire(base).resolve('esbuild');
    } catch {
      continue;
    }
    return importEsbuild(pathToFileURL(entry).href);
  }
  // Beside the bundle in dist/ (the loader is bundled into a file at dist/'s top level).
  const wasm = new URL('./esbuild-wasm/lib/main.js', import.meta.url);
  if (existsSync(fileURLToPath(wasm))) return importEsbuild(wasm.href);
  throw new UsageError(
    `bundling a service module needs esbuild, which is not installed with bentoci or in ${context}: run \`npm i -D esbuild\` in the project, or declare the service in bentofile.yaml`,
  );
}

async function importEsbuild(url: string): Promise<Esbuild> {
  // A computed URL, so bundlers of bentoci leave the import alone.
  const mod = (await import(url)) as Esbuild & { default?: Esbuild };
  return typeof mod.build === 'function' ? mod : mod.default!;
}
