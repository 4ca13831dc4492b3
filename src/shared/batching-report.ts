/**
 * What `models get`, the build and the serve log say of batching: on, with the axis of every input
 * and output, or off, with the reason (the input or output that stops it) and what to set.
 */
import { BATCH_AXES_FIX, batchAxisOf, inferBatchAxes } from './batch-axes.js';
import type { BentoApi, Signature, TensorSpec } from './schemas.js';

const bare = (specs: readonly TensorSpec[]) => specs.map(({ batch_axis: _, ...s }) => s);

/** `on: input 0, state 1, sr shared -> output 0, stateN 1`, or `off: <why>; <fix>`. */
export function signatureBatching(signature: Signature): string {
  if (signature.batchable) return `on: ${axesOf(signature.inputs, signature.outputs, signature.batch_dim)}`;
  const reason = offReason(signature);
  return reason === SAVED_OFF ? `off: ${reason}` : `off: ${reason}; ${BATCH_AXES_FIX}`;
}

const SAVED_OFF = 'saved as not batchable';

/** Why a signature does not batch: what stops the inference of its axes, or that it was saved so. */
export function offReason(signature: Signature): string {
  const inferred = inferBatchAxes(bare(signature.inputs), bare(signature.outputs));
  return inferred.ok ? SAVED_OFF : inferred.reason;
}

/** The same for an API of a bento (its axes may differ from the model's: the bentofile sets them). */
export function apiBatching(api: BentoApi, signature: Signature | undefined): string {
  if (api.batching.enabled) {
    const padding = api.batching.padding;
    const padded = padding
      ? `; padded: ${Object.entries(padding.inputs)
          .map(([name, p]) => `${name} axis ${p.axis}`)
          .join(', ')}${padding.mask ? `, mask ${padding.mask}` : ''}`
      : '';
    return `on: ${axesOf(api.input, api.output, signature?.batch_dim ?? 0)}${padded}`;
  }
  if (signature && !signature.batchable) return signatureBatching(signature);
  return 'off: batching.enabled is false';
}

function axesOf(inputs: readonly TensorSpec[], outputs: readonly TensorSpec[], batchDim: number): string {
  const list = (specs: readonly TensorSpec[]) =>
    specs.map((s) => `${s.name} ${batchAxisOf(s, batchDim)}`).join(', ');
  return `${list(inputs)} -> ${list(outputs)}`;
}
