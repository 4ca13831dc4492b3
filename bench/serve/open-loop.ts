/**
 * An open-loop load generator: requests leave at a fixed rate, evenly spaced, whatever the server
 * does, and each latency is measured from the time the request was due (so a client that had to wait
 * for a free connection does not hide the server's queueing: no coordinated omission).
 *
 * autocannon cannot do this: its `overallRate` is a per-connection budget reset once a second, so
 * every connection sends back to back until its budget for the second is spent, then idles. That is a
 * burst of closed-loop load at the top of every second, not a rate. The closed-loop sweep keeps
 * autocannon; this is the same idea (raw keep-alive sockets, one prebuilt request buffer, HTTP/1.1
 * without pipelining), paced by a 1 ms timer.
 */
import { connect, type Socket } from 'node:net';

export interface OpenLoopOptions {
  url: string;
  body: string | Buffer;
  headers: Record<string, string>;
  /** Requests per second. */
  rate: number;
  seconds: number;
  /** Sockets at most; a due request waits in the client when all are busy (its wait counts). */
  maxConnections: number;
  /** How long to wait for the last answers after the sending stops. */
  drainSeconds?: number;
  /** Sees each answer's status line and headers (for diagnostics: server-timing). */
  onHead?: (status: number, head: string) => void;
}

export interface OpenLoopResult {
  /** From the first send to the last answer: what throughput is measured over. */
  seconds: number;
  sent: number;
  /** Latencies (ms, from the due time) of 200 answers. */
  latencies: number[];
  rejected: number;
  /** Other statuses, socket errors and requests unanswered at the end. */
  errors: number;
}

const HEADER_END = Buffer.from('\r\n\r\n');
const CHUNKED_END = Buffer.from('\r\n0\r\n\r\n');

/** One keep-alive socket with at most one request outstanding, and a minimal response parser. */
export class Connection {
  private readonly socket: Socket;
  private buffer: Buffer = Buffer.alloc(0);
  /** When the outstanding request was due; undefined when idle. */
  due: number | undefined;
  ready: Promise<void>;

  constructor(
    host: string,
    port: number,
    private readonly onDone: (conn: Connection, status: number, due: number) => void,
    private readonly onError: (conn: Connection) => void,
    private readonly onHead?: (status: number, head: string) => void,
  ) {
    this.socket = connect({ host, port, noDelay: true });
    this.ready = new Promise((resolve) => this.socket.once('connect', () => resolve()));
    this.socket.on('data', (chunk: Buffer) => this.receive(chunk));
    this.socket.on('error', () => this.fail());
    this.socket.on('close', () => this.fail());
  }

  get destroyed(): boolean {
    return this.socket.destroyed;
  }

  send(request: Buffer, due: number): void {
    this.due = due;
    this.socket.write(request);
  }

  close(): void {
    this.socket.removeAllListeners('close');
    this.socket.destroy();
  }

  private fail(): void {
    if (this.due !== undefined) {
      this.due = undefined;
      this.onError(this);
    }
  }

  private receive(chunk: Buffer): void {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    const headEnd = this.buffer.indexOf(HEADER_END);
    if (headEnd < 0) return;
    const head = this.buffer.toString('latin1', 0, headEnd);
    const status = Number(head.slice(9, 12));
    const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    let end: number;
    if (length) {
      end = headEnd + 4 + Number(length[1]);
      if (this.buffer.length < end) return;
    } else if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) {
      const last = this.buffer.indexOf(CHUNKED_END, headEnd);
      if (last < 0) return;
      end = last + CHUNKED_END.length;
    } else {
      end = headEnd + 4;
    }
    this.buffer = this.buffer.subarray(end);
    this.onHead?.(status, head);
    const due = this.due!;
    this.due = undefined;
    this.onDone(this, status, due);
  }
}

export async function runOpenLoop(options: OpenLoopOptions): Promise<OpenLoopResult> {
  const url = new URL(options.url);
  const body = Buffer.isBuffer(options.body) ? options.body : Buffer.from(options.body);
  const headerLines = Object.entries({ ...options.headers, 'content-length': String(body.length) })
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  const request = Buffer.concat([
    Buffer.from(`POST ${url.pathname}${url.search} HTTP/1.1\r\nhost: ${url.host}\r\n${headerLines}\r\n`),
    body,
  ]);

  const latencies: number[] = [];
  let rejected = 0;
  let errors = 0;
  let sent = 0;
  let outstanding = 0;
  const idle: Connection[] = [];
  const all = new Set<Connection>();
  const waiting: number[] = [];
  let waitingHead = 0;

  const dispatch = (conn: Connection, due: number) => {
    sent++;
    conn.send(request, due);
  };
  let lastAnswer = 0;
  const onDone = (conn: Connection, status: number, due: number) => {
    outstanding--;
    lastAnswer = performance.now();
    if (status === 200) latencies.push(performance.now() - due);
    else if (status === 503) rejected++;
    else errors++;
    if (waitingHead < waiting.length) dispatch(conn, waiting[waitingHead++]!);
    else idle.push(conn);
  };
  const onError = (conn: Connection) => {
    outstanding--;
    errors++;
    all.delete(conn);
    conn.close();
  };
  const issue = (due: number) => {
    outstanding++;
    let conn = idle.pop();
    // A socket the server closed while idle (keep-alive timeout) is dropped, not reused.
    while (conn?.destroyed) {
      all.delete(conn);
      conn = idle.pop();
    }
    if (conn) return dispatch(conn, due);
    if (all.size < options.maxConnections) {
      const fresh = new Connection(url.hostname, Number(url.port), onDone, onError, options.onHead);
      all.add(fresh);
      fresh.ready.then(() => dispatch(fresh, due));
      return;
    }
    waiting.push(due);
  };

  const start = performance.now();
  const total = Math.round(options.rate * options.seconds);
  const gap = 1000 / options.rate;
  let next = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      while (next < total && start + next * gap <= now) issue(start + next++ * gap);
      if (next < total) setTimeout(tick, 1);
      else resolve();
    };
    tick();
  });
  const deadline = performance.now() + (options.drainSeconds ?? 10) * 1000;
  while (outstanding > 0 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  errors += outstanding;
  for (const conn of all) conn.close();
  const seconds = Math.max(options.seconds, (lastAnswer - start) / 1000);
  return { seconds, sent, latencies, rejected, errors };
}
