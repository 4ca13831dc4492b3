/**
 * `npm run bench:tensor-flood`: what a flood of large requests makes the runtime hold. A wide model
 * (one row is WIDTH float32 values, 4 MiB) behind a patient API (a long latency bound, so admission
 * lets a deep queue form), and `clients` clients each sending the next large request as soon as the
 * last is answered. Measured: the runtime's peak resident memory over the flood (Linux VmHWM, reset
 * after warm-up), its answers and 503s. With --before-server, a runtime built before the tensor
 * budget runs the same flood, alternating. Writes the "## Tensor budget" section of docs/benchmarks.md.
 *
 *   npm run bench:tensor-flood [-- --seconds 10 --repeats 3 --clients 64 --before-server OLD/runtime/server.js]
 */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { mlpModel } from '../../examples/models.js';
import { buildBento } from '../../src/build/build.js';
import { openModelStore, saveModel } from '../../src/core/model-store.js';
import { freePort, type Proc, residentKb, startProc } from './processes.js';
import { updateSection } from './report.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    repeats: { type: 'string', default: '3' },
    clients: { type: 'string', default: '64' },
    server: { type: 'string', default: 'dist/runtime/server.js' },
    doc: { type: 'string', default: 'docs/benchmarks.md' },
    'before-server': { type: 'string' },
  },
});
const SECONDS = Number(values.seconds);
const REPEATS = Number(values.repeats);
const CLIENTS = Number(values.clients);
const WIDTH = 1 << 20;
const BOUND_MS = 60_000;

async function bento(): Promise<string> {
  const home = await mkdtemp(join(tmpdir(), 'bentoci-bench-flood-'));
  const onnx = join(home, 'wide.onnx');
  await writeFile(onnx, mlpModel({ layers: [WIDTH, 4] }));
  await saveModel(openModelStore(home), { tag: 'wide', source: onnx });
  const context = join(home, 'project');
  await mkdir(context);
  await writeFile(
    join(context, 'bentofile.yaml'),
    `service:
  name: widesvc
  apis:
    - name: score
      model: wide:latest
      batching:
        max_batch_size: 64
        max_latency_ms: ${BOUND_MS}
`,
  );
  const { bento } = await buildBento({ home, context });
  return bento.dir;
}

/** A few distinct request bodies of one row (JSON), reused round-robin. */
function bodies(): string[] {
  return Array.from({ length: 4 }, (_, b) =>
    JSON.stringify({ input: [Array.from({ length: WIDTH }, (_, k) => ((k * 13 + b * 7) % 100) / 100)] }),
  );
}

interface Flood {
  peakMiB: number;
  restMiB: number;
  ok: number;
  refused: number;
  failed: number;
}

async function flood(server: string, dir: string, list: string[]): Promise<Flood> {
  const port = await freePort();
  const proc: Proc = await startProc(
    [server, dir, '--host', '127.0.0.1', '--port', String(port), '--log-level', 'error'],
    port,
    '/readyz',
  );
  const pool = new Pool(proc.url, { connections: CLIENTS, pipelining: 1 });
  try {
    const pid = proc.child.pid!;
    await writeFile(`/proc/${pid}/clear_refs`, '5');
    const rest = await residentKb(pid, 'VmRSS');
    const counts = { ok: 0, refused: 0, failed: 0 };
    const end = Date.now() + SECONDS * 1000;
    let next = 0;
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        while (Date.now() < end) {
          const body = list[next++ % list.length]!;
          try {
            const res = await pool.request({
              path: '/score',
              method: 'POST',
              body,
              headers: { 'content-type': 'application/json' },
            });
            await res.body.arrayBuffer();
            if (res.statusCode === 200) counts.ok++;
            else if (res.statusCode === 503) counts.refused++;
            else counts.failed++;
          } catch {
            counts.failed++;
          }
        }
      }),
    );
    const peak = await residentKb(pid, 'VmHWM');
    return { peakMiB: peak / 1024, restMiB: rest / 1024, ...counts };
  } finally {
    await pool.close();
    await proc.stop();
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const range = (xs: number[]) => `${Math.round(Math.min(...xs))}-${Math.round(Math.max(...xs))}`;

async function main(): Promise<void> {
  const dir = await bento();
  const list = bodies();
  const variants: Array<[string, string]> = [['with the budget', values.server]];
  if (values['before-server']) variants.push(['before the budget', values['before-server']]);
  const runs = new Map<string, Flood[]>();
  for (let r = 0; r < REPEATS; r++) {
    for (const [name, server] of variants) {
      const f = await flood(server, dir, list);
      runs.set(name, [...(runs.get(name) ?? []), f]);
      process.stderr.write(
        `repeat ${r + 1}/${REPEATS} ${name}: peak ${Math.round(f.peakMiB)} MiB (rest ${Math.round(f.restMiB)}), ${f.ok} answered, ${f.refused} refused 503, ${f.failed} failed\n`,
      );
    }
  }
  const rows = variants.map(([name]) => {
    const fs = runs.get(name)!;
    const peaks = fs.map((f) => f.peakMiB);
    return `| ${name} | **${Math.round(median(peaks))}** (${range(peaks)}) | ${Math.round(median(fs.map((f) => f.restMiB)))} | ${median(fs.map((f) => f.ok / SECONDS)).toFixed(1)} | ${median(fs.map((f) => f.refused))} | ${median(fs.map((f) => f.failed))} |`;
  });
  const section = `## Tensor budget

\`npm run bench:tensor-flood -- --seconds ${SECONDS} --repeats ${REPEATS} --clients ${CLIENTS}${values['before-server'] ? ' --before-server OLD/runtime/server.js' : ''}\` (${new Date().toISOString().slice(0, 10)}, this 2-core machine).
A model whose row is ${WIDTH} float32 values (4 MiB decoded, about 2 MiB of JSON) behind an API with a
${BOUND_MS / 1000} s latency bound, so admission lets a deep queue form; ${CLIENTS} clients each send the next
request as soon as the last is answered, for ${SECONDS} s. Peak resident memory of the runtime over the
flood (VmHWM, reset after start-up), medians of ${REPEATS} runs with the range; the runtimes alternate.
The budget is \`--max-tensor-bytes-in-flight\`, default 16 x \`--max-request-bytes\` (512 MiB).

| runtime | peak MiB | at rest MiB | answers/s | 503s | failed |
|---|---|---|---|---|---|
${rows.join('\n')}
`;
  await updateSection(values.doc, section, '## Tensor budget');
  process.stdout.write(section);
}

await main();
