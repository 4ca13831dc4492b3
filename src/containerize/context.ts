/**
 * The build context, streamed as a tar straight from the files (no temp copy of large models):
 * the Dockerfile, the runtime bundle and its package files, and the bento split into models/ (one
 * layer per model) and the rest. Entries carry fixed owner, mode and mtime, so the same files give
 * the same layers on any machine.
 */
import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import tar from 'tar-stream';
import { BentoError } from '../core/errors.js';
import { listFiles } from '../core/files.js';
import { SIGNATURES_DIR } from '../core/store.js';
import type { BentoDeps } from './bento-files.js';
import { CONTEXT } from './layout.js';

export interface ContextInputs {
  dockerfile: string;
  bentoDir: string;
  /** The bundled runtime: a directory with server.js and worker.js (dist/runtime). */
  runtimeBundleDir: string;
  /** runtime/package.json and runtime/package-lock.json. */
  runtimePackageDir: string;
  /** A CA bundle for the deps stage's npm (TLS re-signed by a local CA, private registries). */
  caFile?: string | undefined;
  bentoDeps?: BentoDeps | undefined;
  /** Timestamp of every entry: SOURCE_DATE_EPOCH or the Unix epoch. */
  mtime?: Date;
}

type Source = { name: string; mode: number } & ({ path: string; size: number } | { content: Buffer });

export interface BuildContext {
  stream: NodeJS.ReadableStream;
  files: number;
  bytes: number;
}

/** Lists every entry first (so a missing file fails before the engine is called), then streams lazily. */
export async function buildContext(
  inputs: ContextInputs,
  onBytes: (n: number) => void = () => {},
): Promise<BuildContext> {
  const sources: Source[] = [text(CONTEXT.dockerfile, inputs.dockerfile)];
  for (const file of ['package.json', 'package-lock.json']) {
    sources.push(await fileSource(`${CONTEXT.deps}/${file}`, join(inputs.runtimePackageDir, file)));
  }
  if (inputs.caFile) sources.push(await fileSource(`${CONTEXT.deps}/${CONTEXT.caFile}`, inputs.caFile));
  for (const [name, content] of Object.entries(inputs.bentoDeps?.files ?? {})) {
    sources.push(text(`${CONTEXT.bentoDeps}/${name}`, content));
  }
  sources.push(...(await runtimeSources(inputs)));
  const bentoFiles = await listFiles(inputs.bentoDir, (rel) => rel === SIGNATURES_DIR);
  for (const rel of bentoFiles) {
    const name = rel.startsWith('models/') ? rel : `${CONTEXT.bento}/${rel}`;
    sources.push(await fileSource(name, join(inputs.bentoDir, rel)));
  }
  const bytes = sources.reduce((sum, s) => sum + ('content' in s ? s.content.length : s.size), 0);
  return { stream: pack(sources, inputs.mtime ?? new Date(0), onBytes), files: sources.length, bytes };
}

async function runtimeSources(inputs: ContextInputs): Promise<Source[]> {
  const names = await readdir(inputs.runtimeBundleDir).catch(() => [] as string[]);
  const scripts = names.filter((n) => n.endsWith('.js') || n.endsWith('.mjs')).sort();
  if (!scripts.includes('server.js')) {
    throw new BentoError(
      `the runtime bundle is missing: ${join(inputs.runtimeBundleDir, 'server.js')} does not exist (run \`npm run build\` in the bentoci checkout)`,
    );
  }
  const out: Source[] = [];
  for (const name of scripts)
    out.push(await fileSource(`${CONTEXT.runtime}/${name}`, join(inputs.runtimeBundleDir, name)));
  // The bundle is ESM in .js files: the runtime directory needs `"type": "module"` beside it.
  out.push(
    await fileSource(`${CONTEXT.runtime}/package.json`, join(inputs.runtimePackageDir, 'package.json')),
  );
  return out;
}

function text(name: string, content: string): Source {
  return { name, mode: 0o644, content: Buffer.from(content) };
}

async function fileSource(name: string, path: string): Promise<Source> {
  const info = await stat(path).catch(() => undefined);
  if (!info?.isFile()) throw new BentoError(`build context file ${path} is missing or not a regular file`);
  // Only the executable bit is kept: a setup script must stay runnable, nothing else varies.
  return { name, path, size: info.size, mode: info.mode & 0o111 ? 0o755 : 0o644 };
}

function pack(sources: Source[], mtime: Date, onBytes: (n: number) => void): NodeJS.ReadableStream {
  const archive = tar.pack();
  const header = (s: Source, size: number): Partial<tar.Header> & { name: string } => ({
    name: s.name,
    size,
    mode: s.mode,
    mtime,
    uid: 0,
    gid: 0,
    type: 'file',
  });
  void (async () => {
    for (const source of sources) {
      if ('content' in source) {
        await new Promise<void>((resolve, reject) =>
          archive.entry(header(source, source.content.length), source.content, (err) =>
            err ? reject(err) : resolve(),
          ),
        );
        onBytes(source.content.length);
        continue;
      }
      const entry = archive.entry(header(source, source.size));
      const done = new Promise<void>((resolve, reject) => {
        entry.on('finish', () => resolve());
        entry.on('error', reject);
      });
      for await (const chunk of createReadStream(source.path, { highWaterMark: 1 << 20 })) {
        onBytes((chunk as Buffer).length);
        if (!entry.write(chunk)) await once(entry as unknown as NodeJS.EventEmitter, 'drain');
      }
      entry.end(undefined);
      await done;
    }
    archive.finalize();
  })().catch((err: unknown) => archive.destroy(err as Error));
  return archive as unknown as NodeJS.ReadableStream;
}
