/**
 * Runtime test fixtures: models saved into a real model store, a bento written by hand into a real
 * bento store (bento.yaml, models/<name>/<version>/, src/, apis/openapi.yaml), and the bundled
 * runtime server spawned on a free loopback port, with its JSON log lines collected.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import YAML from 'yaml';
import { resolveApiBatching } from '../../src/build/batch-layout.js';
import type { BatchingConfig } from '../../src/build/bentofile-schema.js';
import { openBentoStore, type StoredBento } from '../../src/core/bento-store.js';
import { openModelStore, type StoredModel, saveModel } from '../../src/core/model-store.js';
import { newVersion } from '../../src/core/tag.js';
import type { BatchAxis } from '../../src/shared/batch-axes.js';
import type { Batching, BentoApi, BentoInfo } from '../../src/shared/schemas.js';

/** The bundled runtime; BENTOCI_RUNTIME_SERVER points elsewhere (a build in another directory). */
export const SERVER = resolve(process.env['BENTOCI_RUNTIME_SERVER'] ?? 'dist/runtime/server.js');

export function assertRuntimeBuilt(): void {
  if (!existsSync(SERVER)) throw new Error(`${SERVER} is missing: run \`npm run build\` before these tests`);
}

export async function tempHome(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'bentoci-runtime-'));
}

export interface ModelFixture {
  name: string;
  onnx: Uint8Array;
  batchable?: boolean;
  /** Batch axes to save the model with (what `models save --batch-axis` sets). */
  batchAxes?: Record<string, BatchAxis>;
}

export async function saveFixtureModel(home: string, model: ModelFixture): Promise<StoredModel> {
  const dir = await mkdtemp(join(tmpdir(), 'bentoci-onnx-'));
  const file = join(dir, `${model.name}.onnx`);
  await writeFile(file, model.onnx);
  return saveModel(openModelStore(home), {
    tag: model.name,
    source: file,
    ...(model.batchable === undefined ? {} : { batchable: model.batchable }),
    ...(model.batchAxes ? { batchAxes: model.batchAxes } : {}),
  });
}

export interface ApiFixture {
  name: string;
  route?: string;
  /** Name of a model in the fixture. */
  model: string;
  batching?: Partial<Batching>;
  /** bentofile.yaml's `batching` for this API: its axes and padding are resolved as a build does. */
  bentofile?: BatchingConfig;
}

export interface BentoFixture {
  name?: string;
  models: ModelFixture[];
  apis: ApiFixture[];
  /** Files under src/ (path -> content) and the `service.module` spec that names the hooks. */
  src?: Record<string, string>;
  module?: string;
  envs?: Record<string, string>;
}

/** Saves the models, then commits a bento that pins them into the home's bento store. */
export async function writeBento(home: string, fixture: BentoFixture): Promise<StoredBento> {
  const saved = new Map<string, StoredModel>();
  for (const model of fixture.models) saved.set(model.name, await saveFixtureModel(home, model));
  const store = openBentoStore(home);
  const staged = await store.stage();
  for (const model of saved.values()) {
    await cp(model.dir, join(staged, 'models', model.tag.name, model.tag.version), { recursive: true });
  }
  for (const [path, content] of Object.entries(fixture.src ?? {})) {
    await mkdir(join(staged, 'src', path, '..'), { recursive: true });
    await writeFile(join(staged, 'src', path), content);
  }
  const apis: BentoApi[] = fixture.apis.map((api) => {
    const model = saved.get(api.model);
    if (!model) throw new Error(`fixture API ${api.name} names unknown model ${api.model}`);
    const signature = model.info.signatures['run']!;
    const resolved = api.bentofile
      ? resolveApiBatching(api.bentofile, signature, api.model, (...keys) => keys.join('.'))
      : undefined;
    return {
      name: api.name,
      route: api.route ?? `/${api.name}`,
      model: `${model.tag.name}:${model.tag.version}`,
      method: 'run',
      batching: {
        enabled: resolved?.enabled ?? true,
        max_batch_size: 32,
        max_latency_ms: 200,
        ...api.batching,
        ...(resolved?.padding ? { padding: resolved.padding } : {}),
      },
      input: resolved?.input ?? signature.inputs,
      output: resolved?.output ?? signature.outputs,
    };
  });
  await mkdir(join(staged, 'apis'), { recursive: true });
  await writeFile(
    join(staged, 'apis', 'openapi.yaml'),
    YAML.stringify({
      openapi: '3.0.3',
      info: { title: fixture.name ?? 'svc', version: '1' },
      paths: Object.fromEntries(apis.map((a) => [a.route, { post: { operationId: a.name } }])),
    }),
  );
  const tag = { name: fixture.name ?? 'svc', version: newVersion() };
  return store.commit(staged, tag, (content) => {
    const info: BentoInfo = {
      name: tag.name,
      version: tag.version,
      api_version: 'v1',
      labels: {},
      creation_time: new Date().toISOString(),
      bentoci_version: '0.1.0',
      service: { name: tag.name, ...(fixture.module ? { module: fixture.module } : {}), apis },
      models: [...saved.values()].map((m) => ({
        tag: `${m.tag.name}:${m.tag.version}`,
        module: m.info.module,
        digest: m.info.digest,
        size: m.info.size,
        path: `models/${m.tag.name}/${m.tag.version}`,
      })),
      envs: Object.entries(fixture.envs ?? {}).map(([name, value]) => ({ name, value })),
      node: { packages: [] },
      docker: {},
      ...content,
    };
    return info;
  });
}

export interface LogLine {
  level: string;
  msg: string;
  [field: string]: unknown;
}

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  logs: LogLine[];
  stderr: () => string;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  stop(): Promise<number | null>;
}

/**
 * Spawns `node dist/runtime/server.js DIR --host 127.0.0.1 --port 0 ARGS`, resolves once it logs
 * "ready" (or rejects with its error line if it exits first).
 */
export async function startServer(
  dir: string,
  args: string[] = [],
  env: Record<string, string> = {},
): Promise<ServerProcess> {
  assertRuntimeBuilt();
  return startServing([SERVER, dir, '--host', '127.0.0.1', '--port', '0', ...args], env);
}

/** Spawns `node ARGV` (the runtime, or the CLI's serve) and follows its JSON logs until "ready". */
export async function startServing(argv: string[], env: Record<string, string> = {}): Promise<ServerProcess> {
  const child = spawn(process.execPath, argv, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: LogLine[] = [];
  let stderr = '';
  let url = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<number | null>((resolvePromise) =>
    child.on('exit', (code) => resolvePromise(code)),
  );
  await new Promise<void>((resolveReady, reject) => {
    let buffered = '';
    child.stdout!.on('data', (d: Buffer) => {
      buffered += d.toString();
      let nl = buffered.indexOf('\n');
      while (nl !== -1) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        nl = buffered.indexOf('\n');
        try {
          const parsed = JSON.parse(line) as LogLine;
          logs.push(parsed);
          if (parsed.msg === 'listening') url = String(parsed['url']);
          if (parsed.msg === 'ready') resolveReady();
        } catch {
          logs.push({ level: 'raw', msg: line });
        }
      }
    });
    exited.then((code) =>
      reject(
        new Error(`server exited with ${code} before ready: ${logs.map((l) => l.msg).join(' | ')} ${stderr}`),
      ),
    );
  });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    return exited;
  };
  return { child, url, logs, stderr: () => stderr, exited, stop };
}

/** POSTs JSON (or raw bytes with headers) and returns status, headers and parsed body. */
export async function post(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; json: unknown; text: string }> {
  const raw = body instanceof Uint8Array || typeof body === 'string' ? body : JSON.stringify(body);
  const res = await fetch(url, {
    method: 'POST',
    body: raw,
    headers: { 'content-type': 'application/json', ...headers },
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, json, text };
}

/** Server-Timing's `total` (ms), as the server measured the request. */
export function serverTotalMs(headers: Headers): number {
  const match = /total;dur=([\d.]+)/.exec(headers.get('server-timing') ?? '');
  if (!match) throw new Error(`no total in Server-Timing: ${headers.get('server-timing')}`);
  return Number(match[1]);
}
