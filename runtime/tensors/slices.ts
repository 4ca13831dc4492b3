/**
 * Long decoding work on the HTTP thread, cut into slices: a slice runs small steps until about
 * SLICE_MS of wall time has passed, then lets the event loop serve whatever arrived (setImmediate
 * runs after pending I/O), so one large body delays other requests by a slice, not by its parse.
 */

/** Wall time a slice may hold the event loop. */
export const SLICE_MS = 2;

/** Bytes of JSON per step (about 0.1 ms): small enough that a slice overshoots SLICE_MS by little. */
export const STEP_BYTES = 1 << 14;

/** Arrays or elements per step of a tensor walk (about 0.1 ms). */
export const STEP_ELEMENTS = 1 << 12;

const pause = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Calls `step` until it returns true, yielding to the event loop between slices. */
export async function inSlices(step: () => boolean): Promise<void> {
  for (;;) {
    const deadline = performance.now() + SLICE_MS;
    do {
      if (step()) return;
    } while (performance.now() < deadline);
    await pause();
  }
}
