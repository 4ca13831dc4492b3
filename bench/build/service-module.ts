/**
 * Service-module builds: `bentoci build` of the iris example's service module
 * (examples/iris/bentofile.hooks.yaml) with native esbuild against the WebAssembly build that dist/
 * carries for checkouts without node_modules, alternating in one session; and what esbuild-wasm adds
 * to dist/.
 *
 *   node --import tsx bench/build/service-module.ts [--dist dist] [--reps 5]
 *
 * The native run uses a copy of dist/ inside this package (esbuild resolves from node_modules); the
 * wasm run a copy in a directory with no node_modules above it, as an action's checkout. The project
 * is copied there too, so neither finds esbuild through it. Prints a Markdown table.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { irisModel, twoInputModel } from '../../examples/models.js';

const { values } = parseArgs({
  options: { dist: { type: 'string', default: 'dist' }, reps: { type: 'string', default: '5' } },
});
const reps = Number(values.reps);
if (!Number.isInteger(reps) || reps < 1) throw new Error(`--reps ${values.reps}: a whole number >= 1`);
const dist = resolve(values.dist);

function bytesBelow(dir: string): number {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .reduce((sum, e) => sum + statSync(join(e.parentPath, e.name)).size, 0);
}

const outside = [tmpdir(), '/var/tmp', '/dev/shm'].find((dir) => {
  try {
    createRequire(join(dir, 'probe.js')).resolve('esbuild');
    return false;
  } catch {
    return true;
  }
});
if (!outside) throw new Error('no temp directory without esbuild resolvable above it');

mkdirSync(resolve('node_modules', '.cache'), { recursive: true });
const inside = mkdtempSync(resolve('node_modules', '.cache', 'bench-service-module-'));
const far = mkdtempSync(join(outside, 'bench-service-module-'));
try {
  cpSync(dist, join(inside, 'dist'), { recursive: true });
  cpSync(dist, join(far, 'dist'), { recursive: true });
  const project = join(far, 'work', 'iris');
  cpSync(resolve('examples', 'iris'), project, { recursive: true, filter: (s) => !s.endsWith('models') });
  mkdirSync(join(project, 'models'));
  writeFileSync(join(project, 'models', 'iris.onnx'), irisModel());
  writeFileSync(join(project, 'models', 'two_inputs.onnx'), twoInputModel());
  const home = join(far, 'home');

  const cli = (which: 'native' | 'wasm', args: string[]) => {
    const root = which === 'native' ? inside : far;
    const started = process.hrtime.bigint();
    const run = spawnSync(process.execPath, [join(root, 'dist', 'cli.js'), ...args], {
      cwd: join(far, 'work'),
      env: { ...process.env, BENTOCI_HOME: home },
      encoding: 'utf8',
    });
    if (run.status !== 0) throw new Error(`${which}: bentoci ${args.join(' ')}: ${run.stderr}`);
    return Number(process.hrtime.bigint() - started) / 1e6;
  };
  cli('native', ['models', 'save', 'iris', 'iris/models/iris.onnx']);
  cli('native', ['models', 'save', 'two_inputs', 'iris/models/two_inputs.onnx']);
  const times: Record<'native' | 'wasm', number[]> = { native: [], wasm: [] };
  for (let rep = 0; rep < reps; rep++) {
    for (const which of rep % 2 === 0 ? (['native', 'wasm'] as const) : (['wasm', 'native'] as const)) {
      const ms = cli(which, [
        'build',
        '-f',
        'iris/bentofile.hooks.yaml',
        '--version',
        `${which}${rep}`,
        'iris',
      ]);
      times[which].push(ms);
      process.stderr.write(`${which} ${rep + 1}/${reps}: ${(ms / 1000).toFixed(2)} s\n`);
    }
  }
  const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  };
  const secs = (ms: number) => (ms / 1000).toFixed(2);
  const row = (which: 'native' | 'wasm') =>
    `| ${which === 'native' ? 'native esbuild (node_modules)' : 'esbuild-wasm (dist/esbuild-wasm)'} | ${secs(median(times[which]))} s | ${secs(Math.min(...times[which]))}-${secs(Math.max(...times[which]))} s |`;
  const wasmBytes = bytesBelow(join(dist, 'esbuild-wasm'));
  const total = bytesBelow(dist);
  const mib = (b: number) => (b / 2 ** 20).toFixed(1);
  console.log(
    [
      '| esbuild | median `bentoci build` | spread (min-max) |',
      '|---|---|---|',
      row('native'),
      row('wasm'),
      '',
      `wasm / native: ${(median(times.wasm) / median(times.native)).toFixed(1)}x; difference ${secs(median(times.wasm) - median(times.native))} s. ${reps} runs each, alternating.`,
      `dist/esbuild-wasm: ${mib(wasmBytes)} MiB of dist/'s ${mib(total)} MiB.`,
      `Machine: ${cpus().length} x ${cpus()[0]?.model.trim()}, load average ${loadavg()[0]!.toFixed(1)} at the end, Node ${process.version}.`,
    ].join('\n'),
  );
} finally {
  rmSync(inside, { recursive: true, force: true });
  rmSync(far, { recursive: true, force: true });
}
