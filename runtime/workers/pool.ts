/**
 * A fixed set of inference workers. Each run goes to the ready worker with the fewest runs
 * outstanding; a worker runs its messages one after another, so several outstanding runs form a
 * pipeline (the scheduler decides how deep). Runs wait in FIFO order only while no worker is ready.
 * A worker that dies fails its outstanding runs and is replaced.
 */
import { Worker } from 'node:worker_threads';
import type { TensorMap } from '../../src/shared/service.js';
import type { Logger } from '../log.js';
import { classifyRunError, ModelRunError } from './ort-errors.js';
import {
  type FromWorker,
  type ToWorker,
  transferList,
  type ValueInfo,
  type WireTensor,
  type WorkerInit,
} from './protocol.js';

export interface RunResult {
  outputs: TensorMap;
  /** Time inside session.run, as the worker measured it. */
  runMs: number;
  /**
   * What the run cost the worker: from when it could start (its message arrived, or the run before
   * it ended) to its end, measured in the worker. Queued runs add up by this.
   */
  serviceMs: number;
  /**
   * The rest of the round trip: messages both ways and the HTTP thread getting to the result. It
   * grows when the HTTP thread is busy, and is paid once per request, not once per batch ahead.
   */
  transitMs: number;
}

interface Pending {
  sentAt?: number;
  model: string;
  feeds: WireTensor[];
  resolve(result: RunResult): void;
  reject(err: Error): void;
}

interface Slot {
  index: number;
  worker: Worker;
  ready: boolean;
  /** Loaded once: a later exit is a crash to recover from, not a start-up failure. */
  started: boolean;
  outstanding: Map<number, Pending>;
}

export type ModelMetadata = Record<string, { inputs: ValueInfo[]; outputs: ValueInfo[] }>;

export interface PoolOptions {
  workerUrl: URL;
  count: number;
  init: Omit<WorkerInit, 'index'>;
  log: Logger;
}

export class WorkerPool {
  private readonly slots: Slot[] = [];
  private readonly waiting: Pending[] = [];
  private nextId = 1;
  private closing = false;
  metadata: ModelMetadata = {};

  private constructor(private readonly options: PoolOptions) {}

  /** Starts every worker and resolves once all have loaded their sessions. */
  static async start(options: PoolOptions): Promise<WorkerPool> {
    const pool = new WorkerPool(options);
    try {
      const ready = [];
      for (let i = 0; i < options.count; i++) ready.push(pool.spawn(i));
      const metadata = await Promise.all(ready);
      pool.metadata = metadata[0] ?? {};
      return pool;
    } catch (err) {
      await pool.close();
      throw err;
    }
  }

  get size(): number {
    return this.slots.length;
  }

  idleCount(): number {
    let n = 0;
    for (const slot of this.slots) if (slot.ready && slot.outstanding.size === 0) n++;
    return n;
  }

  run(model: string, inputs: TensorMap): Promise<RunResult> {
    const feeds: WireTensor[] = [];
    for (const name of Object.keys(inputs)) {
      const t = inputs[name]!;
      feeds.push({ name, dtype: t.dtype, shape: t.shape, data: t.data });
    }
    return new Promise((resolve, reject) => {
      if (this.closing) {
        reject(new Error('the worker pool is closed'));
        return;
      }
      this.waiting.push({ model, feeds, resolve, reject });
      this.next();
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    for (const p of this.waiting.splice(0)) p.reject(new Error('the worker pool is closed'));
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  private next(): void {
    while (this.waiting.length > 0) {
      let slot: Slot | undefined;
      for (const s of this.slots)
        if (s.ready && (!slot || s.outstanding.size < slot.outstanding.size)) slot = s;
      if (!slot) return;
      const pending = this.waiting.shift()!;
      const id = this.nextId++;
      pending.sentAt = performance.now();
      slot.outstanding.set(id, pending);
      const message: ToWorker = { type: 'run', id, model: pending.model, feeds: pending.feeds };
      slot.worker.postMessage(message, transferList(pending.feeds));
    }
  }

  private spawn(index: number): Promise<ModelMetadata> {
    const init: WorkerInit = { ...this.options.init, index };
    const worker = new Worker(this.options.workerUrl, { workerData: init });
    const slot: Slot = { index, worker, ready: false, started: false, outstanding: new Map() };
    this.slots[index] = slot;
    return new Promise((resolve, reject) => {
      worker.on('message', (message: FromWorker) => {
        switch (message.type) {
          case 'ready':
            slot.ready = true;
            slot.started = true;
            resolve(message.models);
            this.next();
            break;
          case 'failed':
            reject(new Error(message.message));
            break;
          case 'result':
          case 'error': {
            const busy = slot.outstanding.get(message.id);
            if (!busy) return;
            slot.outstanding.delete(message.id);
            if (message.type === 'result') {
              const outputs: TensorMap = {};
              for (const t of message.outputs)
                outputs[t.name] = { dtype: t.dtype, shape: t.shape, data: t.data };
              const now = performance.now();
              const transitMs = Math.max(0, now - (busy.sentAt ?? now) - message.waitMs - message.serviceMs);
              busy.resolve({ outputs, runMs: message.runMs, serviceMs: message.serviceMs, transitMs });
            } else busy.reject(new ModelRunError(classifyRunError(message.message), message.message));
            this.next();
            break;
          }
        }
      });
      worker.on('error', (err) => {
        this.options.log.error('inference worker crashed', { worker: index, error: err.message });
        reject(err);
      });
      worker.on('exit', (code) => {
        if (this.closing) return;
        slot.ready = false;
        for (const busy of slot.outstanding.values())
          busy.reject(
            new ModelRunError({
              status: 500,
              message: `inference worker ${index} exited with code ${code} during the run; it is restarted`,
            }),
          );
        slot.outstanding.clear();
        if (slot.started && this.slots[index] === slot) {
          this.options.log.warn('restarting inference worker', { worker: index, code });
          this.spawn(index).catch((err: Error) =>
            this.options.log.error('inference worker failed to restart', {
              worker: index,
              error: err.message,
            }),
          );
        }
      });
    });
  }
}
