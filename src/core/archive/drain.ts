/**
 * Backpressure for tar-stream's streamx streams, which Node's `events.once(stream, 'drain')` would
 * wait on forever if the stream were torn down instead of drained.
 */

/** Resolves when a writable wants more, rejects when it is torn down instead. */
export function drained(stream: NodeJS.EventEmitter & { destroyed?: boolean }): Promise<void> {
  return new Promise((resolve, reject) => {
    if (stream.destroyed) return reject(new Error('archive stream closed'));
    const cleanup = () => {
      stream.off('drain', onDrain);
      stream.off('close', onClose);
      stream.off('error', onError);
    };
    const onDrain = () => {
      cleanup();
      resolve();
    };
    const onClose = () => {
      cleanup();
      reject(new Error('archive stream closed'));
    };
    const onError = (err: Error) => {
      cleanup();
      reject(err);
    };
    stream.on('drain', onDrain);
    stream.on('close', onClose);
    stream.on('error', onError);
  });
}
