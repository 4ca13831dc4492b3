/**
 * The import rules of the README's layout, checked by `npm run lint` (dependency-cruiser):
 * actions/CLI -> operations -> features -> core -> shared, oci beneath the features, runtime -> shared only.
 * Paths are relative to the directory it runs in, so a test can run it on a fixture tree.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'front-doors-on-top',
      comment:
        'Only the CLI and the actions may import the CLI and the actions: below them nothing knows flags or inputs.',
      severity: 'error',
      from: { path: '^(src|runtime)/', pathNot: '^src/(actions/|cli/|cli\\.ts$)' },
      to: { path: '^src/(actions/|cli/|cli\\.ts$)' },
    },
    {
      name: 'operations-under-front-doors',
      comment:
        'src/operations runs each user-facing operation once for both front doors: only they (and other operations) call it.',
      severity: 'error',
      from: { path: '^(src|runtime)/', pathNot: '^src/(actions/|cli/|cli\\.ts$|operations/)' },
      to: { path: '^src/operations/' },
    },
    {
      name: 'core-over-shared-only',
      comment: 'src/core is the library every feature stands on: it imports src/shared and nothing above.',
      severity: 'error',
      from: { path: '^src/core/' },
      to: { path: '^(src/|runtime/)', pathNot: '^src/((core|shared)/|version\\.ts$)' },
    },
    {
      name: 'shared-stands-alone',
      comment: 'src/shared is what the runtime and the library share: it imports nothing of ours outside it.',
      severity: 'error',
      from: { path: '^src/shared/' },
      to: { path: '^(src/|runtime/)', pathNot: '^src/shared/' },
    },
    {
      name: 'oci-beneath-features',
      comment: 'The OCI client is a library of its own: it may use core and shared, never a feature.',
      severity: 'error',
      from: { path: '^src/oci/' },
      to: { path: '^(src/|runtime/)', pathNot: '^src/(oci|core|shared)/' },
    },
    {
      name: 'runtime-over-shared-only',
      comment: 'Images copy the runtime alone: it may import src/shared and nothing else of src/.',
      severity: 'error',
      from: { path: '^runtime/' },
      to: { path: '^src/', pathNot: '^src/shared/' },
    },
    {
      name: 'library-apart-from-runtime',
      comment:
        "The library does not run models; only the build reads warm-up samples with the runtime's own decoders.",
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/build/warmup\\.ts$' },
      to: { path: '^runtime/' },
    },
    {
      name: 'no-circular',
      comment:
        'A cycle of imports that run makes the layers meaningless and the load order fragile (types may refer back).',
      severity: 'error',
      from: { path: '^(src|runtime)/' },
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist|coverage|\\.tmp)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.mjs', '.json'] },
  },
};
