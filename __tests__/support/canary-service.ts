/**
 * A tiny classifier service on 127.0.0.1 for canary tests: POST /predict {input: [[...]]} ->
 * {probabilities: [[...]]}, GET /readyz, and /metrics in the Prometheus text format. Weights, an
 * injected delay and an error rate are set per instance, so a test can stand up a baseline and an
 * identical, slower, wrong or failing candidate.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ServiceOptions {
  /** Class weights: class k scores sum(x) * w[k] + k / 10. */
  weights: number[];
  delayMs: number;
  /** Every n-th prediction answers 500. */
  failEvery?: number;
}

export interface Service {
  url: string;
  predictions: number;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** A classifier on 127.0.0.1: POST /predict {input: [[...]]} -> {probabilities: [[...]]}; /readyz; /metrics. */
export async function startService(options: ServiceOptions): Promise<Service> {
  let predictions = 0;
  const server: Server = createServer(async (req, res) => {
    if (req.url === '/readyz') return res.end('ok');
    if (req.url === '/metrics') {
      res.setHeader('content-type', 'text/plain; version=0.0.4');
      return res.end(
        `# TYPE svc_predictions_total counter\nsvc_predictions_total{api="predict"} ${predictions}\n# TYPE svc_delay_ms gauge\nsvc_delay_ms ${options.delayMs}\n`,
      );
    }
    if (req.method !== 'POST' || req.url !== '/predict') {
      res.statusCode = 404;
      return res.end();
    }
    const body = JSON.parse(await readBody(req)) as { input: number[][] };
    predictions++;
    const n = predictions;
    await new Promise((r) => setTimeout(r, options.delayMs));
    if (options.failEvery && n % options.failEvery === 0) {
      res.statusCode = 500;
      return res.end('{"error":"injected"}');
    }
    const probabilities = body.input.map((row) => {
      const s = row.reduce((a, b) => a + b, 0);
      const scores = options.weights.map((w, k) => Math.exp(s * w + k / 10));
      const total = scores.reduce((a, b) => a + b, 0);
      return scores.map((v) => v / total);
    });
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ probabilities }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get predictions() {
      return predictions;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
