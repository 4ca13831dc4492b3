/** The goodput benchmark's results: types, the targets read from them, a table and a chart per model. */
import { variantLabel } from './report.js';

export interface GoodputPoint {
  /** Answers within the bound per second. */
  goodput: number;
  /** 503s among all answers. */
  rejectShare: number;
  /** Admitted answers past the bound, by the server's own count. */
  lateShare: number;
  /** p99 latency of 200 answers (ms), from the client. */
  p99: number;
  /** Per request body (the conv model's image sizes). */
  perBody: Record<string, { rejectShare: number; answers: number }>;
  /** Lowest and highest goodput over the repetitions. */
  spread?: [number, number];
}

export interface GoodputModel {
  model: string;
  description: string;
  /** A's best closed-loop goodput: what the overload points are a share of. */
  capacity: number;
  points: Array<{ load: string; results: Record<string, GoodputPoint> }>;
}

export interface GoodputTarget {
  model: string;
  target: string;
  measured: string;
  met: boolean | 'tie';
}

const pct = (x: number, digits = 0) => `${(100 * x).toFixed(digits)}%`;
const isOverload = (load: string) => !load.startsWith('small only');

export function goodputTargets(m: GoodputModel, boundMs: number): GoodputTarget[] {
  const targets: GoodputTarget[] = [];
  const overload = m.points.filter((p) => isOverload(p.load) && p.results['A']);
  const ratios = overload.map((p) => ({ load: p.load, ratio: p.results['A']!.goodput / m.capacity }));
  const worst = ratios.reduce((w, r) => (r.ratio < w.ratio ? r : w), {
    load: '-',
    ratio: Number.POSITIVE_INFINITY,
  });
  targets.push({
    model: m.model,
    target: 'A goodput >= 90% of capacity at every overload point',
    measured: ratios.map((r) => `${r.load} ${pct(r.ratio)}`).join(', '),
    met: worst.ratio >= 0.9,
  });
  const late = overload.map((p) => p.results['A']!.lateShare);
  targets.push({
    model: m.model,
    target: 'late admitted answers <= 0.1% (server count)',
    measured: `worst ${pct(Math.max(...late), 2)}`,
    met: Math.max(...late) <= 0.001,
  });
  // Ahead of every peer: at each point A's lowest repetition above the peer's highest is a win,
  // overlapping spreads a tie.
  for (const p of overload) {
    const a = p.results['A']!;
    let verdict: GoodputTarget['met'] = true;
    const behind: string[] = [];
    for (const [variant, r] of Object.entries(p.results)) {
      if (variant === 'A') continue;
      const [aLow, aHigh] = a.spread ?? [a.goodput, a.goodput];
      const [pLow, pHigh] = r.spread ?? [r.goodput, r.goodput];
      if (aLow > pHigh) continue;
      if (aHigh < pLow) {
        verdict = false;
        behind.push(`${variant} ${r.goodput.toFixed(0)}`);
      } else if (verdict === true) verdict = 'tie';
    }
    targets.push({
      model: m.model,
      target: `${p.load}: A ahead of every peer beyond the spread`,
      measured: `A ${a.goodput.toFixed(0)}/s${behind.length ? `; behind ${behind.join(', ')}` : ''}`,
      met: verdict,
    });
  }
  const before = m.points.find((p) => p.load.startsWith('small only, before'))?.results['A'];
  const after = m.points.find((p) => p.load.startsWith('small only, after'))?.results['A'];
  if (before && after) {
    targets.push({
      model: m.model,
      target: 'no more refusals of small requests after large ones than before',
      measured: `503 ${pct(before.rejectShare, 1)} before, ${pct(after.rejectShare, 1)} after`,
      met: after.rejectShare <= before.rejectShare + 0.01,
    });
    const p99s = overload.map((p) => p.results['A']!.p99);
    targets.push({
      model: m.model,
      target: `p99 of admitted answers within ${boundMs} ms on the mix (client view)`,
      measured: `worst ${Math.max(...p99s).toFixed(1)} ms`,
      met: Math.max(...p99s) <= boundMs,
    });
  }
  return targets;
}

function table(m: GoodputModel): string {
  const variants = Object.keys(m.points[0]?.results ?? {});
  const head = `| load | ${variants.map(variantLabel).join(' | ')} |\n|---|${variants.map(() => '---').join('|')}|`;
  const rows = m.points.map((p) => {
    const cells = variants.map((v) => {
      const r = p.results[v];
      if (!r) return '-';
      const sizes = Object.entries(r.perBody);
      const bySize =
        sizes.length > 1
          ? `; 503 by size ${sizes.map(([n, b]) => `${n} ${pct(b.rejectShare)}`).join(', ')}`
          : '';
      const spread = r.spread
        ? ` (${(r.spread[0] / m.capacity).toFixed(2)}-${(r.spread[1] / m.capacity).toFixed(2)})`
        : '';
      return `${(r.goodput / m.capacity).toFixed(2)}x${spread}, 503 ${pct(r.rejectShare)}, late ${pct(r.lateShare, 2)}, p99 ${r.p99.toFixed(1)} ms${bySize}`;
    });
    return `| ${p.load} | ${cells.join(' | ')} |`;
  });
  return [head, ...rows].join('\n');
}

/** Goodput as a share of capacity at each load, one line per variant. */
function chart(m: GoodputModel): string {
  const points = m.points.filter((p) => isOverload(p.load));
  const variants = Object.keys(points[0]?.results ?? {});
  const lines = variants.map(
    (v) =>
      `    line [${points.map((p) => ((p.results[v]?.goodput ?? 0) / m.capacity).toFixed(2)).join(', ')}]`,
  );
  return [
    '```mermaid',
    'xychart-beta',
    `    title "${m.model}: goodput / capacity (lines in legend order)"`,
    `    x-axis [${points.map((p) => `"${p.load}"`).join(', ')}]`,
    '    y-axis "share of capacity" 0 --> 1.2',
    ...lines,
    '```',
  ].join('\n');
}

export function goodputMarkdown(
  results: GoodputModel[],
  meta: { command: string; machine: string; settings: string; date: string },
  boundMs: number,
): string {
  const parts = [
    '## Goodput',
    '',
    `Answers within the ${boundMs} ms bound per second, as a share of capacity (A's best closed-loop goodput), under overload: open loop at 1x, 2x and 4x capacity, and closed loop with clients that resend the moment any answer (a 503 too) comes back. "late" is the server's own count of admitted answers past the bound. Cells: goodput/capacity (spread over repetitions), 503 share, late share, p99 of 200 answers.`,
    '',
    `Command: \`${meta.command}\`. Machine: ${meta.machine}. ${meta.settings}. Run ${meta.date}.`,
    '',
  ];
  for (const m of results) {
    parts.push(`### ${m.model}: ${m.description}`, '', `Capacity: ${m.capacity.toFixed(0)} answers/s.`, '');
    parts.push(
      table(m),
      '',
      chart(m),
      '',
      `Legend: ${Object.keys(m.points[0]?.results ?? {})
        .map(variantLabel)
        .join('; ')}.`,
      '',
    );
    parts.push('| target | measured | met |', '|---|---|---|');
    for (const t of goodputTargets(m, boundMs))
      parts.push(
        `| ${t.target} | ${t.measured} | ${t.met === 'tie' ? 'tie (within spread)' : t.met ? 'yes' : 'no'} |`,
      );
    parts.push('');
  }
  return `${parts.join('\n')}\n`;
}
