/**
 * L_model: ONNX Runtime in-process, no HTTP. `node --import tsx model-limit.ts MODEL.onnx FEATURES
 * THREADS BATCH SECONDS [SPINNING]` runs session.run back to back on a batch of that size and prints
 * {"rows_per_s", "median_ms"} as JSON. The orchestrator runs it for every batch size and thread
 * layout (several copies at once for several sessions) and keeps the best.
 */
import ort from 'onnxruntime-node';

const [path, features, threads, batch, seconds, spinning = '0'] = process.argv.slice(2);
const rows = Number(batch);
const session = await ort.InferenceSession.create(path!, {
  intraOpNumThreads: Number(threads),
  interOpNumThreads: 1,
  executionMode: 'sequential',
  graphOptimizationLevel: 'all',
  extra: { session: { intra_op: { allow_spinning: spinning } } },
});
const width = Number(features);
const data = new Float32Array(rows * width);
for (let i = 0; i < data.length; i++) data[i] = Math.sin(i);
const feeds = { [session.inputNames[0]!]: new ort.Tensor('float32', data, [rows, width]) };
for (let i = 0; i < 5; i++) await session.run(feeds);
const times: number[] = [];
const end = performance.now() + Number(seconds) * 1000;
let done = 0;
const started = performance.now();
while (performance.now() < end) {
  const t = performance.now();
  await session.run(feeds);
  times.push(performance.now() - t);
  done += rows;
}
const elapsed = (performance.now() - started) / 1000;
times.sort((a, b) => a - b);
process.stdout.write(
  `${JSON.stringify({ rows_per_s: done / elapsed, median_ms: times[Math.floor(times.length / 2)] })}\n`,
);
