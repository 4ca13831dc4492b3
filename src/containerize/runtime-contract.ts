/**
 * How the image starts the runtime (runtime/server.ts, settings in runtime/config.ts) and which of its
 * settings the image fixes. Kept in one place so a change to the runtime's flags is one edit here.
 */
import { IMAGE } from './layout.js';

/**
 * The bento comes from BENTOCI_BENTO_DIR, not an argument, so `docker run IMAGE --workers 2` passes
 * flags without repeating the path. The port is left to the runtime (BENTOCI_PORT, else PORT as
 * platforms like Cloud Run set it, else 3000).
 */
export function runtimeCommand(): { entrypoint: string[]; node_bin: string } {
  // No CMD: setting ENTRYPOINT clears the base image's CMD, and arguments go to the runtime. The
  // absolute path is the node the image was built with, even on a base_image with a node of its own.
  return { entrypoint: [NODE_BIN, `${IMAGE.runtimeDir}/server.js`], node_bin: NODE_BIN };
}

/** Where the Node image keeps node, and where other bases get it copied. */
export const NODE_BIN = '/usr/local/bin/node';

/**
 * Environment the image sets for the runtime; a CUDA image asks for the CUDA execution provider.
 * ONNX Runtime 1.29+ uploads telemetry from Linux too; a server image opts out unless the operator
 * says otherwise (`-e ORT_DISABLE_TELEMETRY=0`).
 */
export function runtimeEnv(options: { cuda: boolean }): Array<{ name: string; value: string }> {
  return [
    { name: 'BENTOCI_BENTO_DIR', value: IMAGE.bentoPath },
    { name: 'ORT_DISABLE_TELEMETRY', value: '1' },
    ...(options.cuda ? [{ name: 'BENTOCI_PROVIDER', value: 'cuda' }] : []),
  ];
}

/** A health probe with nothing but node: the image needs no curl or wget. */
export function healthcheckScript(): string {
  return `fetch('http://127.0.0.1:' + (process.env.BENTOCI_PORT || process.env.PORT || ${IMAGE.port}) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))`;
}
