/** Starting the servers the serving benchmarks compare, and reading a server's own counts. */
import { fileURLToPath } from 'node:url';
import { freePort, type Proc, startProc } from './processes.js';

const PEER_SERVER = fileURLToPath(new URL('./peer-server.ts', import.meta.url));
const PLAIN_SERVER = fileURLToPath(new URL('./plain-server.ts', import.meta.url));

export interface VariantOptions {
  /** The runtime build to run (dist/runtime/server.js). */
  server: string;
  boundMs: number;
  maxBatch: number;
}

/** A: bentoci; B: bentoci without batching; C: a hand-written server; P:<peer>: bentoci with a peer's policy. */
export async function startVariant(
  variant: string,
  dir: string,
  onnx: string,
  options: VariantOptions,
): Promise<Proc> {
  const port = await freePort();
  const bounds = ['--max-latency-ms', String(options.boundMs), '--max-batch-size', String(options.maxBatch)];
  if (variant === 'A' || variant === 'A-bin' || variant === 'B') {
    const args = [
      options.server,
      dir,
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--log-level',
      'warn',
      ...bounds,
    ];
    return startProc(variant === 'B' ? [...args, '--no-batching'] : args, port, '/readyz');
  }
  if (variant === 'C') return startProc(['--import', 'tsx', PLAIN_SERVER, onnx, String(port)], port);
  return startProc(
    ['--import', 'tsx', PEER_SERVER, dir, String(port), variant.slice(2), ...bounds],
    port,
    '/readyz',
  );
}

/** What the server counted itself: answers, 503s, and admitted answers past their bound. */
export interface ServerCounts {
  missed: number;
  ok: number;
  rejected: number;
}

/** Of the first API (every model the benchmarks serve has one). */
export async function counters(url: string): Promise<ServerCounts> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const value = (re: RegExp) => Number(re.exec(text)?.[1] ?? 0);
  return {
    missed: value(/^bentoci_deadline_missed_total\{api="[^"]+"\} (\d+)/m),
    ok: value(/^bentoci_requests_total\{api="[^"]+",status="200"\} (\d+)/m),
    rejected: value(/^bentoci_requests_total\{api="[^"]+",status="503"\} (\d+)/m),
  };
}
