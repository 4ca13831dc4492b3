/**
 * Baseline and candidate: what options `baseline` and `candidate` name, and getting each to answer on a URL.
 *
 *   http(s)://host:port          a running service; used as is
 *   bento:NAME[:V], model:NAME[:V]  an entry of the local store, served by a runtime process
 *   ./dir, /abs/dir              a bento or model directory, served by a runtime process
 *   image:REF, docker://REF      an image on the Docker engine, run as a container (pulled if absent)
 *   oci://host/repo:tag          an image in a registry: pulled, run, and promotable by digest
 *   NAME[:V]                     the bento store first, then the model store
 *
 * Started targets listen on 127.0.0.1 only and are stopped when the run ends.
 */
import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type Docker from 'dockerode';
import YAML from 'yaml';
import { BentoError, OptionError } from '../core/errors.js';
import type { EntryInfo, EntryStore, StoredEntry } from '../core/store.js';
import { formatTag } from '../core/tag.js';
import { option, say } from '../core/user-text.js';
import { parseImageReference, parseOciUrl, type Reference } from '../oci/reference.js';
import { type BentoInfo, bentoInfoSchema, type ModelInfo, modelInfoSchema } from '../shared/schemas.js';
import { launchContainer } from './launch-container.js';
import { launchRuntimeProcess } from './launch-process.js';
import type { ApiSpec } from './requests.js';

export type TargetRef =
  | { kind: 'url'; text: string; url: string }
  | { kind: 'store'; text: string; store: 'bento' | 'model' | 'any'; tag: string }
  | { kind: 'dir'; text: string; dir: string }
  | { kind: 'image'; text: string; image: string; registry?: Reference };

/** Which side a target is: also the key of the option that names it. */
export type Side = 'baseline' | 'candidate';

function invalid(side: Side, text: string, problem: string): OptionError {
  return new OptionError(side, say`invalid ${option(side)} "${text}": ${problem}`);
}

export function parseTargetRef(text: string, side: Side): TargetRef {
  const value = text.trim();
  if (value === '') throw invalid(side, '', 'name a URL, bento, model, directory or image');
  if (/^https?:\/\//.test(value)) {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw invalid(side, text, 'not a URL');
    }
    return { kind: 'url', text, url: url.toString().replace(/\/+$/, '') };
  }
  if (value.startsWith('oci://')) {
    const registry = parseOciUrl(value, side);
    if (!registry.tag && !registry.digest) throw invalid(side, text, 'add a :tag or @sha256:<digest>');
    const image = `${registry.registry}/${registry.repository}${registry.digest ? `@${registry.digest}` : `:${registry.tag}`}`;
    return { kind: 'image', text, image, registry };
  }
  for (const prefix of ['image:', 'docker://']) {
    if (value.startsWith(prefix)) {
      const image = value.slice(prefix.length);
      const ref = parseImageReference(image, side);
      return { kind: 'image', text, image, ...(ref.registry !== 'docker.io' ? { registry: ref } : {}) };
    }
  }
  if (value.startsWith('bento:')) return { kind: 'store', text, store: 'bento', tag: value.slice(6) };
  if (value.startsWith('model:')) return { kind: 'store', text, store: 'model', tag: value.slice(6) };
  if (/^(\.{1,2}\/|\/|~)/.test(value) || value === '.') return { kind: 'dir', text, dir: resolve(value) };
  if (value.includes('/')) {
    const ref = parseImageReference(value, side);
    return { kind: 'image', text, image: value, ...(ref.registry !== 'docker.io' ? { registry: ref } : {}) };
  }
  return { kind: 'store', text, store: 'any', tag: value };
}

/** A target answering on `url`, with what is known of its APIs and identity. */
export interface RunningTarget {
  ref: TargetRef;
  url: string;
  /** Human name: `bento iris:abc`, `image ghcr.io/x:pr-1`, `http://...`. */
  description: string;
  apis: ApiSpec[];
  /** Content identity when known: the entry's digest or the image id. */
  identity?: string;
  stop(): Promise<void>;
}

export interface TargetEnvironment {
  bentos: EntryStore<BentoInfo>;
  models: EntryStore<ModelInfo>;
  /** Connects to the engine on first use, so runs without images need none. */
  docker: () => Promise<Docker>;
  readyTimeoutMs: number;
  /** Extra environment for started sides (runtime settings such as BENTOCI_MAX_LATENCY_MS). */
  env?: Record<string, string>;
  /** Called with each resolved entry before it is started (the verify policy). */
  beforeStart?: (target: VerifiableTarget) => Promise<void>;
  log?: (line: string) => void;
  signal?: AbortSignal;
}

export type VerifiableTarget =
  | { type: 'entry'; store: EntryStore<EntryInfo>; entry: StoredEntry<EntryInfo> }
  | { type: 'image'; ref: Reference }
  | { type: 'unverifiable'; description: string };

export function apisOfBento(info: BentoInfo): ApiSpec[] {
  return info.service.apis.map((api) => ({ name: api.name, route: api.route, inputs: api.input }));
}

/** A model served alone: the runtime's one API, named after the model, at POST /predict, calling "run". */
export function apisOfModel(info: ModelInfo): ApiSpec[] {
  const method = info.signatures['run'] ? 'run' : Object.keys(info.signatures)[0];
  const signature = method ? info.signatures[method] : undefined;
  return signature ? [{ name: info.name, route: '/predict', inputs: signature.inputs }] : [];
}

async function readDirInfo(
  dir: string,
  side: Side,
): Promise<{ kind: 'bento'; info: BentoInfo } | { kind: 'model'; info: ModelInfo }> {
  const st = await stat(dir).catch(() => undefined);
  if (!st?.isDirectory()) throw invalid(side, dir, 'not a directory (pass a bento or model directory)');
  for (const [file, kind, schema] of [
    ['bento.yaml', 'bento', bentoInfoSchema],
    ['model.yaml', 'model', modelInfoSchema],
  ] as const) {
    const text = await readFile(join(dir, file), 'utf8').catch(() => undefined);
    if (text === undefined) continue;
    const parsed = schema.safeParse(YAML.parse(text));
    if (!parsed.success)
      throw invalid(
        side,
        dir,
        `${file} is not valid (${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message})`,
      );
    return kind === 'bento'
      ? { kind, info: parsed.data as BentoInfo }
      : { kind, info: parsed.data as ModelInfo };
  }
  throw invalid(side, dir, 'holds neither bento.yaml nor model.yaml');
}

async function findEntry(
  ref: Extract<TargetRef, { kind: 'store' }>,
  env: TargetEnvironment,
  side: Side,
): Promise<
  { kind: 'bento'; entry: StoredEntry<BentoInfo> } | { kind: 'model'; entry: StoredEntry<ModelInfo> }
> {
  if (ref.store !== 'model') {
    const entry = ref.store === 'bento' ? await env.bentos.get(ref.tag) : await env.bentos.find(ref.tag);
    if (entry) return { kind: 'bento', entry };
  }
  if (ref.store !== 'bento') {
    const entry = ref.store === 'model' ? await env.models.get(ref.tag) : await env.models.find(ref.tag);
    if (entry) return { kind: 'model', entry };
  }
  throw invalid(
    side,
    ref.text,
    `no bento or model of that tag in the store (for an image write image:${ref.tag}; for a service, its http:// URL)`,
  );
}

/** A side resolved and checked (store lookup, signature policy), ready to start. */
interface PreparedTarget {
  start(): Promise<RunningTarget>;
}

/** Resolves one side without starting anything, so a bad second side fails before the first starts. */
async function prepareTarget(ref: TargetRef, side: Side, env: TargetEnvironment): Promise<PreparedTarget> {
  const what = side;
  if (ref.kind === 'url') {
    await env.beforeStart?.({ type: 'unverifiable', description: ref.url });
    return {
      start: async () => ({ ref, url: ref.url, description: ref.url, apis: [], stop: async () => undefined }),
    };
  }
  if (ref.kind === 'image') {
    await env.beforeStart?.(
      ref.registry
        ? { type: 'image', ref: ref.registry }
        : { type: 'unverifiable', description: `image ${ref.image}` },
    );
    return {
      start: async () => {
        const started = await launchContainer({
          docker: await env.docker(),
          image: ref.image,
          what: `${what} image ${ref.image}`,
          readyTimeoutMs: env.readyTimeoutMs,
          pull: true,
          ...(env.env ? { env: env.env } : {}),
          ...(env.log ? { log: env.log } : {}),
          ...(env.signal ? { signal: env.signal } : {}),
        });
        return {
          ref,
          url: started.url,
          description: `image ${ref.image}`,
          apis: started.bento ? apisOfBento(started.bento) : [],
          identity: ref.registry?.digest ?? started.imageId,
          stop: started.stop,
        };
      },
    };
  }
  let dir: string;
  let apis: ApiSpec[];
  let description: string;
  let identity: string;
  if (ref.kind === 'dir') {
    const found = await readDirInfo(ref.dir, side);
    await env.beforeStart?.({ type: 'unverifiable', description: `${found.kind} directory ${ref.dir}` });
    dir = ref.dir;
    apis = found.kind === 'bento' ? apisOfBento(found.info) : apisOfModel(found.info);
    description = `${found.kind} ${found.info.name}:${found.info.version} (${ref.dir})`;
    identity = found.info.digest;
  } else {
    const found = await findEntry(ref, env, side);
    const store = (found.kind === 'bento' ? env.bentos : env.models) as unknown as EntryStore<EntryInfo>;
    // The runtime obeys the files and the info file: both must be what the entry's digest covers.
    await store.assertIntact(found.entry as StoredEntry<EntryInfo>);
    await env.beforeStart?.({ type: 'entry', store, entry: found.entry as StoredEntry<EntryInfo> });
    dir = found.entry.dir;
    apis = found.kind === 'bento' ? apisOfBento(found.entry.info) : apisOfModel(found.entry.info);
    description = `${found.kind} ${formatTag(found.entry.tag)}`;
    identity = found.entry.info.digest;
  }
  return {
    start: async () => {
      const started = await launchRuntimeProcess({
        dir,
        what: `${what} ${description}`,
        readyTimeoutMs: env.readyTimeoutMs,
        ...(env.env ? { env: env.env } : {}),
        ...(env.log ? { log: env.log } : {}),
        ...(env.signal ? { signal: env.signal } : {}),
      });
      return { ref, url: started.url, description, apis, identity, stop: started.stop };
    },
  };
}

/**
 * Resolves and checks both sides, then starts them; if the second fails to start, the first is
 * stopped before the error goes up.
 */
export async function startTargets(
  baseline: TargetRef,
  candidate: TargetRef,
  env: TargetEnvironment,
): Promise<{ baseline: RunningTarget; candidate: RunningTarget; stop: () => Promise<void> }> {
  const first = await prepareTarget(baseline, 'baseline', env);
  const second = await prepareTarget(candidate, 'candidate', env);
  const a = await first.start();
  let b: RunningTarget;
  try {
    b = await second.start();
  } catch (err) {
    await a.stop().catch(() => undefined);
    throw err;
  }
  return {
    baseline: a,
    candidate: b,
    stop: async () => {
      const results = await Promise.allSettled([a.stop(), b.stop()]);
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed)
        throw new BentoError(`stopping a canary target failed: ${(failed.reason as Error).message}`);
    },
  };
}
