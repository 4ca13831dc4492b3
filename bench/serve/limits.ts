/**
 * The limits A is measured against. L_model: the best rows/s ONNX Runtime reaches in-process over
 * batch sizes and thread layouts (one session with 1 or all threads, or one single-threaded session
 * per core, run as separate processes at once). t_run(1): the median time of one single-row run
 * with the runtime's own layout. L_http: a no-op node:http endpoint with the same payload, under the
 * same load generator.
 */
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';

const LIMIT_SCRIPT = fileURLToPath(new URL('./model-limit.ts', import.meta.url));

interface LimitRun {
  rows_per_s: number;
  median_ms: number;
}

function runLimit(
  onnx: string,
  features: number,
  threads: number,
  batch: number,
  seconds: number,
  spinning = false,
): Promise<LimitRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        LIMIT_SCRIPT,
        onnx,
        String(features),
        String(threads),
        String(batch),
        String(seconds),
        spinning ? '1' : '0',
      ],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.on('exit', (code) => {
      if (code !== 0) reject(new Error(`model-limit failed (${code}): ${err.trim()}`));
      else resolve(JSON.parse(out.trim().split('\n').at(-1)!) as LimitRun);
    });
  });
}

export interface ModelLimit {
  rowsPerS: number;
  best: { sessions: number; threads: number; batch: number };
  /** Median single-row session.run (ms) with the runtime's layout. */
  tRun1Ms: number;
  points: Array<{ sessions: number; threads: number; batch: number; rowsPerS: number }>;
}

export async function measureModelLimit(
  onnx: string,
  features: number,
  options: { seconds: number; maxBatch: number; runtimeThreads: number },
): Promise<ModelLimit> {
  const cores = availableParallelism();
  const layouts = [
    { sessions: 1, threads: 1 },
    { sessions: 1, threads: cores },
    { sessions: cores, threads: 1 },
  ].filter((l, i, all) => all.findIndex((m) => m.sessions === l.sessions && m.threads === l.threads) === i);
  const points: ModelLimit['points'] = [];
  for (const layout of layouts) {
    for (let batch = 1; batch <= Math.max(256, options.maxBatch); batch *= 2) {
      const runs = await Promise.all(
        Array.from({ length: layout.sessions }, () =>
          runLimit(onnx, features, layout.threads, batch, options.seconds),
        ),
      );
      points.push({ ...layout, batch, rowsPerS: runs.reduce((s, r) => s + r.rows_per_s, 0) });
    }
  }
  const best = points.reduce((a, b) => (b.rowsPerS > a.rowsPerS ? b : a));
  const single = await runLimit(onnx, features, options.runtimeThreads, 1, options.seconds);
  return {
    rowsPerS: best.rowsPerS,
    best: { sessions: best.sessions, threads: best.threads, batch: best.batch },
    tRun1Ms: single.median_ms,
    points,
  };
}
