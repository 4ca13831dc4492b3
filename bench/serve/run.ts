/**
 * The serving benchmark: `npm run bench:serve` (after `npm run build`). For each model: limits
 * (L_model, t_run(1), L_http), then every variant through a closed-loop concurrency sweep and an
 * open-loop rate sweep. Prints a table, writes bench/results/serve-<time>.json and the "## Serving"
 * section of docs/benchmarks.md.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { heavyModel, irisModel } from '../../examples/models.js';
import { resolveLayout } from '../../runtime/config.js';
import { openModelStore, saveModel } from '../../src/core/model-store.js';
import { benchConfig } from './config.js';
import { type CpuPerRequest, countCpu } from './cpu.js';
import { measureModelLimit } from './limits.js';
import { type LoadResult, medianOf, runLoad } from './load.js';
import { freePort, type Proc, startProc } from './processes.js';
import {
  type ClosedPoint,
  evaluate,
  type ModelResults,
  markdown,
  type OpenPoint,
  updateSection,
  variantLabel,
} from './report.js';
import { counters, startVariant } from './variants.js';

const cfg = benchConfig();
const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
// BENTOCI_RUNTIME_SERVER runs a build from elsewhere (the peer servers then use its worker.js too).
const SERVER = process.env['BENTOCI_RUNTIME_SERVER'] ?? join(ROOT, 'dist/runtime/server.js');
const NOOP_SERVER = fileURLToPath(new URL('./noop-server.ts', import.meta.url));
/**
 * The most sockets an open-loop point may open (they open as needed): enough that requests within
 * the bound never wait for one, rate x bound, 256 to 1024. A request that does wait counts its wait.
 */
function openLoopConnections(rate: number): number {
  return Math.min(1024, Math.max(256, Math.ceil((rate * cfg.boundMs) / 1000)));
}

if (!existsSync(SERVER)) throw new Error(`${SERVER} is missing: run \`npm run build\` first`);

const log = (msg: string) => process.stderr.write(`${msg}\n`);

function machineLoad(): string {
  let psi = '';
  try {
    psi = `, CPU pressure ${/some avg10=([\d.]+)/.exec(readFileSync('/proc/pressure/cpu', 'utf8'))?.[1]}%`;
  } catch {}
  return `load ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}${psi}`;
}

interface ModelSpec {
  name: 'iris' | 'heavy';
  description: string;
  onnx: Uint8Array;
  features: number;
  outputs: number;
}

const MODELS: Record<ModelSpec['name'], ModelSpec> = {
  iris: {
    name: 'iris',
    description: 'the example MLP 4-16-3, one row per request',
    onnx: irisModel(),
    features: 4,
    outputs: 3,
  },
  heavy: {
    name: 'heavy',
    description: 'MLP 512-2048-2048-10, one row per request',
    onnx: heavyModel(),
    features: 512,
    outputs: 10,
  },
};

function row(model: ModelSpec): number[] {
  return Array.from({ length: model.features }, (_, i) => Number((Math.sin(i * 1.3) * 3).toFixed(6)));
}

interface Payload {
  body: string | Buffer;
  headers?: Record<string, string>;
}

const jsonPayload = (model: ModelSpec): Payload => ({ body: JSON.stringify([row(model)]) });

/** The same row as raw float32 bytes (application/octet-stream), as a client sends large tensors. */
function binaryPayload(model: ModelSpec): Payload {
  return {
    body: Buffer.from(Float32Array.from(row(model)).buffer),
    headers: {
      'content-type': 'application/octet-stream',
      'x-tensor-dtype': 'float32',
      'x-tensor-shape': `1,${model.features}`,
    },
  };
}

interface Contestant {
  variant: string;
  proc: Proc;
  payload: Payload;
}

type MeasuredPoint = LoadResult & { cpu: CpuPerRequest };

/**
 * One point (a concurrency, or an open-loop rate) for every contestant, interleaved: each warms up,
 * then repetition i runs them all one after another, starting one further along the list each time,
 * so drift on the shared host (other jobs, thermal, page cache) falls on every variant alike instead
 * of on whichever ran last. CPU is counted around each contestant's own runs only.
 */
async function interleaved(
  contestants: readonly Contestant[],
  connections: number,
  rate?: number,
): Promise<Map<string, MeasuredPoint>> {
  const options = (c: Contestant) => ({
    url: `${c.proc.url}/predict`,
    ...c.payload,
    connections,
    ...(rate ? { rate } : {}),
  });
  if (cfg.warmup > 0) for (const c of contestants) await runLoad({ ...options(c), seconds: cfg.warmup });
  const runs = new Map(
    contestants.map((c) => [c.variant, [] as Array<{ load: LoadResult; cpu: CpuPerRequest }>]),
  );
  for (let i = 0; i < cfg.reps; i++) {
    for (let k = 0; k < contestants.length; k++) {
      const c = contestants[(k + i) % contestants.length]!;
      const cpu = countCpu(c.proc.child.pid);
      const load = await runLoad({ ...options(c), seconds: cfg.seconds });
      runs.get(c.variant)!.push({ load, cpu: cpu(answers(load)) });
    }
  }
  const points = new Map<string, MeasuredPoint>();
  for (const [variant, reps] of runs) {
    points.set(variant, { ...medianOf(reps.map((r) => r.load)), cpu: meanCpu(reps) });
  }
  return points;
}

const answers = (r: LoadResult) => r.ok + r.rejected + r.errors;

/** CPU per request over several runs, weighted by the answers of each. */
function meanCpu(reps: ReadonlyArray<{ load: LoadResult; cpu: CpuPerRequest }>): CpuPerRequest {
  const total = reps.reduce((n, r) => n + answers(r.load), 0);
  const weighted = (pick: (c: CpuPerRequest) => number) =>
    reps.reduce((sum, r) => sum + pick(r.cpu) * answers(r.load), 0) / total;
  return { serverUs: weighted((c) => c.serverUs), clientUs: weighted((c) => c.clientUs) };
}

/** One point for one server (the limits' no-op endpoint). */
async function point(proc: Proc, payload: Payload, connections: number): Promise<MeasuredPoint> {
  const only = await interleaved([{ variant: 'only', proc, payload }], connections);
  return only.get('only')!;
}

function describePoint(p: LoadResult): string {
  return `${p.throughput.toFixed(0)} req/s, p50 ${p.p50.toFixed(2)} p95 ${p.p95.toFixed(2)} p99 ${p.p99.toFixed(2)} ms, 503 ${(100 * p.rejectRate).toFixed(1)}%${p.errors ? `, ${p.errors} errors` : ''}`;
}

async function benchModel(spec: ModelSpec, home: string): Promise<ModelResults> {
  const before = machineLoad();
  const dir = await mkdtemp(join(tmpdir(), 'bentoci-bench-model-'));
  const file = join(dir, `${spec.name}.onnx`);
  await writeFile(file, spec.onnx);
  const saved = await saveModel(openModelStore(home), { tag: spec.name, source: file });
  const onnx = join(saved.dir, saved.info.entrypoint!);
  const body = jsonPayload(spec);
  const binary = binaryPayload(spec);

  log(`== ${spec.name}: limits`);
  const layout = resolveLayout({}, availableParallelism());
  const limit = await measureModelLimit(onnx, spec.features, {
    seconds: cfg.limitSeconds,
    maxBatch: cfg.maxBatch,
    runtimeThreads: layout.threads,
  });
  const noopPort = await freePort();
  const response = `[[${Array(spec.outputs).fill('0.10000000149011612').join(',')}]]`;
  const noop = await startProc(['--import', 'tsx', NOOP_SERVER, String(noopPort), response], noopPort);
  let httpRps = 0;
  let httpBinaryRps = 0;
  let httpCpu: CpuPerRequest = { serverUs: Number.NaN, clientUs: Number.NaN };
  try {
    for (const c of cfg.concurrency) {
      const p = await point(noop, body, c);
      if (p.throughput > httpRps) [httpRps, httpCpu] = [p.throughput, p.cpu];
      if (cfg.variants.includes('A-bin'))
        httpBinaryRps = Math.max(httpBinaryRps, (await point(noop, binary, c)).throughput);
    }
  } finally {
    await noop.stop();
  }
  const sysRps = 1 / (1 / httpRps + 1 / limit.rowsPerS);
  const sysBinaryRps = httpBinaryRps ? 1 / (1 / httpBinaryRps + 1 / limit.rowsPerS) : 0;
  log(
    `L_model ${limit.rowsPerS.toFixed(0)} rows/s, t_run(1) ${limit.tRun1Ms.toFixed(3)} ms, L_http ${httpRps.toFixed(0)} req/s (binary ${httpBinaryRps.toFixed(0)}), L_sys ${sysRps.toFixed(0)} (binary ${sysBinaryRps.toFixed(0)})`,
  );

  const results: ModelResults = {
    model: spec.name,
    description: spec.description,
    boundMs: cfg.boundMs,
    maxBatch: cfg.maxBatch,
    limits: { ...limit, httpRps, sysRps, httpBinaryRps, sysBinaryRps, httpCpu },
    closed: {},
    open: {},
    machine: { before, after: '' },
  };
  // Every variant's server is up at once, so each point can alternate between them (see interleaved).
  const contestants: Contestant[] = [];
  try {
    for (const variant of cfg.variants) {
      log(`== ${spec.name}: starting ${variantLabel(variant)}`);
      const proc = await startVariant(variant, saved.dir, onnx, {
        server: SERVER,
        boundMs: cfg.boundMs,
        maxBatch: cfg.maxBatch,
      });
      contestants.push({ variant, proc, payload: variant === 'A-bin' ? binary : body });
    }
    for (const c of cfg.concurrency) {
      const measured = await interleaved(contestants, c);
      for (const [variant, p] of measured) {
        const closed: ClosedPoint[] = results.closed[variant] ?? [];
        closed.push({ connections: c, ...p });
        results.closed[variant] = closed;
        log(`  c=${c} ${variantLabel(variant)}: ${describePoint(p)}`);
      }
    }
    // The binary-body variant only shows how close to the limits A gets without JSON parsing.
    const open = contestants.filter((c) => c.variant !== 'A-bin');
    // A's best closed-loop throughput is the capacity the open-loop rates are scaled by.
    const capacity = Math.max(
      ...(results.closed['A'] ?? results.closed[open[0]!.variant] ?? []).map((p) => p.throughput),
    );
    const a = open.find((c) => c.variant === 'A');
    for (const factor of cfg.rates) {
      const offered = factor * capacity;
      const isOverload = a !== undefined && factor === Math.max(...cfg.rates);
      const start = isOverload ? await counters(a.proc.url) : undefined;
      const measured = await interleaved(open, openLoopConnections(offered), offered);
      if (start && a) {
        const end = await counters(a.proc.url);
        results.overload = {
          factor,
          ok: end.ok - start.ok,
          rejected: end.rejected - start.rejected,
          missed: end.missed - start.missed,
          otherErrors: measured.get('A')!.errors,
        };
      }
      for (const [variant, p] of measured) {
        const points: OpenPoint[] = results.open[variant] ?? [];
        points.push({ factor, offered, ...p });
        results.open[variant] = points;
        log(
          `  ${factor}x (${offered.toFixed(0)} req/s offered) ${variantLabel(variant)}: ${describePoint(p)}`,
        );
      }
    }
  } finally {
    await Promise.all(contestants.map((c) => c.proc.stop()));
  }
  results.machine.after = machineLoad();
  await rm(dir, { recursive: true, force: true });
  return results;
}

const home = await mkdtemp(join(tmpdir(), 'bentoci-bench-serve-'));
const all: ModelResults[] = [];
try {
  for (const name of cfg.models) all.push(await benchModel(MODELS[name], home));
} finally {
  await rm(home, { recursive: true, force: true });
}

const cpu = cpus()[0]?.model ?? 'unknown CPU';
const meta = {
  // The settings this run was given, so the command reproduces this run, not the defaults.
  command: `npm run build && ${Object.entries(process.env)
    .filter(([k]) => k.startsWith('BENCH_SERVE_') && k !== 'BENCH_SERVE_DOC')
    .map(([k, v]) => `${k}=${v} `)
    .sort()
    .join('')}npm run bench:serve`,
  machine: `${cpu}, ${availableParallelism()} cores shared with other jobs, Node ${process.version}`,
  settings: `${cfg.seconds} s points after ${cfg.warmup} s warm-up, median of ${cfg.reps}, concurrency ${cfg.concurrency.join('/')}, open-loop rates ${cfg.rates.join('/')}x capacity`,
  date: new Date().toISOString().slice(0, 10),
};
for (const t of all.flatMap(evaluate))
  log(`${t.met ? 'MET    ' : 'NOT MET'} ${t.model}: ${t.target}: ${t.measured}`);
const section = markdown(all, meta);
process.stdout.write(section);
await mkdir(join(ROOT, 'bench/results'), { recursive: true });
const resultsFile = join(
  ROOT,
  'bench/results',
  `serve-${new Date().toISOString().replace(/[:.]/g, '-')}.json`,
);
await writeFile(resultsFile, JSON.stringify({ meta, config: cfg, results: all }, null, 2));
log(`results: ${resultsFile}`);
if (cfg.writeDoc) {
  await updateSection(join(ROOT, 'docs/benchmarks.md'), section);
  log('updated the Serving section of docs/benchmarks.md');
}
