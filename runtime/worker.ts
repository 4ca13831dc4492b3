/**
 * Inference worker: owns one ONNX Runtime session per model and runs batches sent by the main thread.
 * onnxruntime-node's session.run() blocks the thread that calls it, which is why it lives here and
 * not on the thread that serves HTTP.
 */
import { parentPort, workerData } from 'node:worker_threads';
import ort from 'onnxruntime-node';
import type { Dtype } from '../src/shared/schemas.js';
import type { TensorData } from '../src/shared/service.js';
import {
  type FromWorker,
  ORT_LOG_LEVELS,
  type ToWorker,
  transferList,
  type ValueInfo,
  type WireTensor,
  type WorkerInit,
} from './workers/protocol.js';

const port = parentPort!;
const init = workerData as WorkerInit;
// ORT's native logger writes straight to fd 2 (ANSI colour, outside the JSON log) and the Node
// binding offers no callback to take its lines: its level is set before the first session so that,
// by default (fatal), it stays silent. Run failures reach the JSON log through their error messages.
ort.env.logLevel = init.ortLogLevel;
const logSeverityLevel = ORT_LOG_LEVELS.indexOf(init.ortLogLevel) as 0 | 1 | 2 | 3 | 4;
const sessions = new Map<string, ort.InferenceSession>();

function post(message: FromWorker, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
}

function describe(values: readonly ort.InferenceSession.ValueMetadata[]): ValueInfo[] {
  return values.map((v) =>
    v.isTensor
      ? { name: v.name, dtype: v.type as Dtype, shape: [...v.shape] }
      : { name: v.name, dtype: 'unknown', shape: [] },
  );
}

async function load(): Promise<void> {
  const options: ort.InferenceSession.SessionOptions = {
    logSeverityLevel,
    intraOpNumThreads: init.threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    executionProviders: init.provider === 'cuda' ? [{ name: 'cuda', deviceId: 0 }, 'cpu'] : ['cpu'],
    extra: { session: { intra_op: { allow_spinning: init.spinning ? '1' : '0' } } },
  };
  const models: Record<string, { inputs: ValueInfo[]; outputs: ValueInfo[] }> = {};
  for (const spec of init.models) {
    const session = await ort.InferenceSession.create(spec.path, options);
    sessions.set(spec.key, session);
    models[spec.key] = { inputs: describe(session.inputMetadata), outputs: describe(session.outputMetadata) };
  }
  post({ type: 'ready', models });
}

/** When the last run ended: a run queued behind it could only start then. */
let lastEnd = 0;

async function run(message: ToWorker, receivedAt: number): Promise<void> {
  try {
    const session = sessions.get(message.model);
    if (!session) throw new Error(`model ${message.model} is not loaded in this worker`);
    const feeds: Record<string, ort.Tensor> = {};
    for (const f of message.feeds) feeds[f.name] = new ort.Tensor(f.dtype, f.data as never, f.shape);
    const started = performance.now();
    const results = await session.run(feeds);
    const ended = performance.now();
    const runMs = ended - started;
    const ready = Math.max(receivedAt, lastEnd);
    lastEnd = ended;
    const outputs: WireTensor[] = [];
    for (const name of session.outputNames) {
      const t = results[name] as ort.Tensor;
      outputs.push({ name, dtype: t.type as Dtype, shape: [...t.dims], data: t.data as TensorData });
    }
    post(
      {
        type: 'result',
        id: message.id,
        outputs,
        runMs,
        serviceMs: ended - ready,
        waitMs: Math.max(0, ready - receivedAt),
      },
      transferList(outputs),
    );
  } catch (err) {
    lastEnd = performance.now();
    post({ type: 'error', id: message.id, message: (err as Error).message ?? String(err) });
  }
}

port.on('message', (message: ToWorker) => {
  if (message.type === 'run') void run(message, performance.now());
});

load().catch((err: unknown) => post({ type: 'failed', message: (err as Error).message ?? String(err) }));
