/**
 * Lone requests: what batching costs when there is nothing to batch. `npm run bench:lone` (after
 * `npm run build`). For each model and each low concurrency (1, 2, 4 by default), bentoci with
 * batching on and with `--no-batching` answer a closed loop of keep-alive clients, the two
 * interleaved (their order swaps every repetition), and each repetition gives one on/off ratio of
 * requests per second. The server's own Server-Timing `queue` (body read to dispatch) shows where a
 * difference comes from. `BENCH_LONE_BUILDS=before=PATH,after=PATH` compares runtime builds in one
 * session (the same interleaving over every build's two servers). Prints a Markdown table.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { heavyModel, irisModel } from '../../examples/models.js';
import { openModelStore, saveModel } from '../../src/core/model-store.js';
import type { Proc } from './processes.js';
import { startVariant } from './variants.js';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const list = (text: string) =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

const env = z
  .object({
    BENCH_LONE_SECONDS: z.coerce.number().positive().default(2),
    BENCH_LONE_REPS: z.coerce.number().int().min(1).default(7),
    BENCH_LONE_CONCURRENCY: z.string().default('1,2,4'),
    BENCH_LONE_MODELS: z.string().default('iris,heavy'),
    BENCH_LONE_BUILDS: z.string().optional(),
    BENTOCI_RUNTIME_SERVER: z.string().optional(),
  })
  .parse(process.env);

/** Label and server.js of every runtime build to measure. */
const builds = env.BENCH_LONE_BUILDS
  ? list(env.BENCH_LONE_BUILDS).map((entry) => {
      const [label, path] = entry.split('=');
      if (!label || !path) throw new Error(`BENCH_LONE_BUILDS: "${entry}" is not LABEL=PATH/server.js`);
      return { label, server: resolve(path) };
    })
  : [{ label: 'current', server: env.BENTOCI_RUNTIME_SERVER ?? join(ROOT, 'dist/runtime/server.js') }];

const MODELS = {
  iris: { onnx: irisModel, features: 4 },
  heavy: { onnx: heavyModel, features: 512 },
} as const;
type ModelName = keyof typeof MODELS;

const log = (msg: string) => process.stderr.write(`${msg}\n`);

interface Sample {
  rps: number;
  p50: number;
  /** Medians of the server's own timings (ms): `queue` body read to dispatch, `infer` dispatch to result, `total` arrival to answer. */
  queue: number;
  infer: number;
  total: number;
  /** Rows per batch the server ran during the point (1: every request ran alone). */
  rowsPerBatch: number;
}

/** The server's count of batches and of their rows so far. */
async function batches(url: string): Promise<{ count: number; rows: number }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const value = (name: string) =>
    Number(new RegExp(`^${name}\\{[^}]*\\} ([\\d.e+]+)`, 'm').exec(text)?.[1] ?? 0);
  return { count: value('bentoci_batch_size_count'), rows: value('bentoci_batch_size_sum') };
}

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/**
 * `connections` keep-alive clients on raw sockets, each sending its next request when the answer is
 * read: a cheap client, so the load generator takes as little of the shared cores as it can.
 */
async function closedLoop(url: string, body: string, connections: number, seconds: number): Promise<Sample> {
  const { hostname, port, pathname } = new URL(url);
  const message = Buffer.from(
    `POST ${pathname} HTTP/1.1\r\nHost: ${hostname}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
  const latencies: number[] = [];
  const timings = { queue: [] as number[], infer: [] as number[], total: [] as number[] };
  const end = performance.now() + seconds * 1000;
  const client = () =>
    new Promise<void>((done, fail) => {
      const socket = connect(Number(port), hostname);
      socket.setNoDelay(true);
      let pending: Buffer = Buffer.alloc(0);
      let sentAt = 0;
      const send = () => {
        sentAt = performance.now();
        socket.write(message);
      };
      socket.on('connect', send);
      socket.on('error', fail);
      socket.on('data', (chunk: Buffer) => {
        pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
        const head = pending.indexOf('\r\n\r\n');
        if (head === -1) return;
        const headers = pending.subarray(0, head).toString('latin1');
        const length = Number(/\r\ncontent-length: *(\d+)/i.exec(headers)?.[1] ?? Number.NaN);
        if (pending.length < head + 4 + length) return;
        pending = pending.subarray(head + 4 + length);
        if (!headers.startsWith('HTTP/1.1 200')) {
          socket.destroy();
          return fail(new Error(`${url} answered ${headers.split('\r\n')[0]}`));
        }
        latencies.push(performance.now() - sentAt);
        for (const [name, values] of Object.entries(timings)) {
          const ms = new RegExp(`${name};dur=([\\d.]+)`).exec(headers)?.[1];
          if (ms) values.push(Number(ms));
        }
        if (performance.now() < end) send();
        else {
          socket.end();
          done();
        }
      });
    });
  const started = performance.now();
  await Promise.all(Array.from({ length: connections }, client));
  const elapsed = (performance.now() - started) / 1000;
  return {
    rps: latencies.length / elapsed,
    p50: median(latencies),
    queue: median(timings.queue),
    infer: median(timings.infer),
    total: median(timings.total),
    rowsPerBatch: 0,
  };
}

interface Server {
  build: string;
  batching: boolean;
  proc: Proc;
}

async function benchModel(name: ModelName, home: string) {
  const model = MODELS[name];
  const dir = await mkdtemp(join(tmpdir(), 'bentoci-bench-lone-'));
  const file = join(dir, `${name}.onnx`);
  await writeFile(file, model.onnx());
  const saved = await saveModel(openModelStore(home), { tag: name, source: file });
  const body = JSON.stringify([Array.from({ length: model.features }, (_, i) => Math.sin(i * 1.3) * 3)]);
  const servers: Server[] = [];
  const results = new Map<string, Sample[]>();
  const keyOf = (s: Server, c: number) => `${s.build}/${s.batching ? 'on' : 'off'}/${c}`;
  try {
    for (const build of builds)
      for (const batching of [true, false]) {
        const proc = await startVariant(batching ? 'A' : 'B', saved.dir, file, {
          server: build.server,
          boundMs: 100,
          maxBatch: 64,
        });
        servers.push({ build: build.label, batching, proc });
      }
    for (const c of list(env.BENCH_LONE_CONCURRENCY).map(Number)) {
      for (const s of servers) await closedLoop(`${s.proc.url}/predict`, body, c, 1);
      for (let rep = 0; rep < env.BENCH_LONE_REPS; rep++) {
        // Every repetition starts one further along the list, so drift falls on all alike.
        for (let k = 0; k < servers.length; k++) {
          const s = servers[(k + rep) % servers.length]!;
          const before = await batches(s.proc.url);
          const sample = await closedLoop(`${s.proc.url}/predict`, body, c, env.BENCH_LONE_SECONDS);
          const after = await batches(s.proc.url);
          sample.rowsPerBatch = (after.rows - before.rows) / (after.count - before.count);
          const key = keyOf(s, c);
          results.set(key, [...(results.get(key) ?? []), sample]);
        }
      }
      for (const build of builds) {
        const on = results.get(`${build.label}/on/${c}`)!;
        const off = results.get(`${build.label}/off/${c}`)!;
        const ratios = on.map((x, i) => x.rps / off[i]!.rps);
        log(
          `${name} c=${c} ${build.label}: on/off ${median(ratios).toFixed(3)} (${Math.min(...ratios).toFixed(3)}-${Math.max(...ratios).toFixed(3)}), on ${median(on.map((x) => x.rps)).toFixed(0)} req/s queue ${median(on.map((x) => x.queue)).toFixed(3)} ms ${median(on.map((x) => x.rowsPerBatch)).toFixed(2)} rows/batch, off ${median(off.map((x) => x.rps)).toFixed(0)} req/s queue ${median(off.map((x) => x.queue)).toFixed(3)} ms`,
        );
      }
    }
  } finally {
    await Promise.all(servers.map((s) => s.proc.stop()));
    await rm(dir, { recursive: true, force: true });
  }
  return results;
}

function table(name: ModelName, results: Map<string, Sample[]>): string {
  const rows = [
    '| build | c | on/off req/s, median (min-max) | on: req/s, p50 / queue / infer / server total ms, rows/batch | off: req/s, p50 / queue / infer / server total ms |',
    '|---|---:|---:|---:|---:|',
  ];
  for (const c of list(env.BENCH_LONE_CONCURRENCY).map(Number))
    for (const build of builds) {
      const on = results.get(`${build.label}/on/${c}`)!;
      const off = results.get(`${build.label}/off/${c}`)!;
      const ratios = on.map((x, i) => x.rps / off[i]!.rps);
      const cell = (xs: Sample[]) =>
        `${median(xs.map((x) => x.rps)).toFixed(0)}, ${(['p50', 'queue', 'infer', 'total'] as const).map((k) => median(xs.map((x) => x[k])).toFixed(3)).join(' / ')}`;
      rows.push(
        `| ${build.label} | ${c} | ${median(ratios).toFixed(3)} (${Math.min(...ratios).toFixed(3)}-${Math.max(...ratios).toFixed(3)}) | ${cell(on)}, ${median(on.map((x) => x.rowsPerBatch)).toFixed(2)} | ${cell(off)} |`,
      );
    }
  return `${name}:\n\n${rows.join('\n')}\n`;
}

const machine = () =>
  `load ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`;
const before = machine();
const home = await mkdtemp(join(tmpdir(), 'bentoci-bench-lone-home-'));
const out: string[] = [];
try {
  for (const name of list(env.BENCH_LONE_MODELS) as ModelName[]) {
    if (!(name in MODELS)) throw new Error(`BENCH_LONE_MODELS: no model "${name}" (iris, heavy)`);
    out.push(table(name, await benchModel(name, home)));
  }
} finally {
  await rm(home, { recursive: true, force: true });
}
process.stdout.write(
  `${cpus()[0]?.model ?? 'unknown CPU'}, ${availableParallelism()} cores, Node ${process.version}; ${env.BENCH_LONE_REPS} repetitions of ${env.BENCH_LONE_SECONDS} s per point; machine ${before} before, ${machine()} after.\n\n${out.join('\n')}`,
);
