/**
 * Where things live in the build context and in the image. The generated Dockerfile and the context
 * streamed to the engine must agree on these paths, so both read them from here.
 */

/** Paths inside the build context (tar) that the engine receives. */
export const CONTEXT = {
  dockerfile: 'Dockerfile',
  /** runtime/package.json + package-lock.json, and the build CA file when one is given. */
  deps: 'deps',
  /** Optional: the build-time CA bundle, inside `deps/`, never copied into the final stage. */
  caFile: 'build-ca.crt',
  /** The bento's own npm packages (node.packages): package.json and maybe a lockfile. */
  bentoDeps: 'bento-deps',
  /** dist/runtime/*.js, the bundled server and worker. */
  runtime: 'runtime',
  /** The bento's models/ tree, kept apart so each model gets its own layer. */
  models: 'models',
  /** Every other file of the bento (bento.yaml, src/, apis/, env/). */
  bento: 'bento',
} as const;

/** Paths and ids inside the image. */
export const IMAGE = {
  runtimeDir: '/opt/bentoci/runtime',
  bentoPath: '/home/bentoci/bento',
  /** Numeric, so `runAsNonRoot` policies can check it without a passwd entry. */
  uid: 10001,
  gid: 10001,
  port: 3000,
} as const;
