/**
 * Where archives come from and go to: a file, stdin/stdout (`-`), or an http(s):// URL. Reads and
 * writes are streams end to end; a file destination is written beside its final name and renamed
 * into place, so a failed export never leaves a partial archive under the name asked for.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { rename, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BentoError, UsageError } from '../errors.js';
import { removeQuietly } from '../files.js';
import { displayUrl, httpGet, httpPut, withRetries } from './http.js';

export type ArchiveLocation = { kind: 'file'; path: string } | { kind: 'stdio' } | { kind: 'url'; url: URL };

const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;
const CHUNK = 1 << 20;

/** Parses a file path, `-` or an http(s):// URL; `flag` names the input in messages. */
export function parseLocation(text: string, flag: string): ArchiveLocation {
  if (text === '-') return { kind: 'stdio' };
  if (SCHEME.test(text)) {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw new UsageError(`invalid ${flag} "${text}": not a valid URL`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new UsageError(`invalid ${flag} "${text}": expected a file path, - or an http(s):// URL`);
    }
    return { kind: 'url', url };
  }
  if (text.length === 0)
    throw new UsageError(`invalid ${flag} "": expected a file path, - or an http(s):// URL`);
  return { kind: 'file', path: resolve(text) };
}

export function describeLocation(location: ArchiveLocation, stdio: 'stdin' | 'stdout'): string {
  if (location.kind === 'stdio') return stdio;
  if (location.kind === 'url') return displayUrl(location.url);
  return location.path;
}

/** An export destination; an existing directory (or none given) receives `defaultName`. */
export async function resolveDestination(
  text: string | undefined,
  defaultName: string,
): Promise<ArchiveLocation> {
  if (text === undefined) return { kind: 'file', path: resolve(defaultName) };
  const location = parseLocation(text, 'destination');
  if (location.kind === 'file' && (await stat(location.path).catch(() => undefined))?.isDirectory()) {
    return { kind: 'file', path: join(location.path, defaultName) };
  }
  return location;
}

export interface OpenedSource {
  stream: Readable;
  /** Bytes to expect, when the source says (file size, Content-Length). */
  size?: number;
}

export async function openSource(location: ArchiveLocation, signal?: AbortSignal): Promise<OpenedSource> {
  if (location.kind === 'stdio') {
    if (process.stdin.isTTY)
      throw new UsageError('refusing to read an archive from a terminal: pipe one into stdin or pass a file');
    return { stream: process.stdin };
  }
  if (location.kind === 'url') {
    const { body, size } = await httpGet(location.url, signal);
    return { stream: body, ...(size !== undefined ? { size } : {}) };
  }
  const info = await stat(location.path).catch(() => undefined);
  if (!info) throw new UsageError(`archive "${location.path}" does not exist`);
  if (!info.isFile()) throw new UsageError(`archive "${location.path}" is not a file`);
  return {
    stream: createReadStream(location.path, { highWaterMark: CHUNK, ...(signal ? { signal } : {}) }),
    size: info.size,
  };
}

export interface WriteOptions {
  contentType: string;
  signal?: AbortSignal;
  log?: (line: string) => void;
}

/**
 * Streams the archive that `produce` makes into `location` and returns the bytes written. A URL
 * upload that fails with a transient error is retried with a freshly produced archive.
 */
export async function writeArchive(
  location: ArchiveLocation,
  produce: () => Readable,
  options: WriteOptions,
): Promise<number> {
  try {
    if (location.kind === 'stdio') return await toStdout(produce, options.signal);
    if (location.kind === 'url') return await toUrl(location.url, produce, options);
    return await toFile(location.path, produce, options.signal);
  } catch (err) {
    throw describeWriteFailure(err, location);
  }
}

function counter(): {
  count: (source: AsyncIterable<Buffer>) => AsyncGenerator<Buffer>;
  bytes: () => number;
} {
  let bytes = 0;
  return {
    count: async function* (source) {
      for await (const chunk of source) {
        bytes += chunk.length;
        yield chunk;
      }
    },
    bytes: () => bytes,
  };
}

async function toStdout(produce: () => Readable, signal?: AbortSignal): Promise<number> {
  if (process.stdout.isTTY) {
    throw new UsageError('refusing to write an archive to a terminal: redirect stdout or pass a file');
  }
  const { count, bytes } = counter();
  await pipeline(produce(), count, process.stdout, { signal });
  return bytes();
}

async function toUrl(url: URL, produce: () => Readable, options: WriteOptions): Promise<number> {
  const { signal } = options;
  return withRetries(
    async () => {
      const { count, bytes } = counter();
      const put = httpPut(url, options.contentType, signal);
      const [sent, answered] = await Promise.allSettled([
        pipeline(produce(), count, put.body, { signal }),
        put.done,
      ]);
      // The server's refusal explains more than the broken pipe it causes on our side.
      if (
        answered.status === 'rejected' &&
        sent.status === 'rejected' &&
        !(sent.reason instanceof BentoError)
      ) {
        throw describeWriteFailure(answered.reason, { kind: 'url', url });
      }
      if (sent.status === 'rejected') throw describeWriteFailure(sent.reason, { kind: 'url', url });
      if (answered.status === 'rejected') throw describeWriteFailure(answered.reason, { kind: 'url', url });
      return bytes();
    },
    {
      ...(signal ? { signal } : {}),
      ...(options.log ? { log: options.log } : {}),
    },
  );
}

/** Written beside the target and renamed into place, so a failure never leaves a partial archive. */
async function toFile(path: string, produce: () => Readable, signal?: AbortSignal): Promise<number> {
  const partial = `${path}.${process.pid}.partial`;
  const { count, bytes } = counter();
  try {
    await pipeline(produce(), count, createWriteStream(partial, { flags: 'wx', highWaterMark: CHUNK }), {
      signal,
    });
    await rename(partial, path);
  } catch (err) {
    await removeQuietly(partial);
    throw err;
  }
  return bytes();
}

function describeWriteFailure(err: unknown, location: ArchiveLocation): unknown {
  if (err instanceof BentoError) return err;
  const message = (err as Error)?.message ?? String(err);
  const code = (err as NodeJS.ErrnoException)?.code;
  if (location.kind === 'stdio') {
    const why = code === 'EPIPE' ? 'the reading end of the pipe closed early' : message;
    return new BentoError(`cannot write the archive to stdout: ${why}`, { cause: err });
  }
  if (location.kind === 'url') {
    return new BentoError(`cannot upload the archive to ${displayUrl(location.url)}: ${message}`, {
      cause: err,
    });
  }
  const missingDir = code === 'ENOENT' && (err as NodeJS.ErrnoException).path?.endsWith('.partial');
  const why = missingDir ? `directory ${dirname(location.path)} does not exist` : message;
  return new BentoError(`cannot write archive "${location.path}": ${why}`, { cause: err });
}
