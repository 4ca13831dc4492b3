/**
 * What warm-up feeds an API: its warm-up sample (bento.yaml `apis[].warmup`) repeated along the batch
 * dim to each batch size, or, without one, zeros with every dynamic dim 1 (the signature says nothing
 * better; a model that needs larger or valid inputs fails on those, and the message says what to set).
 */
import type { BatchAxis } from '../src/shared/batch-axes.js';
import type { TensorSpec } from '../src/shared/schemas.js';
import type { Tensor, TensorData, TensorMap } from '../src/shared/service.js';
import type { ApiRuntime } from './inference.js';
import { describeInputs, loadSample, type Sample } from './service/warmup-samples.js';
import type { BatchLayout } from './tensors/batch-layout.js';
import { concatAlong, splitAlong } from './tensors/concat.js';
import { allocate, elementCount } from './tensors/dtype.js';

export interface WarmupInputs {
  /** Rows of one request: the batch sizes to run when the API does not batch. */
  readonly rows: number;
  /** The inputs of a batch of `rows` rows (a fresh copy: a run may transfer its buffers). */
  batch(rows: number): TensorMap;
  /** The one warn line for a failed warm-up, given the first line of the error. */
  failure(error: string): string;
}

const NEXT_STEP = 'batch times will be learned from traffic';

function zeros(spec: TensorSpec, axis: BatchAxis, rows: number, batched: boolean): Tensor {
  // An unknown rank is warmed up as a scalar: a guess, and a wrong one only costs the warm-up.
  const shape = (spec.shape ?? []).map((d, i) =>
    batched && i === axis ? rows : typeof d === 'number' && d > 0 ? d : 1,
  );
  return { dtype: spec.dtype, shape, data: allocate(spec.dtype, elementCount(shape)) };
}

function zeroInputs(api: ApiRuntime): WarmupInputs {
  const { layout } = api;
  const batched = api.queue.batching;
  const batch = (rows: number): TensorMap => {
    const inputs: TensorMap = {};
    for (const { spec, axis } of layout.inputs) inputs[spec.name] = zeros(spec, axis, rows, batched);
    return inputs;
  };
  return {
    rows: 1,
    batch,
    failure: (error) =>
      `warm-up of API "${api.queue.name}" failed with zero-filled inputs (dims ${describeInputs(batch(1))}): ${error}; set apis[].warmup in bentofile.yaml to warm up with real inputs; ${NEXT_STEP}`,
  };
}

/** The sample cut or repeated along its batch axes to `rows` rows; shared inputs as they are. */
function resized(sample: Sample, rows: number, layout: BatchLayout): TensorMap {
  const inputs: TensorMap = {};
  for (const { name, axis } of layout.inputs) {
    const tensor = sample.inputs[name]!;
    if (axis === 'shared') {
      inputs[name] = copy(tensor);
      continue;
    }
    const copies = Math.ceil(rows / sample.rows);
    const whole = concatAlong(
      Array.from({ length: Math.max(2, copies) }, () => tensor),
      axis,
    );
    const total = whole.shape[axis]!;
    // Always cut from a concatenation: both make fresh buffers, so a run never takes the sample's.
    inputs[name] = splitAlong(whole, axis, [rows, total - rows])[0]!;
  }
  return inputs;
}

function sampleInputs(api: ApiRuntime, sample: Sample, what: string, fix: string): WarmupInputs {
  const batched = api.queue.batching;
  return {
    rows: sample.rows,
    batch: (rows) => (batched ? resized(sample, rows, api.layout) : copied(sample)),
    failure: (error) =>
      `warm-up of API "${api.queue.name}" failed with ${what} (${describeInputs(sample.inputs)}): ${error}; ${fix}; ${NEXT_STEP}`,
  };
}

/** A non-batchable API runs the sample as it is; a copy, for the same reason as above. */
function copied(sample: Sample): TensorMap {
  const inputs: TensorMap = {};
  for (const [name, t] of Object.entries(sample.inputs)) inputs[name] = copy(t);
  return inputs;
}

const copy = (t: Tensor): Tensor => ({
  dtype: t.dtype,
  shape: [...t.shape],
  data: (t.data as { slice(): TensorData }).slice(),
});

/**
 * The inputs to warm `api` up with; `{ skip }` (the one warn line) when its sample cannot be read,
 * since warming up with something else would seed batch times that the real inputs do not have.
 */
export async function warmupInputs(api: ApiRuntime): Promise<WarmupInputs | { skip: string }> {
  const { loaded, queue } = api;
  const warmup = loaded.api.warmup;
  if (!warmup) return zeroInputs(api);
  const target = {
    specs: loaded.api.input,
    batchable: queue.batching,
    batchDim: loaded.signature.batch_dim,
  };
  const what =
    'file' in warmup ? `the sample ${warmup.file}` : `inputs filled with ${JSON.stringify(warmup.fill)}`;
  const fix = `fix apis[].warmup${'file' in warmup ? '.file' : ''} in bentofile.yaml`;
  try {
    const sample = await loadSample(warmup, loaded.warmupFile, target);
    return sampleInputs(api, sample, what, fix);
  } catch (err) {
    return {
      skip: `warm-up of API "${queue.name}" cannot use ${what}: ${firstLine(err)}; ${fix}; ${NEXT_STEP}`,
    };
  }
}

export function firstLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.trim().split('\n')[0]!.trim();
}
