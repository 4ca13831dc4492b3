/**
 * The goodput benchmark: `npm run bench:goodput` (after `npm run build`). Goodput is answers within
 * the latency bound per second. For each model, A's capacity is its best closed-loop throughput;
 * then every variant (bentoci and each peer policy on the same HTTP layer and workers) takes turns
 * at open loop 1x, 2x and 4x that capacity and at closed loop with clients that resend at once after
 * any answer (16, 64 and 256 of them). The conv model gets a mix of 24x24 and 240x240 images (100x
 * the elements) and a small-only phase before and after the mix. Writes bench/results/goodput-*.json
 * and the "## Goodput" section of docs/benchmarks.md.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { convModel, heavyModel, irisModel } from '../../examples/models.js';
import { openModelStore, saveModel } from '../../src/core/model-store.js';
import { type GoodputModel, type GoodputPoint, goodputMarkdown } from './goodput-report.js';
import { type MixedBody, runMixedLoad } from './mixed-load.js';
import type { Proc } from './processes.js';
import { updateSection } from './report.js';
import { counters, startVariant } from './variants.js';

const env = z
  .object({
    BENCH_GOODPUT_SECONDS: z.coerce.number().positive().default(3),
    BENCH_GOODPUT_REPS: z.coerce.number().int().positive().default(3),
    BENCH_GOODPUT_MODELS: z.string().default('iris,heavy,conv'),
    BENCH_GOODPUT_VARIANTS: z.string().default('A,P:bentoml,P:triton-0,P:triton-delay,P:torchserve,P:ray'),
    BENCH_GOODPUT_BOUND_MS: z.coerce.number().positive().default(100),
    BENCH_GOODPUT_DOC: z.enum(['0', '1']).default('1'),
  })
  .parse(process.env);
const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const SERVER = process.env['BENTOCI_RUNTIME_SERVER'] ?? join(ROOT, 'dist/runtime/server.js');
const BOUND = env.BENCH_GOODPUT_BOUND_MS;
const MAX_BATCH = 64;
const OPEN_FACTORS = [1, 2, 4];
const CLIENTS = [16, 64, 256, 400];
const log = (msg: string) => process.stderr.write(`${msg}\n`);

const json = (values: number[], shape: number[]): MixedBody['body'] => {
  let nested: unknown = values;
  for (const d of shape.slice(1).reverse()) {
    const flat = nested as number[];
    const rows: number[][] = [];
    for (let i = 0; i < flat.length; i += d) rows.push(flat.slice(i, i + d));
    nested = rows;
  }
  return Buffer.from(JSON.stringify(nested));
};
const values = (n: number) => Array.from({ length: n }, (_, i) => Number((Math.sin(i * 1.3) * 3).toFixed(5)));
const jsonBody = (name: string, features: number): MixedBody => ({
  name,
  body: json(values(features), [1, features]),
  headers: { 'content-type': 'application/json' },
});
/** An image as raw float32 bytes: a 240x240 image is 690 KB this way, 2.6 MB as JSON. */
const imageBody = (side: number): MixedBody => ({
  name: `${side}x${side}`,
  body: Buffer.from(Float32Array.from(values(3 * side * side)).buffer),
  headers: {
    'content-type': 'application/octet-stream',
    'x-tensor-dtype': 'float32',
    'x-tensor-shape': `1,3,${side},${side}`,
  },
});

interface ModelSpec {
  name: string;
  description: string;
  onnx: Uint8Array;
  /** The mix sent at every point; `smallOnly` for the before/after phases of the conv model. */
  mix: MixedBody[];
  smallOnly?: MixedBody[];
}

function models(): ModelSpec[] {
  const small = imageBody(24);
  const large = imageBody(240);
  const all: ModelSpec[] = [
    {
      name: 'iris',
      description: 'MLP 4-16-3, one row per request',
      onnx: irisModel(),
      mix: [jsonBody('row', 4)],
    },
    {
      name: 'heavy',
      description: 'MLP 512-2048-2048-10, one row per request',
      onnx: heavyModel(),
      mix: [jsonBody('row', 512)],
    },
    {
      name: 'conv',
      description:
        'conv net with dynamic H and W (2 conv 3x3, 8 channels), 9 of 10 requests 24x24, 1 of 10 240x240 (100x the elements)',
      onnx: convModel(),
      mix: [...Array(9).fill(small), large],
      smallOnly: [small],
    },
  ];
  const wanted = env.BENCH_GOODPUT_MODELS.split(',').map((s) => s.trim());
  return all.filter((m) => wanted.includes(m.name));
}

interface Contestant {
  variant: string;
  proc: Proc;
}

/** One point for every contestant, taking turns (the order rotates each repetition); medians kept. */
async function point(
  contestants: readonly Contestant[],
  load: { bodies: MixedBody[]; rate?: number; connections: number },
  label: string,
): Promise<Map<string, GoodputPoint>> {
  const runs = new Map<string, GoodputPoint[]>(contestants.map((c) => [c.variant, []]));
  for (let rep = 0; rep < env.BENCH_GOODPUT_REPS; rep++) {
    for (let k = 0; k < contestants.length; k++) {
      const c = contestants[(k + rep) % contestants.length]!;
      const before = await counters(c.proc.url);
      const result = await runMixedLoad(
        {
          url: `${c.proc.url}/predict`,
          bodies: load.bodies,
          seconds: env.BENCH_GOODPUT_SECONDS,
          connections: load.connections,
          ...(load.rate !== undefined ? { rate: load.rate } : {}),
        },
        BOUND,
      );
      const after = await counters(c.proc.url);
      const perBody: GoodputPoint['perBody'] = {};
      let onTime = 0;
      let answered = 0;
      let rejected = 0;
      const latencies: number[] = [];
      for (const [name, counts] of result.perBody) {
        onTime += counts.onTime;
        rejected += counts.rejected;
        answered += counts.ok + counts.rejected + counts.errors;
        latencies.push(...counts.latencies);
        const total = counts.ok + counts.rejected + counts.errors;
        perBody[name] = { rejectShare: total ? counts.rejected / total : 0, answers: total };
      }
      latencies.sort((a, b) => a - b);
      const admitted = after.ok - before.ok;
      runs.get(c.variant)!.push({
        goodput: onTime / result.seconds,
        rejectShare: answered ? rejected / answered : 0,
        lateShare: admitted ? (after.missed - before.missed) / admitted : 0,
        p99: latencies.length ? latencies[Math.ceil(0.99 * latencies.length) - 1]! : Number.NaN,
        perBody,
      });
    }
  }
  const medians = new Map<string, GoodputPoint>();
  for (const [variant, points] of runs) {
    const byGoodput = [...points].sort((a, b) => a.goodput - b.goodput);
    // The repetition at the median; with an even count the lower middle one, so two repetitions
    // report the worse of the two (the spread shows both), never the better.
    const median = byGoodput[Math.ceil(byGoodput.length / 2) - 1]!;
    medians.set(variant, {
      ...median,
      spread: [byGoodput[0]!.goodput, byGoodput.at(-1)!.goodput],
    });
    log(
      `  ${label} ${variant}: goodput ${median.goodput.toFixed(0)}/s, 503 ${(100 * median.rejectShare).toFixed(1)}%, late ${(100 * median.lateShare).toFixed(2)}%, p99 ${median.p99.toFixed(1)} ms`,
    );
  }
  return medians;
}

async function benchModel(spec: ModelSpec, home: string, variants: string[]): Promise<GoodputModel> {
  const dir = await mkdtemp(join(tmpdir(), 'bentoci-goodput-'));
  const file = join(dir, `${spec.name}.onnx`);
  await writeFile(file, spec.onnx);
  const saved = await saveModel(openModelStore(home), { tag: spec.name, source: file });
  const onnx = join(saved.dir, saved.info.entrypoint!);
  const contestants: Contestant[] = [];
  const result: GoodputModel = { model: spec.name, description: spec.description, capacity: 0, points: [] };
  try {
    for (const variant of variants) {
      const proc = await startVariant(variant, saved.dir, onnx, {
        server: SERVER,
        boundMs: BOUND,
        maxBatch: MAX_BATCH,
      });
      contestants.push({ variant, proc });
    }
    const a = contestants.filter((c) => c.variant === 'A');
    // Capacity: A's best closed-loop goodput, up to a concurrency that fills whole batches.
    for (const connections of [8, 32, 128]) {
      const measured = await point(
        a.length ? a : contestants.slice(0, 1),
        { bodies: spec.mix, connections },
        `capacity c=${connections}`,
      );
      for (const p of measured.values()) result.capacity = Math.max(result.capacity, p.goodput);
    }
    log(`== ${spec.name}: capacity ${result.capacity.toFixed(0)} answers/s within ${BOUND} ms`);
    const record = (load: string, measured: Map<string, GoodputPoint>) =>
      result.points.push({ load, results: Object.fromEntries(measured) });
    if (spec.smallOnly)
      record(
        'small only, before the mix: 64 clients',
        await point(contestants, { bodies: spec.smallOnly, connections: 64 }, 'small before'),
      );
    for (const factor of OPEN_FACTORS) {
      const rate = factor * result.capacity;
      const connections = Math.min(1024, Math.max(256, Math.ceil((rate * BOUND) / 1000)));
      record(
        `open loop ${factor}x`,
        await point(contestants, { bodies: spec.mix, rate, connections }, `open ${factor}x`),
      );
    }
    for (const connections of CLIENTS)
      record(
        `${connections} retrying clients`,
        await point(contestants, { bodies: spec.mix, connections }, `closed c=${connections}`),
      );
    if (spec.smallOnly)
      record(
        'small only, after the mix: 64 clients',
        await point(contestants, { bodies: spec.smallOnly, connections: 64 }, 'small after'),
      );
  } finally {
    await Promise.all(contestants.map((c) => c.proc.stop()));
    await rm(dir, { recursive: true, force: true });
  }
  return result;
}

const home = await mkdtemp(join(tmpdir(), 'bentoci-bench-goodput-'));
const variants = env.BENCH_GOODPUT_VARIANTS.split(',').map((s) => s.trim());
const results: GoodputModel[] = [];
try {
  for (const spec of models()) {
    log(`== ${spec.name}`);
    results.push(await benchModel(spec, home, variants));
  }
} finally {
  await rm(home, { recursive: true, force: true });
}
const meta = {
  command: `npm run build && ${Object.entries(process.env)
    .filter(([k]) => k.startsWith('BENCH_GOODPUT_') && k !== 'BENCH_GOODPUT_DOC')
    .map(([k, v]) => `${k}=${v} `)
    .sort()
    .join('')}npm run bench:goodput`,
  machine: `${cpus()[0]?.model ?? 'unknown CPU'}, ${availableParallelism()} cores shared with the load generator, Node ${process.version}`,
  settings: `${env.BENCH_GOODPUT_SECONDS} s points, median of ${env.BENCH_GOODPUT_REPS} (spread: lowest-highest goodput), bound ${BOUND} ms, max batch ${MAX_BATCH}`,
  date: new Date().toISOString().slice(0, 10),
};
const section = goodputMarkdown(results, meta, BOUND);
process.stdout.write(section);
await mkdir(join(ROOT, 'bench/results'), { recursive: true });
const out = join(ROOT, 'bench/results', `goodput-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
await writeFile(out, JSON.stringify({ meta, results }, null, 2));
log(`results: ${out}`);
if (env.BENCH_GOODPUT_DOC === '1') {
  await updateSection(join(ROOT, 'docs/benchmarks.md'), section, '## Goodput');
  log('updated the Goodput section of docs/benchmarks.md');
}
