/**
 * `npm run bench:padding`: what padding gains on a sequence model (embedding, masked mean, MLP) whose
 * requests carry 1-128 tokens. The same bento is served batched and padded (A) and without batching
 * (B), alternating, under closed-loop load at several concurrencies; every request body differs. Before
 * the load, a fixed set of requests is answered by both and compared (allclose at float32 precision).
 * Then the hostile mix (padding-hostile.ts): one long request among 63 short ones, with the padding
 * bound and without it. Writes the "## Padding" section of docs/benchmarks.md.
 *
 *   npm run bench:padding [-- --seconds 10 --repeats 5 --concurrency 1,8,32,64 --hostile-rounds 5
 *                             --before-server OLD/runtime/server.js]
 */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { sequenceModel } from '../../examples/sequence-models.js';
import { buildBento } from '../../src/build/build.js';
import { openModelStore, saveModel } from '../../src/core/model-store.js';
import {
  type HostileFigures,
  hostileInProcess,
  hostileRounds,
  hostileServer,
  LONG,
  type ServerMemory,
} from './padding-hostile.js';
import { updateSection } from './report.js';
import { startVariant } from './variants.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '8' },
    repeats: { type: 'string', default: '5' },
    concurrency: { type: 'string', default: '1,8,32,64' },
    server: { type: 'string', default: 'dist/runtime/server.js' },
    doc: { type: 'string', default: 'docs/benchmarks.md' },
    'hostile-rounds': { type: 'string', default: '5' },
    /** A runtime built before the padding bound, to compare peak memory with (optional). */
    'before-server': { type: 'string' },
  },
});
const SECONDS = Number(values.seconds);
const REPEATS = Number(values.repeats);
const LEVELS = values.concurrency.split(',').map(Number);
const BOUND_MS = 500;
const MAX_BATCH = 64;
const MODEL = { vocab: 8000, dim: 256, hidden: [2048, 2048], classes: 8 };

/** Request bodies of 1-128 tokens (uniform), one row each, from a fixed seed. */
function bodies(count: number): string[] {
  let seed = 12345;
  const next = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed;
  };
  return Array.from({ length: count }, () => {
    const length = 1 + (next() % 128);
    return JSON.stringify({ input_ids: [Array.from({ length }, () => next() % MODEL.vocab)] });
  });
}

async function bento(): Promise<{ dir: string; onnx: string }> {
  const home = await mkdtemp(join(tmpdir(), 'bentoci-bench-padding-'));
  const onnx = join(home, 'seq.onnx');
  await writeFile(onnx, sequenceModel(MODEL));
  await saveModel(openModelStore(home), { tag: 'seq', source: onnx });
  const context = join(home, 'project');
  await mkdir(context);
  await writeFile(
    join(context, 'bentofile.yaml'),
    `service:
  name: seqsvc
  apis:
    - name: embed
      model: seq:latest
      batching:
        max_batch_size: ${MAX_BATCH}
        max_latency_ms: ${BOUND_MS}
        padding:
          inputs: { input_ids: { axis: 1, value: 0 } }
          mask: attention_mask
          outputs: { token_scores: 1 }
`,
  );
  const { bento } = await buildBento({ home, context });
  return { dir: bento.dir, onnx };
}

interface Point {
  throughput: number;
  p50: number;
  p99: number;
  errors: number;
}

/** Closed loop: `connections` requests always outstanding, each the next body of the list. */
async function load(url: string, list: string[], connections: number): Promise<Point> {
  const pool = new Pool(url, { connections, pipelining: 1 });
  const latencies: number[] = [];
  let errors = 0;
  let next = 0;
  const end = performance.now() + SECONDS * 1000;
  const loop = async () => {
    while (performance.now() < end) {
      const body = list[next++ % list.length]!;
      const start = performance.now();
      const res = await pool.request({
        path: '/embed',
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      await res.body.arrayBuffer();
      if (res.statusCode === 200) latencies.push(performance.now() - start);
      else errors++;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: connections }, loop));
  const elapsed = (performance.now() - started) / 1000;
  await pool.close();
  latencies.sort((a, b) => a - b);
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? NaN;
  return { throughput: latencies.length / elapsed, p50: q(0.5), p99: q(0.99), errors };
}

type Answer = { logits: number[][]; token_scores: number[][] };

/** The places where two answers are not allclose (rtol = atol = 1e-5), or differ in shape. */
function differences(a: Answer, b: Answer): number {
  const x = [...a.logits.flat(), ...a.token_scores.flat()];
  const y = [...b.logits.flat(), ...b.token_scores.flat()];
  if (x.length !== y.length) return Number.POSITIVE_INFINITY;
  return x.filter((v, i) => Math.abs(v - y[i]!) > 1e-5 + 1e-5 * Math.abs(y[i]!)).length;
}

/** All at once where requests batch, so they are padded together; one at a time where they run alone. */
async function answers(url: string, list: string[], together: boolean): Promise<Answer[]> {
  const ask = async (body: string) => {
    const res = await fetch(`${url}/embed`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json' },
    });
    if (res.status !== 200) throw new Error(`${res.status} ${await res.text()}`);
    return (await res.json()) as Answer;
  };
  if (together) return Promise.all(list.map(ask));
  const out: Answer[] = [];
  for (const body of list) out.push(await ask(body));
  return out;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
const fmt = (x: number, digits = 1) => x.toFixed(digits);

async function main(): Promise<void> {
  const { dir, onnx } = await bento();
  const list = bodies(1024);
  const options = { server: values.server, boundMs: BOUND_MS, maxBatch: MAX_BATCH };
  const ratios = new Map<number, number[]>();
  const points = new Map<string, Point[]>();
  let compared = 0;
  let unequal = 0;
  let reference: Answer[] | undefined;
  for (let r = 0; r < REPEATS; r++) {
    for (const variant of r % 2 ? ['B', 'A'] : ['A', 'B']) {
      const proc = await startVariant(variant, dir, onnx, options);
      try {
        if (r === 0) {
          const sample = list.slice(0, 64);
          const mine = await answers(proc.url, sample, variant === 'A');
          if (!reference) reference = mine;
          else {
            const first = reference;
            compared += sample.length;
            unequal += mine.filter((a, i) => differences(a, first[i]!) > 0).length;
          }
        }
        for (const c of LEVELS) {
          const point = await load(proc.url, list, c);
          const key = `${variant}:${c}`;
          points.set(key, [...(points.get(key) ?? []), point]);
          process.stderr.write(
            `repeat ${r + 1}/${REPEATS} ${variant} c=${c}: ${fmt(point.throughput)} answers/s, p50 ${fmt(point.p50, 2)} ms, p99 ${fmt(point.p99, 2)} ms, errors ${point.errors}\n`,
          );
        }
      } finally {
        await proc.stop();
      }
    }
    for (const c of LEVELS) {
      const a = points.get(`A:${c}`)!.at(-1)!;
      const b = points.get(`B:${c}`)!.at(-1)!;
      ratios.set(c, [...(ratios.get(c) ?? []), a.throughput / b.throughput]);
    }
  }
  const rounds = hostileRounds(Number(values['hostile-rounds']));
  const hostile = {
    without: await hostileInProcess(dir, rounds, MODEL.vocab, false),
    with: await hostileInProcess(dir, rounds, MODEL.vocab, true),
  };
  const beforeServer = values['before-server'];
  const memory = beforeServer
    ? {
        without: await hostileServer(beforeServer, dir, onnx, rounds, MODEL.vocab),
        with: await hostileServer(values.server, dir, onnx, rounds, MODEL.vocab),
      }
    : undefined;
  const rows = LEVELS.map((c) => {
    const rs = ratios.get(c)!;
    const a = points.get(`A:${c}`)!;
    const b = points.get(`B:${c}`)!;
    const col = (ps: Point[], f: (p: Point) => number, d = 1) => fmt(median(ps.map(f)), d);
    return `| ${c} | ${col(a, (p) => p.throughput, 0)} | ${col(b, (p) => p.throughput, 0)} | **${fmt(median(rs), 2)}x** (${fmt(Math.min(...rs), 2)}-${fmt(Math.max(...rs), 2)}) | ${col(a, (p) => p.p50, 2)} / ${col(a, (p) => p.p99, 2)} | ${col(b, (p) => p.p50, 2)} / ${col(b, (p) => p.p99, 2)} |`;
  });
  const chart = LEVELS.map((c) => fmt(median(ratios.get(c)!), 2)).join(', ');
  const section = `## Padding

\`npm run bench:padding -- --seconds ${SECONDS} --repeats ${REPEATS} --hostile-rounds ${rounds.length}${beforeServer ? ' --before-server OLD/runtime/server.js' : ''}\` (${new Date().toISOString().slice(0, 10)}, this 2-core
machine, the runtime's default workers). A sequence classifier generated by \`examples/sequence-models.ts\` (embedding
${MODEL.vocab}x${MODEL.dim}, mean over the positions the mask marks, MLP ${[MODEL.dim, ...MODEL.hidden, MODEL.classes].join('-')}, plus a per-token output
cut back per request), one row of 1-128 tokens per request (uniform, every body different, no
mask sent: the runtime fills it). **A**: batched, padded to the longest of each batch
(\`apis[].batching.padding\`) within the padding bound (at most twice the positions its requests
sent, and \`--max-padded-batch-bytes\`), max batch ${MAX_BATCH}, bound ${BOUND_MS} ms; **B**: the same bento with \`--no-batching\`.
Closed loop (c requests always outstanding), ${SECONDS} s per point, A and B alternating, ${REPEATS} repetitions:
medians, ratio spread in brackets. Answers: ${compared} requests sent at once to A compared with the same sent one by one to B,
${unequal} not allclose (rtol = atol = 1e-5; the pooled output can differ in the last bits, since
ORT's reduction adds the zero padding in another order).

| c | A answers/s | B answers/s | A / B | A p50 / p99 ms | B p50 / p99 ms |
|---|---|---|---|---|---|
${rows.join('\n')}

\`\`\`mermaid
xychart-beta
  title "Padded batching over unbatched (answers/s ratio)"
  x-axis "concurrency" [${LEVELS.join(', ')}]
  y-axis "A / B"
  bar [${chart}]
\`\`\`
${hostileText(rounds.length, hostile, memory)}`;
  await updateSection(values.doc, section, '## Padding');
  process.stdout.write(section);
}

const mib = (bytes: number) => `${fmt(bytes / 2 ** 20, 1)} MiB`;

function hostileText(
  rounds: number,
  hostile: { without: HostileFigures; with: HostileFigures },
  memory?: { without: ServerMemory; with: ServerMemory },
): string {
  const row = (name: string, f: HostileFigures) =>
    `| ${name} | ${mib(f.peakBytes)} | ${fmt(f.paddedOverReal, 2)}x | ${f.batches} | ${fmt(f.ms, 0)} |`;
  const served = memory
    ? `\nServed (\`--before-server\`: a runtime built before the bound), the same rounds as JSON requests: peak
resident memory of the runtime process **${mib(memory.without.peak)}** without the bound against
**${mib(memory.with.peak)}** with it (${mib(memory.without.before)} and ${mib(memory.with.before)} before the rounds;
${memory.without.failed + memory.with.failed} requests not answered 200).\n`
    : '';
  return `
### One long request among short ones

${rounds} rounds of 64 requests sent at once: one of ${LONG} tokens at a random place among 63 of 1-128
(\`--hostile-rounds\`), through the runtime's own batching (Inference) on one ONNX Runtime session in
the benchmark's process, with the padding bound as served and without it (ratio and byte cap
infinite: the behaviour before the bound). What each batch handed the model, read from its tensors
(the mask the runtime fills marks the real positions):

| | largest batch's padded inputs | positions to the model / sent | batches | ms, all rounds |
|---|---|---|---|---|
${row('without the bound', hostile.without)}
${row('with the bound', hostile.with)}
${served}`;
}

await main();
