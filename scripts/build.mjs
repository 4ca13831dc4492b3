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
for (const file of ['server.ts', 'worker.ts']) {
  if (existsSync(join('runtime', file)))
    entryPoints.push({ in: join('runtime', file), out: `runtime/${basename(file, '.ts')}` });
}

rmSync(outdir, { recursive: true, force: true });
await esbuild.build({
  entryPoints,
  outdir,
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
});
