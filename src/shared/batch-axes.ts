/**
 * Which axis of each input and output requests are stacked along when they share a batch, or
 * `shared` for an input the whole batch uses once (a sample rate, a flag: requests batch together
 * only when theirs are equal). Read from the model's dimension names where they make it certain,
 * set by the user where they do not. Shared by the store (models save), the build and the runtime.
 */
import type { Dim, TensorSpec } from './schemas.js';

export type BatchAxis = number | 'shared';

/** A batch axis per tensor, or why none could be settled (and what to set). */
export type BatchAxes =
  | { ok: true; inputs: Record<string, BatchAxis>; outputs: Record<string, number>; dimName?: string }
  | { ok: false; reason: string };

/** Names exporters give the batch dimension (torch's dynamic_axes examples, tf2onnx, Keras). */
const BATCH_NAME = /^(n|b|bs|batch|batch_?size|.*batch.*)$/i;

const isDynamic = (d: Dim | undefined): boolean => typeof d === 'string' || d === -1;

/**
 * The batch axes the graph makes certain: a dimension name that every output carries exactly once
 * and some input carries (at most once each); inputs without it are shared. When several names
 * qualify (a time-major model names its time axis too), the one named like a batch wins; if none or
 * several are, nothing is certain. Unnamed dynamic dims prove nothing: a time-major model's first
 * dim is dynamic too, and concatenating along time would answer wrongly without an error.
 */
export function inferBatchAxes(inputs: readonly TensorSpec[], outputs: readonly TensorSpec[]): BatchAxes {
  const off = (reason: string): BatchAxes => ({ ok: false, reason });
  if (inputs.length === 0 || outputs.length === 0) return off('it has no inputs or no outputs');
  const unknown = [...inputs, ...outputs].find((s) => s.shape === null);
  if (unknown) return off(`"${unknown.name}" has no shape (unknown rank), so no axis of it is known`);
  const once = (spec: TensorSpec, name: string) => spec.shape!.filter((d) => d === name).length === 1;
  const names = new Set(outputs[0]!.shape!.filter((d): d is string => typeof d === 'string'));
  const candidates = [...names].filter(
    (name) =>
      outputs.every((o) => once(o, name)) &&
      inputs.some((i) => once(i, name)) &&
      inputs.every((i) => i.shape!.filter((d) => d === name).length <= 1),
  );
  let name = candidates[0];
  if (candidates.length === 0) return off(nearMiss(inputs, outputs));
  if (candidates.length !== 1) {
    const batchLike = candidates.filter((c) => BATCH_NAME.test(c));
    if (batchLike.length !== 1)
      return off(
        `the dimension names ${candidates.map((c) => `"${c}"`).join(', ')} could each be the batch axis`,
      );
    name = batchLike[0];
  }
  const axes: BatchAxes = { ok: true, inputs: {}, outputs: {}, dimName: name! };
  for (const i of inputs) axes.inputs[i.name] = i.shape!.includes(name!) ? i.shape!.indexOf(name!) : 'shared';
  for (const o of outputs) axes.outputs[o.name] = o.shape!.indexOf(name!);
  return axes;
}

/**
 * Why no name qualifies, naming the tensor that stops the likeliest one (the name most tensors
 * carry): an output without it, or a tensor that carries it twice.
 */
function nearMiss(inputs: readonly TensorSpec[], outputs: readonly TensorSpec[]): string {
  const none = 'no dimension name is shared by every output and an input, so no batch axis is certain';
  const all = [...inputs, ...outputs];
  const count = (name: string) => all.filter((s) => s.shape!.includes(name)).length;
  const names = [...new Set(all.flatMap((s) => s.shape!.filter((d): d is string => typeof d === 'string')))]
    .filter((n) => inputs.some((i) => i.shape!.includes(n)) && outputs.some((o) => o.shape!.includes(n)))
    .sort((a, b) => count(b) - count(a));
  const name = names[0];
  if (name === undefined) return none;
  const twice = all.find((s) => s.shape!.filter((d) => d === name).length > 1);
  if (twice)
    return `"${twice.name}" carries the dimension "${name}" twice, so it is not certain which is the batch`;
  const missing = outputs.find((o) => !o.shape!.includes(name))!;
  return `output "${missing.name}" has no "${name}" dimension, so it could not be cut back per request`;
}

/**
 * The batch axes with the user's choices (`explicit`, by tensor name) over what the graph makes
 * certain. Every output needs an axis and at least one input must be batched; an axis must exist
 * in the tensor's shape and be dynamic there (a fixed 1 would make the model refuse 2 rows).
 */
export function resolveBatchAxes(
  inputs: readonly TensorSpec[],
  outputs: readonly TensorSpec[],
  explicit: Readonly<Record<string, BatchAxis>> = {},
): BatchAxes {
  const known = new Map([...inputs, ...outputs].map((s) => [s.name, s]));
  for (const [name, axis] of Object.entries(explicit)) {
    const spec = known.get(name);
    if (!spec) {
      const all = [...known.keys()].map((n) => `"${n}"`).join(', ');
      return { ok: false, reason: `"${name}" is not an input or output of the model (it has ${all})` };
    }
    if (axis === 'shared') {
      if (outputs.includes(spec))
        return {
          ok: false,
          reason: `output "${name}" cannot be shared: every output is cut back per request`,
        };
      continue;
    }
    const problem = axisProblem(spec, axis);
    if (problem) return { ok: false, reason: problem };
  }
  const inferred = Object.keys(explicit).length < known.size ? inferBatchAxes(inputs, outputs) : undefined;
  const axes = { inputs: {} as Record<string, BatchAxis>, outputs: {} as Record<string, number> };
  for (const spec of inputs) {
    const axis = explicit[spec.name] ?? (inferred?.ok ? inferred.inputs[spec.name] : undefined);
    if (axis === undefined) return unsettled('input', spec.name, inferred);
    axes.inputs[spec.name] = axis;
  }
  for (const spec of outputs) {
    const axis = explicit[spec.name] ?? (inferred?.ok ? inferred.outputs[spec.name] : undefined);
    if (axis === undefined || axis === 'shared') return unsettled('output', spec.name, inferred);
    axes.outputs[spec.name] = axis;
  }
  if (Object.values(axes.inputs).every((a) => a === 'shared'))
    return { ok: false, reason: 'every input is shared, so requests have no rows to stack' };
  return { ok: true, ...axes, ...(inferred?.ok ? { dimName: inferred.dimName } : {}) };
}

function unsettled(kind: string, name: string, inferred: BatchAxes | undefined): BatchAxes {
  const why = inferred && !inferred.ok ? `${inferred.reason}; ` : '';
  return { ok: false, reason: `${why}${kind} "${name}" has no batch axis` };
}

/** Why `axis` cannot be `spec`'s batch axis, or undefined when it can. */
export function axisProblem(spec: TensorSpec, axis: number): string | undefined {
  if (spec.shape === null) return undefined; // unknown rank: the model judges it
  if (axis >= spec.shape.length)
    return `"${spec.name}" has rank ${spec.shape.length}, so it has no axis ${axis}`;
  if (!isDynamic(spec.shape[axis]))
    return `axis ${axis} of "${spec.name}" is fixed at ${spec.shape[axis]}, so it cannot hold more rows`;
  return undefined;
}

/** The batch axis a spec records, or the signature's single `batch_dim` for entries saved before. */
export function batchAxisOf(spec: TensorSpec, batchDim: number): BatchAxis {
  return spec.batch_axis ?? batchDim;
}

/** The specs with their batch axes recorded (what model.yaml and bento.yaml carry). */
export function withAxes(
  specs: readonly TensorSpec[],
  axes: Readonly<Record<string, BatchAxis>>,
): TensorSpec[] {
  return specs.map((s) => (axes[s.name] === undefined ? s : { ...s, batch_axis: axes[s.name]! }));
}

/** The fix to print with a reason batching is off, for a model save or a bentofile. */
export const BATCH_AXES_FIX =
  'set a batch axis per input and output (a number, or "shared" for an input the whole batch uses): apis[].batching.axes in bentofile.yaml, or at save';
