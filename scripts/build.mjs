#!/usr/bin/env node
// Bundles the CLI, the action entries and the serving runtime into dist/ with esbuild, and copies
// esbuild-wasm beside them (dist/esbuild-wasm/) for service modules built where no esbuild is installed.
// `node scripts/build.mjs --outdir DIR` builds elsewhere (the drift test compares that with dist/).
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, relative, resolve } from 'node:path';
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

/**
 * `require('x.node')` of a native addon stays a run-time require; a module merely named `*.node`
 * (@cyclonedx/cyclonedx-library's `./index.node`, a .js file) is bundled like any other.
 */
function nativeAddonsExternal() {
  return {
    name: 'native-addons-external',
    setup(build) {
      build.onResolve({ filter: /\.node$/ }, (args) =>
        existsSync(join(args.resolveDir, `${args.path}.js`))
          ? undefined
          : { path: args.path, external: true },
      );
    },
  };
}

const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // Native code stays outside the bundle: ORT ships its binary in its package; ssh2's optional
  // accelerators are loaded in try/catch and fall back to JavaScript.
  // @cyclonedx/cyclonedx-library's XML support (optional peers, not installed) is tried and skipped.
  external: ['onnxruntime-node', 'cpu-features', 'xmlbuilder2', 'libxmljs2'],
  plugins: [nativeAddonsExternal()],
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
const split = await esbuild.build({
  ...common,
  entryPoints,
  outdir,
  splitting: true,
  write: false,
  metafile: true,
});
writeOutputs(stableNames(split), outdir);
// The runtime is what images copy (dist/runtime/*.js): self-contained, sharing nothing with the CLI.
await esbuild.build({ ...common, entryPoints: runtimeEntryPoints, outdir: join(outdir, 'runtime') });
copyEsbuildWasm(join(outdir, 'esbuild-wasm'));

/**
 * Stable file names. esbuild names a chunk after a hash that covers the chunks it imports, so one edit
 * in a module every chunk imports (core/errors.ts) renamed every chunk, and every entry's import
 * lines with it. A chunk is the code one set of entries shares (esbuild makes one chunk per set), so
 * it is named here after that set: `chunk.cli+pipeline.js`. A rebuild of unchanged code writes
 * identical files; an edit changes the files holding the edited code and no names, unless it changes
 * which entries share what. Dynamic imports (`import('p-map')`) become `<name>.js`.
 */
function stableNames(result) {
  const outputs = result.metafile.outputs;
  const hashed = (file) => /-[A-Z0-9]{8}\.js$/.test(file);
  // Static imports only: a dynamic import starts another entry, whose chunks are its own.
  const staticImports = (file) =>
    outputs[file].imports.filter((i) => i.kind === 'import-statement' && !i.external).map((i) => i.path);
  const entries = Object.keys(outputs).filter((file) => outputs[file].entryPoint);
  const entryName = (file) => basename(file, '.js').replace(/-[A-Z0-9]{8}$/, '');
  const sharedBy = new Map();
  for (const entry of entries) {
    const seen = new Set();
    const visit = (file) => {
      for (const next of staticImports(file)) {
        if (seen.has(next)) continue;
        seen.add(next);
        if (!outputs[next].entryPoint) sharedBy.set(next, [...(sharedBy.get(next) ?? []), entryName(entry)]);
        visit(next);
      }
    };
    visit(entry);
  }
  const renames = new Map();
  for (const file of Object.keys(outputs).filter(hashed)) {
    const name = outputs[file].entryPoint
      ? `${entryName(file)}.js`
      : `chunk.${[...new Set(sharedBy.get(file))].sort().join('+')}.js`;
    renames.set(basename(file), name);
  }
  const names = [...renames.values()];
  const clash = names.find((n, i) => names.indexOf(n) !== i);
  if (clash) throw new Error(`build: two outputs would be named ${clash}`);
  return result.outputFiles.map((out) => {
    let text = out.text;
    for (const [from, to] of renames) text = text.replaceAll(`"./${from}"`, `"./${to}"`);
    const rel = relative(resolve(outdir), out.path);
    return { path: renames.get(rel) ?? rel, text };
  });
}

function writeOutputs(files, dir) {
  for (const file of files) {
    mkdirSync(dirname(join(dir, file.path)), { recursive: true });
    writeFileSync(join(dir, file.path), file.text);
  }
}

/**
 * esbuild-wasm's Node API runs its WebAssembly build in a child process found relative to the API's
 * own file, so the package is copied as it is laid out (not bundled): src/build/esbuild-loader.ts
 * imports it from here when neither bentoci's installation nor the project has esbuild, as in an
 * action's checkout, which has no node_modules.
 */
function copyEsbuildWasm(to) {
  const from = join(dirname(createRequire(import.meta.url).resolve('esbuild-wasm')), '..');
  for (const file of [
    'package.json',
    'LICENSE.md',
    'lib/main.js',
    'bin/esbuild',
    'wasm_exec.js',
    'wasm_exec_node.js',
    'esbuild.wasm',
  ]) {
    mkdirSync(dirname(join(to, file)), { recursive: true });
    copyFileSync(join(from, file), join(to, file));
  }
}
