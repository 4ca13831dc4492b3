/**
 * The runtime with a peer's batching policy: `node --import tsx peer-server.ts MODEL_DIR PORT PEER
 * [runtime flags]`. Everything but the policy is the runtime's own (HTTP, workers from the bundled
 * dist/runtime/worker.js, tensors, metrics), so the comparison isolates the batching decision.
 */
import { pathToFileURL } from 'node:url';
import { startRuntime } from '../../runtime/app.js';
import { systemClock } from '../../runtime/batching/types.js';
import { resolveConfig } from '../../runtime/config.js';
import { createLogger } from '../../runtime/log.js';
import { loadService } from '../../runtime/service/load.js';
import { PEERS, type PeerName, peerPolicy } from './policies.js';

const [dir, port, peer, ...rest] = process.argv.slice(2);
if (!dir || !port || !peer || !(peer in PEERS)) {
  process.stderr.write(`usage: peer-server.ts MODEL_DIR PORT ${Object.keys(PEERS).join('|')}\n`);
  process.exit(2);
}
const flags: Record<string, string> = {
  host: '127.0.0.1',
  port,
  'log-level': 'warn',
  'max-queue-rows': '1000000',
};
for (let i = 0; i + 1 < rest.length; i += 2) flags[rest[i]!.replace(/^--/, '')] = rest[i + 1]!;
const config = resolveConfig(flags, {});
const service = await loadService(dir);
const api = service.apis[0]!.api;
const policy = peerPolicy(
  peer as PeerName,
  systemClock.now,
  config.maxLatencyMs ?? api.batching.max_latency_ms,
  config.maxBatchSize ?? api.batching.max_batch_size,
);
const runtime = await startRuntime({
  service,
  config,
  log: createLogger('warn'),
  workerUrl: process.env['BENTOCI_RUNTIME_SERVER']
    ? new URL('./worker.js', pathToFileURL(process.env['BENTOCI_RUNTIME_SERVER']))
    : new URL('../../dist/runtime/worker.js', import.meta.url),
  policy,
});
await runtime.ready;
process.on('SIGTERM', () => runtime.drain(2000).then(() => process.exit(0)));
