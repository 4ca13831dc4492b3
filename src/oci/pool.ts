/**
 * Runs `fn` over `items` with at most `limit` at once. The first failure aborts `controller` (whose
 * signal the caller's requests carry, so transfers in flight stop at once), no new item starts, and
 * that first failure is thrown once everything in flight has settled.
 */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
  controller?: AbortController,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (!failure && !controller?.signal.aborted && next < items.length) {
      const index = next++;
      try {
        results[index] = await fn(items[index]!);
      } catch (error) {
        failure ??= { error };
        controller?.abort(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failure) throw failure.error;
  if (controller?.signal.aborted) throw controller.signal.reason;
  return results;
}

/** A controller that aborts when `parent` does, for cancelling one batch without touching the caller's signal. */
export function linkedController(parent?: AbortSignal): AbortController {
  const controller = new AbortController();
  if (parent?.aborted) controller.abort(parent.reason);
  else parent?.addEventListener('abort', () => controller.abort(parent.reason), { once: true });
  return controller;
}
