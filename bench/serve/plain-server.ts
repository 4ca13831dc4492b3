/**
 * Baseline C: what a user writes without bentoci. `node --import tsx plain-server.ts MODEL.onnx PORT`:
 * node:http, JSON in and out, one ONNX Runtime session with its default options, run on the HTTP
 * thread as each request arrives.
 */
import { createServer } from 'node:http';
import ort from 'onnxruntime-node';

const [path, port] = process.argv.slice(2);
const session = await ort.InferenceSession.create(path!);
const input = session.inputNames[0]!;
const output = session.outputNames[0]!;

createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', async () => {
    try {
      const rows = JSON.parse(Buffer.concat(chunks).toString()) as number[][];
      const x = new ort.Tensor('float32', Float32Array.from(rows.flat()), [rows.length, rows[0]!.length]);
      const result = (await session.run({ [input]: x }))[output]!;
      const [n, width] = result.dims as number[];
      const data = result.data as Float32Array;
      const out: number[][] = [];
      for (let r = 0; r < n!; r++) out.push(Array.from(data.subarray(r * width!, (r + 1) * width!)));
      const body = JSON.stringify(out);
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    } catch (err) {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: (err as Error).message }));
    }
  });
}).listen(Number(port), '127.0.0.1');
