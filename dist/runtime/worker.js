import { createRequire as __bentociCreateRequire } from 'node:module'; const require = __bentociCreateRequire(import.meta.url);

// runtime/worker.ts
import { parentPort, workerData } from "node:worker_threads";
import ort from "onnxruntime-node";

// runtime/workers/protocol.ts
var ORT_LOG_LEVELS = ["verbose", "info", "warning", "error", "fatal"];
function transferList(tensors) {
  const out = [];
  for (const t of tensors) {
    if (Array.isArray(t.data)) continue;
    const buffer = t.data.buffer;
    if (t.data.byteOffset === 0 && t.data.byteLength === buffer.byteLength && !out.includes(buffer))
      out.push(buffer);
  }
  return out;
}

// runtime/worker.ts
var port = parentPort;
var init = workerData;
ort.env.logLevel = init.ortLogLevel;
var logSeverityLevel = ORT_LOG_LEVELS.indexOf(init.ortLogLevel);
var sessions = /* @__PURE__ */ new Map();
function post(message, transfer = []) {
  port.postMessage(message, transfer);
}
function describe(values) {
  return values.map(
    (v) => v.isTensor ? { name: v.name, dtype: v.type, shape: [...v.shape] } : { name: v.name, dtype: "unknown", shape: [] }
  );
}
async function load() {
  const options = {
    logSeverityLevel,
    intraOpNumThreads: init.threads,
    interOpNumThreads: 1,
    executionMode: "sequential",
    graphOptimizationLevel: "all",
    executionProviders: init.provider === "cuda" ? [{ name: "cuda", deviceId: 0 }, "cpu"] : ["cpu"],
    extra: { session: { intra_op: { allow_spinning: init.spinning ? "1" : "0" } } }
  };
  const models = {};
  for (const spec of init.models) {
    const session = await ort.InferenceSession.create(spec.path, options);
    sessions.set(spec.key, session);
    models[spec.key] = { inputs: describe(session.inputMetadata), outputs: describe(session.outputMetadata) };
  }
  post({ type: "ready", models });
}
var lastEnd = 0;
async function run(message, receivedAt) {
  try {
    const session = sessions.get(message.model);
    if (!session) throw new Error(`model ${message.model} is not loaded in this worker`);
    const feeds = {};
    for (const f of message.feeds) feeds[f.name] = new ort.Tensor(f.dtype, f.data, f.shape);
    const started = performance.now();
    const results = await session.run(feeds);
    const ended = performance.now();
    const runMs = ended - started;
    const ready = Math.max(receivedAt, lastEnd);
    lastEnd = ended;
    const outputs = [];
    for (const name of session.outputNames) {
      const t = results[name];
      outputs.push({ name, dtype: t.type, shape: [...t.dims], data: t.data });
    }
    post(
      {
        type: "result",
        id: message.id,
        outputs,
        runMs,
        serviceMs: ended - ready,
        waitMs: Math.max(0, ready - receivedAt)
      },
      transferList(outputs)
    );
  } catch (err) {
    lastEnd = performance.now();
    post({ type: "error", id: message.id, message: err.message ?? String(err) });
  }
}
port.on("message", (message) => {
  if (message.type === "run") void run(message, performance.now());
});
load().catch((err) => post({ type: "failed", message: err.message ?? String(err) }));
