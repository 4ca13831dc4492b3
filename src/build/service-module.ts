/**
 * A service given as a module (`service: "src/service.ts:svc"`): bundled with esbuild into one ESM
 * file for the bento's src/, then imported once at build time to read the APIs it declares. At run
 * time the runtime imports the same bundle for its hooks (src/shared/service.ts).
 */
import { randomBytes } from 'node:crypto';
import { unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BuildFailure } from 'esbuild';
import { z } from 'zod';
import { UsageError } from '../core/errors.js';
import type { ApiHooks, ServiceHooks } from '../shared/service.js';
import {
  type ApiConfig,
  apiConfigSchema,
  type BatchingConfig,
  type WarmupConfig,
} from './bentofile-schema.js';
import { contextFile } from './context-path.js';
import { loadEsbuild } from './esbuild-loader.js';
import { describe, describeIssue, flattenIssues } from './issues.js';

/** What a service module exports: the runtime's hooks plus the APIs the build needs to know. */
export interface ServiceDefinition extends ServiceHooks {
  /** The service (and default bento) name. */
  name?: string;
  description?: string;
  labels?: Record<string, string>;
  apis: Record<string, DeclaredApi>;
}

/** An API as a module declares it: the bentofile's API fields (its name is the key) and hooks. */
export interface DeclaredApi extends ApiHooks {
  model: string;
  route?: string;
  method?: string;
  batching?: BatchingConfig;
  /** Sample inputs for the runtime's warm-up; a file path is relative to the build context. */
  warmup?: WarmupConfig;
}

const fn = z.custom<(...args: unknown[]) => unknown>((v) => typeof v === 'function', {
  error: 'expected a function',
});
const declaredApiSchema = apiConfigSchema
  .omit({ name: true })
  .extend({ pre: fn.optional(), post: fn.optional() });
const serviceDefinitionSchema = z.strictObject({
  name: apiConfigSchema.shape.name.optional(),
  description: z.string().optional(),
  labels: z.record(z.string().min(1), z.string()).optional(),
  setup: fn.optional(),
  shutdown: fn.optional(),
  apis: z.record(apiConfigSchema.shape.name, declaredApiSchema),
});

export interface ServiceModuleRef {
  /** Path of the module relative to the build context, `/`-separated. */
  path: string;
  /** The export holding the service; `default` when the reference names none. */
  exportName: string;
}

export function parseServiceRef(text: string): ServiceModuleRef {
  const colon = text.lastIndexOf(':');
  return colon < 0
    ? { path: text, exportName: 'default' }
    : { path: text.slice(0, colon), exportName: text.slice(colon + 1) };
}

export interface CompiledService {
  /** The bundle, for `src/<file>` in the bento. */
  file: string;
  code: string;
  /** bento.yaml `service.module`: `<file>:<export>`, relative to src/. */
  module: string;
  name?: string;
  description?: string;
  labels?: Record<string, string>;
  apis: ApiConfig[];
  /** API names with a `pre` / `post` hook. */
  preHooks: Set<string>;
  postHooks: Set<string>;
}

export interface CompileOptions {
  context: string;
  ref: ServiceModuleRef;
  /** npm packages installed beside the bento at run time: imported, not bundled. */
  external: string[];
  /** `bentofile.yaml:3:10`, where the service is named. */
  where: string;
}

export async function compileServiceModule(options: CompileOptions): Promise<CompiledService> {
  const { context, ref, where } = options;
  // Checked after symlinks; bundled by the path as written, so esbuild's messages read as the project.
  await contextFile({
    context,
    rel: ref.path,
    where: `${where}: service`,
    noun: 'module',
    missing: `not found in ${context}: create it or fix the path`,
  });
  const entry = resolve(context, ref.path);
  const file = `${basename(ref.path, extname(ref.path))}.mjs`;
  const code = await bundle(entry, context, options.external, ref.path);
  const exported = await importExport(code, entry, ref);
  const parsed = serviceDefinitionSchema.safeParse(exported, { reportInput: true });
  const label = `${ref.path} (export "${ref.exportName}")`;
  if (!parsed.success) {
    const issue = flattenIssues(parsed.error.issues)[0]!;
    throw new UsageError(describeIssue({ schema: serviceDefinitionSchema, locate: () => label }, issue));
  }
  const definition = parsed.data;
  const apis = Object.entries(definition.apis).map(([name, api]) => {
    const { pre: _pre, post: _post, ...fields } = api;
    return apiConfigSchema.parse({ name, ...fields });
  });
  if (apis.length === 0)
    throw new UsageError(
      `${label}: apis is empty: declare at least one API (name: { model: "iris:latest" })`,
    );
  return {
    file,
    code,
    module: `${file}:${ref.exportName}`,
    ...(definition.name ? { name: definition.name } : {}),
    ...(definition.description ? { description: definition.description } : {}),
    ...(definition.labels ? { labels: definition.labels } : {}),
    apis,
    preHooks: new Set(Object.keys(definition.apis).filter((name) => definition.apis[name]!.pre)),
    postHooks: new Set(Object.keys(definition.apis).filter((name) => definition.apis[name]!.post)),
  };
}

async function bundle(entry: string, context: string, external: string[], shown: string): Promise<string> {
  const esbuild = await loadEsbuild(context);
  try {
    const result = await esbuild.build({
      entryPoints: [entry],
      absWorkingDir: context,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      write: false,
      outfile: join(context, 'bundle.mjs'),
      external: ['onnxruntime-node', ...external.flatMap((name) => [name, `${name}/*`])],
      // CommonJS dependencies call require() for Node built-ins and read __dirname; ESM output has
      // neither. `define` only replaces free uses, so a module that declares its own keeps it.
      define: { __dirname: 'import.meta.dirname', __filename: 'import.meta.filename' },
      banner: {
        js: "import { createRequire as __bentociCreateRequire } from 'node:module'; const require = __bentociCreateRequire(import.meta.url);",
      },
      legalComments: 'none',
      sourcemap: false,
      logLevel: 'silent',
    });
    const output = result.outputFiles[0];
    if (!output) throw new Error('esbuild wrote no output');
    return output.text;
  } catch (err) {
    const first = (err as Partial<BuildFailure>).errors?.[0];
    if (first) {
      const at = first.location
        ? `${first.location.file}:${first.location.line}:${first.location.column + 1}`
        : shown;
      throw new UsageError(
        `${at}: service module ${shown} does not compile: ${first.text}; fix it, or list the package in node.packages if it is installed at run time`,
      );
    }
    throw err;
  }
}

/**
 * Imports the bundle to read the export. It is written beside the source for the import (as Vite
 * loads its config) so packages left external resolve from the project's node_modules, then removed.
 */
async function importExport(code: string, entry: string, ref: ServiceModuleRef): Promise<unknown> {
  const name = `.${basename(entry)}.bentoci-${process.pid}-${randomBytes(4).toString('hex')}.mjs`;
  let temp = join(dirname(entry), name);
  try {
    await writeFile(temp, code);
  } catch {
    temp = join(tmpdir(), name);
    await writeFile(temp, code);
  }
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(temp).href)) as Record<string, unknown>;
  } catch (err) {
    throw new UsageError(
      `service module ${ref.path} fails to load: ${(err as Error).message.split('\n')[0]}; fix the module or install what it imports`,
    );
  } finally {
    await unlink(temp).catch(() => undefined);
  }
  if (!(ref.exportName in mod)) {
    const names = Object.keys(mod).join(', ') || 'nothing';
    throw new UsageError(
      `service module ${ref.path} has no export "${ref.exportName}" (it exports ${names}): export the service or fix the name after ":"`,
    );
  }
  const value = mod[ref.exportName];
  if (typeof value !== 'object' || value === null) {
    throw new UsageError(
      `service module ${ref.path}: export "${ref.exportName}" is ${describe(value)}: export an object with apis`,
    );
  }
  return value;
}
