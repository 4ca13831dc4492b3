/**
 * The bytes of decoded tensors admitted to the batch queue and not answered yet, all requests
 * together, against a process-wide limit. The body budget (runtime/http/body.ts) bounds a body
 * while it is read and decoded; once decoded it is given back, and the tensors wait in the queue
 * bounded only by rows and time. This bounds them by bytes: a request whose tensors would take the
 * total past the limit is refused 503 at admission, before it is queued.
 */
import type { TensorMap } from '../src/shared/service.js';

/**
 * A string element's cost: UTF-16 code units plus V8's per-string header, an estimate (strings are
 * not stored in one block) that errs on the high side for short strings.
 */
const STRING_OVERHEAD = 16;

/** The bytes the tensors hold in memory. */
export function tensorBytes(tensors: TensorMap): number {
  let bytes = 0;
  for (const name in tensors) {
    const data = tensors[name]!.data;
    if (Array.isArray(data)) for (const s of data) bytes += 2 * s.length + STRING_OVERHEAD;
    else bytes += data.byteLength;
  }
  return bytes;
}

/** A share of the budget, given back at most once however its request ends. */
export interface TensorHold {
  readonly bytes: number;
  release(): void;
}

export class TensorBudget {
  private used = 0;

  constructor(readonly limit: number) {}

  /** Bytes held now (the gauge bentoci_tensor_bytes_in_flight). */
  get inFlight(): number {
    return this.used;
  }

  /**
   * Takes `bytes`, or undefined when they would take the total past the limit. One request larger
   * than the whole budget is taken when nothing else is held, so it runs alone rather than never:
   * the request limit already bounds one request, this budget bounds how many are held at once.
   */
  take(bytes: number): TensorHold | undefined {
    if (this.used + bytes > this.limit && this.used > 0) return undefined;
    this.used += bytes;
    let held = true;
    return {
      bytes,
      release: () => {
        if (!held) return;
        held = false;
        this.used -= bytes;
      },
    };
  }
}
