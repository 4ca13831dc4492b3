/** Results of the serving benchmark: the targets, tables, Mermaid charts and the docs section. */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import type { CpuPerRequest } from './cpu.js';
import type { ModelLimit } from './limits.js';
import type { LoadResult } from './load.js';
import { PEERS, type PeerName } from './policies.js';

export interface ClosedPoint extends LoadResult {
  connections: number;
  cpu: CpuPerRequest;
}

export interface OpenPoint extends LoadResult {
  cpu: CpuPerRequest;
  /** Multiple of A's capacity. */
  factor: number;
  offered: number;
}

export interface ModelResults {
  model: string;
  description: string;
  boundMs: number;
  maxBatch: number;
  limits: ModelLimit & {
    httpRps: number;
    sysRps: number;
    httpBinaryRps: number;
    sysBinaryRps: number;
    /** CPU per request of the no-op endpoint at its best point. */
    httpCpu: CpuPerRequest;
  };
  closed: Record<string, ClosedPoint[]>;
  open: Record<string, OpenPoint[]>;
  /** A at the highest open-loop rate: its own count of admitted requests answered late. */
  overload?: { factor: number; ok: number; rejected: number; missed: number; otherErrors: number };
  machine: { before: string; after: string };
}

export interface Target {
  model: string;
  target: string;
  measured: string;
  met: boolean;
}

export function variantLabel(variant: string): string {
  if (variant === 'A') return 'A bentoci, batching on';
  if (variant === 'A-bin') return 'A bentoci, batching on, binary bodies';
  if (variant === 'B') return 'B bentoci, batching off';
  if (variant === 'C') return 'C plain node:http + ORT';
  const peer = variant.slice(2) as PeerName;
  return `P ${PEERS[peer] ?? peer}`;
}

const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : '-');
const ms = (n: number) => (Number.isFinite(n) ? (n < 10 ? n.toFixed(2) : n.toFixed(1)) : '-');

/** The best throughput among points whose p99 stays within the bound (goodput at equal p99). */
export function goodput(points: readonly LoadResult[], boundMs: number): number {
  return Math.max(0, ...points.filter((p) => p.ok > 0 && p.p99 <= boundMs).map((p) => p.throughput));
}

export function evaluate(r: ModelResults): Target[] {
  const targets: Target[] = [];
  const a = r.closed['A'] ?? [];
  const at = (variant: string, c: number) => r.closed[variant]?.find((p) => p.connections === c);
  const high = a.filter((p) => p.connections >= 32);
  for (const base of ['B', 'C']) {
    if (!r.closed[base] || high.length === 0) continue;
    const ratios = high.map((p) => ({
      c: p.connections,
      ratio: p.throughput / (at(base, p.connections)?.throughput ?? Number.NaN),
    }));
    const worst = ratios.reduce((x, y) => (y.ratio < x.ratio ? y : x));
    targets.push({
      model: r.model,
      target: `A >= 3x ${base} at concurrency >= 32`,
      measured: ratios.map((x) => `${x.c}: ${fmt(x.ratio, 2)}x`).join(', '),
      met: worst.ratio >= 3,
    });
  }
  const aGood = goodput([...a, ...(r.open['A'] ?? [])], r.boundMs);
  const peers = Object.keys(r.closed).filter((v) => v.startsWith('P:'));
  if (peers.length > 0 && a.length > 0) {
    const peerGood = peers.map((v) => ({
      v,
      good: goodput([...(r.closed[v] ?? []), ...(r.open[v] ?? [])], r.boundMs),
    }));
    targets.push({
      model: r.model,
      target: `A ahead of every P at equal p99 (best req/s with p99 <= ${r.boundMs} ms)`,
      measured: `A ${fmt(aGood)}; ${peerGood.map((p) => `${p.v.slice(2)} ${fmt(p.good)}`).join(', ')}`,
      met: peerGood.every((p) => aGood > p.good),
    });
  }
  if (a.length > 0) {
    const saturation = Math.max(...a.map((p) => p.throughput));
    const top = a.find((p) => p.throughput === saturation)!;
    targets.push({
      model: r.model,
      target: 'A >= 90% of L_sys at saturation',
      measured: `${fmt(saturation)} req/s = ${fmt((100 * saturation) / r.limits.sysRps, 1)}% of L_sys ${fmt(r.limits.sysRps)} (server CPU per request: A ${fmt(top.cpu.serverUs)} µs, no-op ${fmt(r.limits.httpCpu.serverUs)} µs)`,
      met: saturation >= 0.9 * r.limits.sysRps,
    });
    const bin = r.closed['A-bin'];
    if (bin && r.limits.sysBinaryRps > 0) {
      const best = Math.max(...bin.map((p) => p.throughput));
      targets.push({
        model: r.model,
        target: 'same, with binary (octet-stream) bodies against L_sys of that payload',
        measured: `${fmt(best)} req/s = ${fmt((100 * best) / r.limits.sysBinaryRps, 1)}% of L_sys ${fmt(r.limits.sysBinaryRps)}`,
        met: best >= 0.9 * r.limits.sysBinaryRps,
      });
    }
    const one = at('A', 1);
    if (one) {
      targets.push({
        model: r.model,
        target: "A's p50 at concurrency 1 within 1 ms of t_run(1)",
        measured: `p50 ${ms(one.p50)} ms, t_run(1) ${ms(r.limits.tRun1Ms)} ms (+${ms(one.p50 - r.limits.tRun1Ms)} ms)`,
        met: one.p50 - r.limits.tRun1Ms <= 1,
      });
    }
  }
  if (r.overload) {
    const o = r.overload;
    const top = r.open['A']?.find((p) => p.factor === o.factor);
    targets.push({
      model: r.model,
      target: `at ${o.factor}x overload A's admitted requests meet the bound, the rest get 503`,
      measured: `${o.ok} answered, ${o.missed} of them late (server count), ${o.rejected} x 503, ${o.otherErrors} other errors; client p99 ${ms(top?.p99 ?? Number.NaN)} ms`,
      met: o.missed === 0 && o.otherErrors === 0 && o.rejected > 0,
    });
  }
  return targets;
}

function closedTable(r: ModelResults): string {
  const levels = [...new Set(Object.values(r.closed).flatMap((ps) => ps.map((p) => p.connections)))].sort(
    (x, y) => x - y,
  );
  const head = `| variant | ${levels.map((c) => `c=${c}`).join(' | ')} |\n|---|${levels.map(() => '---:').join('|')}|`;
  const rows = Object.entries(r.closed).map(([v, ps]) => {
    const cells = levels.map((c) => {
      const p = ps.find((x) => x.connections === c);
      if (!p) return '-';
      return `${fmt(p.throughput)} / ${ms(p.p50)} / ${ms(p.p99)}${p.rejectRate > 0 ? ` / ${fmt(100 * p.rejectRate, 1)}%` : ''}`;
    });
    return `| ${variantLabel(v)} | ${cells.join(' | ')} |`;
  });
  return [head, ...rows].join('\n');
}

function openTable(r: ModelResults): string {
  const head =
    '| variant | x capacity | offered req/s | answered req/s | p50 ms | p95 ms | p99 ms | 503 |\n|---|---:|---:|---:|---:|---:|---:|---:|';
  const rows = Object.entries(r.open).flatMap(([v, ps]) =>
    ps.map(
      (p) =>
        `| ${variantLabel(v)} | ${p.factor} | ${fmt(p.offered)} | ${fmt(p.throughput)} | ${ms(p.p50)} | ${ms(p.p95)} | ${ms(p.p99)} | ${fmt(100 * p.rejectRate, 1)}% |`,
    ),
  );
  return [head, ...rows].join('\n');
}

function chart(r: ModelResults): string {
  const variants = Object.keys(r.closed).filter((v) => v !== 'A-bin');
  const best = variants.map((v) => Math.max(0, ...(r.closed[v] ?? []).map((p) => p.throughput)));
  const good = variants.map((v) => goodput([...(r.closed[v] ?? []), ...(r.open[v] ?? [])], r.boundMs));
  const top = Math.max(r.limits.sysRps, ...best) * 1.1;
  const names = variants.map((v) => `"${v}"`).join(', ');
  return [
    '```mermaid',
    'xychart-beta',
    `  title "${r.model}: best req/s (bars) and best req/s with p99 <= ${r.boundMs} ms (line); L_sys = ${fmt(r.limits.sysRps)}"`,
    `  x-axis [${names}]`,
    `  y-axis "requests/s" 0 --> ${Math.ceil(top)}`,
    `  bar [${best.map((x) => Math.round(x)).join(', ')}]`,
    `  line [${good.map((x) => Math.round(x)).join(', ')}]`,
    '```',
  ].join('\n');
}

/** Where the cores go: CPU per request at each variant's best closed-loop point. */
function cpuLine(r: ModelResults): string {
  const us = (c: CpuPerRequest) => `${fmt(c.serverUs)} / ${fmt(c.clientUs)}`;
  const parts = [`no-op ${us(r.limits.httpCpu)}`];
  for (const [variant, points] of Object.entries(r.closed)) {
    const best = points.reduce((x, y) => (y.throughput > x.throughput ? y : x));
    parts.push(`${variant} ${us(best.cpu)} (c=${best.connections})`);
  }
  return `CPU per request at each variant's best closed-loop point, server (all its threads) / load generator, µs: ${parts.join('; ')}.`;
}

export function markdown(
  results: readonly ModelResults[],
  meta: { command: string; machine: string; settings: string; date: string },
): string {
  const out: string[] = [
    '## Serving',
    '',
    'The runtime (`bentoci serve`, dist/runtime/server.js) against itself with batching off, a',
    "hand-written node:http + onnxruntime-node server, and peers' batching policies re-implemented on",
    'the same runtime (same HTTP, workers and tensors; only the batching decision differs), all driven',
    'in the same run on the same machine, one JSON row per request. Every server is up for the whole',
    'model and the variants take turns at each point (repetition i starts one further along the list),',
    'so drift on the shared host falls on all of them alike. Closed loop (autocannon): c',
    'connections, each sending its next request when the last is answered. Open loop',
    "(bench/serve/open-loop.ts): a fixed rate, a multiple of A's best closed-loop throughput, evenly",
    'spaced on up to rate x bound keep-alive sockets (256 to 1024), latency measured from when each',
    "request was due, throughput over the time to the last answer. autocannon's `overallRate` is not",
    'used: it resets a per-connection budget once a second, so it sends a burst at the top of every',
    'second, not a rate. The generator shares the two cores with the server: at 2x it falls behind',
    'its schedule, which shows as client latency. "A, binary bodies" sends the same row as raw',
    'float32 bytes. Each point is the median',
    'of its repetitions after a discarded warm-up; latencies are of 200 answers, 503s are counted',
    'apart. Limits: L_model = best in-process rows/s over batch sizes and thread layouts, L_http = a',
    'no-op node:http endpoint with the same payload, L_sys = 1 / (1/L_http + 1/L_model) (client and',
    'server share the cores).',
    '',
    `Settings: ${meta.settings}. ${meta.machine}. Run ${meta.date}.`,
    '',
    'Reproduce: `' + meta.command + '` (quick: `BENCH_SERVE_QUICK=1`; see bench/serve/config.ts for',
    'every knob: BENCH_SERVE_SECONDS, _WARMUP, _REPS, _CONCURRENCY, _RATES, _MODELS, _VARIANTS, _BOUND_MS).',
    '',
    '### Targets',
    '',
    '| model | target | measured | met |',
    '|---|---|---|---|',
    ...results.flatMap((r) =>
      evaluate(r).map((t) => `| ${t.model} | ${t.target} | ${t.measured} | ${t.met ? 'yes' : '**no**'} |`),
    ),
  ];
  for (const r of results) {
    const l = r.limits;
    out.push(
      '',
      `### ${r.model}: ${r.description}`,
      '',
      `L_model ${fmt(l.rowsPerS)} rows/s (${l.best.sessions} session(s) x ${l.best.threads} thread(s), batch ${l.best.batch}); t_run(1) ${ms(l.tRun1Ms)} ms; L_http ${fmt(l.httpRps)} req/s JSON${l.httpBinaryRps ? `, ${fmt(l.httpBinaryRps)} binary` : ''}; L_sys ${fmt(l.sysRps)} req/s JSON${l.sysBinaryRps ? `, ${fmt(l.sysBinaryRps)} binary` : ''}. Bound ${r.boundMs} ms, max batch ${r.maxBatch}. Machine load before/after: ${r.machine.before} / ${r.machine.after}.`,
      '',
      cpuLine(r),
      '',
      chart(r),
      '',
      'Closed loop, per concurrency: req/s / p50 ms / p99 ms (/ 503 share when any).',
      '',
      closedTable(r),
      '',
      'Open loop:',
      '',
      openTable(r),
    );
  }
  return `${out.join('\n')}\n`;
}

/** Replaces (or appends) the "## Serving" section of the benchmarks document, leaving the others alone. */
/** Replaces the section under `heading` in the doc (or appends it), leaving the other sections be. */
export async function updateSection(path: string, section: string, heading = '## Serving'): Promise<void> {
  const current = existsSync(path) ? await readFile(path, 'utf8') : '# Benchmarks\n';
  const lines = current.split('\n');
  const start = lines.findIndex((l) => l.trim() === heading);
  let text: string;
  if (start === -1) text = `${current.replace(/\n*$/, '\n\n')}${section}`;
  else {
    let end = lines.findIndex((l, i) => i > start && /^## /.test(l));
    if (end === -1) end = lines.length;
    const before = lines.slice(0, start).join('\n').replace(/\n*$/, '\n\n');
    const after = lines.slice(end).join('\n');
    text = `${before}${section.replace(/\n*$/, '\n')}${after ? `\n${after}` : ''}`;
  }
  await writeFile(path, text.replace(/\n*$/, '\n'));
}
