/** Reads a request body up to a limit; a larger one is refused with 413 before or while it arrives. */
import type { IncomingMessage } from 'node:http';
import { HttpError } from '../errors.js';

export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (declared > limit) return Promise.reject(tooLarge(declared, limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        reject(tooLarge(size, limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    };
    const onAborted = () => {
      cleanup();
      reject(new HttpError(499, 'the client closed the connection before sending the whole body'));
    };
    const onError = (err: Error) => {
      cleanup();
      reject(new HttpError(400, `the request body could not be read: ${err.message}`));
    };
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('aborted', onAborted);
      req.off('error', onError);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('aborted', onAborted);
    req.on('error', onError);
  });
}

function tooLarge(size: number, limit: number): HttpError {
  // The rest of the body is not read: the connection closes after the answer.
  return new HttpError(
    413,
    `the request body is larger than the limit of ${limit} bytes${Number.isFinite(size) ? ` (at least ${size})` : ''}; send less, or raise --max-request-bytes`,
    {
      connection: 'close',
    },
  );
}
