/**
 * HTTP/1.1 on a raw socket, for tests that need to see what fetch hides: a keep-alive connection the
 * test controls (when each request is written, on which connection), every response header as sent,
 * and a reset told apart from a close.
 */
import { connect, type Socket } from 'node:net';

export interface RawAnswer {
  status: number;
  /** Lower-cased names. */
  headers: Record<string, string>;
  body: string;
}

export class RawConnection {
  private buffered = Buffer.alloc(0);
  private waiting: Array<{ resolve: (a: RawAnswer) => void; reject: (e: Error) => void }> = [];
  private failure: Error | undefined;
  /** Whether the server closed the connection (FIN) without an error. */
  ended = false;

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, chunk]);
      this.deliver();
    });
    socket.on('error', (err) => this.fail(err));
    socket.on('close', () => {
      this.ended = true;
      this.fail(new Error('the connection closed before an answer'));
    });
  }

  static open(port: number, host = '127.0.0.1'): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host });
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(new RawConnection(socket));
      });
      socket.once('error', reject);
    });
  }

  /** Writes one request at once (before this returns, the bytes are in the kernel) and awaits its answer. */
  request(method: string, path: string, body?: string): Promise<RawAnswer> {
    const payload = body === undefined ? '' : body;
    const head = [
      `${method} ${path} HTTP/1.1`,
      'host: 127.0.0.1',
      ...(body === undefined
        ? []
        : ['content-type: application/json', `content-length: ${Buffer.byteLength(payload)}`]),
      '',
      '',
    ].join('\r\n');
    const answer = new Promise<RawAnswer>((resolve, reject) => {
      if (this.failure) reject(this.failure);
      else this.waiting.push({ resolve, reject });
    });
    this.socket.write(head + payload);
    return answer;
  }

  close(): void {
    this.socket.destroy();
  }

  private deliver(): void {
    for (;;) {
      const end = this.buffered.indexOf('\r\n\r\n');
      if (end === -1 || this.waiting.length === 0) return;
      const lines = this.buffered.subarray(0, end).toString('latin1').split('\r\n');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(lines[0]!)?.[1]);
      const headers: Record<string, string> = {};
      for (const line of lines.slice(1)) {
        const colon = line.indexOf(':');
        headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      const length = Number(headers['content-length'] ?? 0);
      if (this.buffered.length < end + 4 + length) return;
      const body = this.buffered.subarray(end + 4, end + 4 + length).toString('utf8');
      this.buffered = this.buffered.subarray(end + 4 + length);
      this.waiting.shift()!.resolve({ status, headers, body });
    }
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const w of this.waiting.splice(0)) w.reject(this.failure);
  }
}
