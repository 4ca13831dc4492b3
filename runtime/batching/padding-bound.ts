/**
 * Which queued requests of a padded API share a batch. A batch is padded to its longest request, so
 * without a bound one long request among short ones makes every row that long: 63 one-token requests
 * and one of a million tokens would allocate 64 million positions, for every padded input and for
 * every activation the model computes over them. A request therefore joins a batch only while
 *   - the batch's padded positions (rows x padded length) stay within `ratio` times the positions
 *     its requests would take padded alone (their own length, or their own bucket), and
 *   - its padded inputs stay within `maxBytes`.
 * A request that does not fit is left queued, at the head of its group for the next batch (it is
 * older than whatever arrives later), so nothing is refused that a batch could serve; a single
 * request larger than `maxBytes` runs alone, as it would unbatched. Requests of similar lengths are
 * unaffected: with ratio 2, any mix whose longest is at most twice its shortest batches as before.
 */
import type { BatchJob } from './types.js';

export interface PaddingBound {
  /** Padded positions of a batch at most this many times what its requests need alone (>= 1). */
  readonly ratio: number;
  /** Bytes of a batch's padded inputs at most, unless the batch is one request. */
  readonly maxBytes: number;
  /** The length a batch whose longest request is `length` long is padded to (buckets round it up). */
  padTo(length: number): number;
}

/** A batch being formed under a PaddingBound: what it holds so far. */
export class PaddedBatch {
  rows = 0;
  longest = 0;
  /** Positions its requests take padded alone: rows x own (bucketed) length, summed. */
  own = 0;
  /** Bytes per row and position of the padded inputs (equal within a group: its key fixes the other dims). */
  positionBytes = 0;

  constructor(private readonly bound: PaddingBound) {}

  /** Adds `job` if the batch stays within the bound (the first job always fits); whether it did. */
  add(job: BatchJob): boolean {
    const length = job.length ?? 0;
    const rows = this.rows + job.rows;
    const longest = Math.max(this.longest, length);
    const own = this.own + job.rows * this.bound.padTo(length);
    const positionBytes = Math.max(this.positionBytes, job.positionBytes ?? 0);
    if (this.rows > 0) {
      const padded = rows * this.bound.padTo(longest);
      if (padded > this.bound.ratio * own || padded * positionBytes > this.bound.maxBytes) return false;
    }
    this.rows = rows;
    this.longest = longest;
    this.own = own;
    this.positionBytes = positionBytes;
    return true;
  }

  /** Bytes of the padded inputs of the batch as it stands. */
  get paddedBytes(): number {
    return this.rows * this.bound.padTo(this.longest) * this.positionBytes;
  }
}
