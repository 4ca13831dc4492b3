/** Messages between the main thread and the inference workers. Tensor buffers travel as transfers. */
import type { Dtype } from '../../src/shared/schemas.js';
import type { OrtLogLevel } from '../../src/shared/serve-settings.js';
import type { TensorData } from '../../src/shared/service.js';

export interface WireTensor {
  name: string;
  dtype: Dtype;
  shape: number[];
  data: TensorData;
}

export interface SessionSpec {
  /** How batches name the model: its tag. */
  key: string;
  /** Absolute path of the .onnx file. */
  path: string;
}

export interface WorkerInit {
  models: SessionSpec[];
  provider: 'cpu' | 'cuda';
  /** Intra-op threads of each session. */
  threads: number;
  /** Let ORT's thread pool spin while idle (faster hand-off, burns a core; off when cores are shared). */
  spinning: boolean;
  /** Which worker this is, for logs and the CUDA device. */
  index: number;
  /** ORT's own log severity (it writes to stderr itself, so the default keeps it silent). */
  ortLogLevel: OrtLogLevel;
}

/** ORT's severities, as ort.env.logLevel names them; logSeverityLevel is the index. */
export const ORT_LOG_LEVELS: readonly OrtLogLevel[] = ['verbose', 'info', 'warning', 'error', 'fatal'];

export interface ValueInfo {
  name: string;
  dtype: Dtype | 'unknown';
  shape: Array<number | string>;
}

export type ToWorker = { type: 'run'; id: number; model: string; feeds: WireTensor[] };

export type FromWorker =
  | { type: 'ready'; models: Record<string, { inputs: ValueInfo[]; outputs: ValueInfo[] }> }
  | { type: 'failed'; message: string }
  | {
      type: 'result';
      id: number;
      outputs: WireTensor[];
      /** Inside session.run. */
      runMs: number;
      /** From when the worker could start this run (its message arrived, or its last run ended) to done. */
      serviceMs: number;
      /** From the message's arrival to when the worker could start it (behind an earlier run). */
      waitMs: number;
    }
  | { type: 'error'; id: number; message: string };

/** The buffers to move (not copy) with a message; string tensors are cloned. */
export function transferList(tensors: readonly WireTensor[]): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  for (const t of tensors) {
    if (Array.isArray(t.data)) continue;
    const buffer = t.data.buffer as ArrayBuffer;
    // Only a buffer the tensor owns whole can move; a view into a shared one must be copied.
    if (t.data.byteOffset === 0 && t.data.byteLength === buffer.byteLength && !out.includes(buffer))
      out.push(buffer);
  }
  return out;
}
