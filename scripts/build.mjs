#!/usr/bin/env node
// Bundles the CLI, the action entries and the serving runtime into dist/ with esbuild.
// `node scripts/build.mjs --outdir DIR` builds elsewhere (the drift test compares that with dist/).
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import * as esbuild from 'esbuild';

const { values } = parseArgs({ options: { outdir: { type: 'string', default: 'dist' } } });
const outdir = values.outdir;

const entryPoints = [{ in: 'src/cli.ts', out: 'cli' }];
const actionsDir = 'src/actions/entries';
if (existsSync(actionsDir)) {
  for (const file of readdirSync(actionsDir)
    .filter((f) => f.endsWith('.ts'))
    .sort()) {
    entryPoints.push({ in: join(actionsDir, file), out: basename(file, '.ts') });
  }
}
const runtimeEntryPoints = ['server.ts', 'worker.ts']
  .filter((file) => existsSync(join('runtime', file)))
  .map((file) => ({ in: join('runtime', file), out: basename(file, '.ts') }));

const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // Native code stays outside the bundle: ORT ships its binary in its package; ssh2's optional
  // accelerators are loaded in try/catch and fall back to JavaScript.
  external: ['onnxruntime-node', 'cpu-features', '*.node'],
  // CommonJS dependencies (ssh2 via dockerode) use require, __dirname and __filename; ESM output needs them in scope.
  banner: {
    js: [
      "import { createRequire as __bentociCreateRequire } from 'node:module';",
      'const require = __bentociCreateRequire(import.meta.url);',
    ].join(' '),
  },
  // Only free __dirname/__filename are replaced: a banner `const __dirname` collides with bundled ESM
  // modules that declare their own (@azure/storage-common, under @actions/cache) and fails to parse.
  define: { __dirname: 'import.meta.dirname', __filename: 'import.meta.filename' },
  legalComments: 'none',
  logLevel: 'warning',
  // Deterministic output, so the drift check compares like with like.
  sourcemap: false,
  minify: false,
};

rmSync(outdir, { recursive: true, force: true });
// The CLI and the actions share most of their code: split into chunks beside the entries (same
// directory, so paths the code resolves from import.meta.url stay right), which keeps dist/ and the
// checkout every `uses:` downloads a fraction of one whole bundle per entry.
await esbuild.build({ ...common, entryPoints, outdir, splitting: true });
// The runtime is what images copy (dist/runtime/*.js): self-contained, sharing nothing with the CLI.
await esbuild.build({ ...common, entryPoints: runtimeEntryPoints, outdir: join(outdir, 'runtime') });
