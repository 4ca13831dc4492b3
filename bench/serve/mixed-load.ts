/**
 * Load for the goodput table: several request bodies sent in turn (a mix of small and large images,
 * or one body), either open loop (a fixed rate, evenly spaced, as open-loop.ts) or closed loop with
 * clients that send again the moment any answer comes back, a 503 included: what most HTTP clients
 * and load balancers do, and what turns refusals into more load. Every answer is counted per body,
 * with its latency from the time it was due (open loop) or sent (closed loop).
 */
import { Connection } from './open-loop.js';

export interface MixedBody {
  /** A name for the report (e.g. "64x64"). */
  name: string;
  body: Buffer;
  headers: Record<string, string>;
}

export interface MixedLoadOptions {
  url: string;
  bodies: readonly MixedBody[];
  seconds: number;
  /** Open loop: requests per second, on up to `connections` sockets. */
  rate?: number;
  /** Closed loop: this many clients; open loop: the most sockets. */
  connections: number;
}

export interface BodyCounts {
  ok: number;
  /** 200 answers within the bound. */
  onTime: number;
  rejected: number;
  errors: number;
  latencies: number[];
}

export interface MixedLoadResult {
  seconds: number;
  perBody: Map<string, BodyCounts>;
}

function requestBuffer(url: URL, body: MixedBody): Buffer {
  const headers = { ...body.headers, 'content-length': String(body.body.length) };
  const lines = Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  return Buffer.concat([
    Buffer.from(`POST ${url.pathname} HTTP/1.1\r\nhost: ${url.host}\r\n${lines}\r\n`),
    body.body,
  ]);
}

export async function runMixedLoad(options: MixedLoadOptions, boundMs: number): Promise<MixedLoadResult> {
  const url = new URL(options.url);
  const requests = options.bodies.map((b) => requestBuffer(url, b));
  const perBody = new Map<string, BodyCounts>(
    options.bodies.map((b) => [b.name, { ok: 0, onTime: 0, rejected: 0, errors: 0, latencies: [] }]),
  );
  // Which body each connection has outstanding, and when it was due.
  const sentBody = new Map<Connection, number>();
  let next = 0;
  let outstanding = 0;
  let stopped = false;
  const idle: Connection[] = [];
  const all = new Set<Connection>();
  const backlog: number[] = [];
  let backlogHead = 0;

  const send = (conn: Connection, due: number) => {
    const index = next++ % requests.length;
    sentBody.set(conn, index);
    outstanding++;
    conn.send(requests[index]!, due);
  };
  const count = (conn: Connection, status: number | undefined, due: number) => {
    outstanding--;
    const counts = perBody.get(options.bodies[sentBody.get(conn)!]!.name)!;
    const latency = performance.now() - due;
    if (status === 200) {
      counts.ok++;
      counts.latencies.push(latency);
      if (latency <= boundMs) counts.onTime++;
    } else if (status === 503) counts.rejected++;
    else counts.errors++;
  };
  const onDone = (conn: Connection, status: number, due: number) => {
    count(conn, status, due);
    if (stopped) return;
    if (options.rate === undefined) send(conn, performance.now());
    else if (backlogHead < backlog.length) send(conn, backlog[backlogHead++]!);
    else idle.push(conn);
  };
  const onError = (conn: Connection) => {
    count(conn, undefined, performance.now());
    all.delete(conn);
    conn.close();
  };
  const open = () => {
    const conn = new Connection(url.hostname, Number(url.port), onDone, onError);
    all.add(conn);
    return conn;
  };

  const start = performance.now();
  if (options.rate === undefined) {
    await Promise.all(
      Array.from({ length: options.connections }, async () => {
        const conn = open();
        await conn.ready;
        send(conn, performance.now());
      }),
    );
    await new Promise((r) => setTimeout(r, options.seconds * 1000));
  } else {
    const total = Math.round(options.rate * options.seconds);
    const gap = 1000 / options.rate;
    let issued = 0;
    const issue = (due: number) => {
      let conn = idle.pop();
      while (conn?.destroyed) {
        all.delete(conn);
        conn = idle.pop();
      }
      if (conn) return send(conn, due);
      if (all.size < options.connections) {
        const fresh = open();
        fresh.ready.then(() => send(fresh, due));
        return;
      }
      backlog.push(due);
    };
    await new Promise<void>((resolve) => {
      const tick = () => {
        const now = performance.now();
        while (issued < total && start + issued * gap <= now) issue(start + issued++ * gap);
        if (issued < total) setTimeout(tick, 1);
        else resolve();
      };
      tick();
    });
  }
  stopped = true;
  const sendingEnded = performance.now();
  // Answers still due count if they come within a bound's worth of time (later ones would be late).
  const deadline = performance.now() + Math.max(2000, 4 * boundMs);
  while (outstanding > 0 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  for (const conn of all) conn.close();
  return { seconds: (sendingEnded - start) / 1000, perBody };
}
