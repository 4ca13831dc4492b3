/**
 * An API's batching as bento.yaml records it: the batch axis of every input and output (the model's,
 * with the bentofile's `axes` over them) and the padding of variable-length inputs, checked against
 * the model's signature so the runtime never meets an axis that does not exist or cannot grow.
 */
import { UsageError } from '../core/errors.js';
import {
  axisProblem,
  BATCH_AXES_FIX,
  type BatchAxis,
  resolveBatchAxes,
  withAxes,
} from '../shared/batch-axes.js';
import { offReason } from '../shared/batching-report.js';
import type { Padding, Signature, TensorSpec } from '../shared/schemas.js';
import type { BatchingConfig, PaddingConfig } from './bentofile-schema.js';

export interface ApiBatching {
  enabled: boolean;
  input: TensorSpec[];
  output: TensorSpec[];
  padding?: Padding;
}

type Where = (...keys: string[]) => string;

export function resolveApiBatching(
  config: BatchingConfig | undefined,
  signature: Signature,
  model: string,
  where: Where,
): ApiBatching {
  const explicit: Record<string, BatchAxis> = {};
  // The model's recorded axes first, the bentofile's over them.
  if (signature.batchable)
    for (const s of [...signature.inputs, ...signature.outputs])
      explicit[s.name] = s.batch_axis ?? signature.batch_dim;
  Object.assign(explicit, config?.axes ?? {});
  const wantsAxes = config?.axes !== undefined;
  const axes = resolveBatchAxes(signature.inputs, signature.outputs, explicit);
  const enabled = config?.enabled ?? (signature.batchable || wantsAxes);
  if (!enabled) {
    if (config?.padding)
      throw new UsageError(
        `${where('batching', 'padding')}: padding needs batching on: remove it or set enabled: true`,
      );
    return { enabled: false, input: signature.inputs, output: signature.outputs };
  }
  if (!signature.batchable && !wantsAxes) {
    const why = offReason(signature);
    throw new UsageError(
      `${where('batching', 'enabled')}: model ${model} is not batchable (${why}): set batching.axes to batch it, or enabled: false`,
    );
  }
  if (!axes.ok)
    throw new UsageError(
      `${where('batching', wantsAxes ? 'axes' : 'enabled')}: model ${model} cannot batch: ${axes.reason}; ${BATCH_AXES_FIX}, or set enabled: false`,
    );
  const input = withAxes(signature.inputs, axes.inputs);
  const output = withAxes(signature.outputs, axes.outputs);
  const padding = config?.padding ? resolvePadding(config.padding, input, output, where) : undefined;
  return { enabled, input, output, ...(padding ? { padding } : {}) };
}

function resolvePadding(
  config: PaddingConfig,
  inputs: readonly TensorSpec[],
  outputs: readonly TensorSpec[],
  where: Where,
): Padding {
  const fail = (keys: string[], message: string): never => {
    throw new UsageError(`${where('batching', 'padding', ...keys)}: ${message}`);
  };
  const find = (specs: readonly TensorSpec[], name: string, keys: string[], kind: string) =>
    specs.find((s) => s.name === name) ??
    fail(
      keys,
      `"${name}" is not an ${kind} of the model (${kind}s: ${specs.map((s) => `"${s.name}"`).join(', ')})`,
    );
  const padded: Padding['inputs'] = {};
  const checkAxis = (spec: TensorSpec, axis: number, keys: string[]) => {
    if (spec.shape === null)
      fail(keys, `"${spec.name}" has no shape (unknown rank): padding needs its axes known`);
    if (axis === spec.batch_axis)
      fail(keys, `axis ${axis} of "${spec.name}" is its batch axis: pad along another`);
    const problem = axisProblem(spec, axis);
    if (problem) fail(keys, problem.replace('hold more rows', 'be padded'));
  };
  for (const [name, entry] of Object.entries(config.inputs)) {
    const spec = find(inputs, name, ['inputs', name], 'input');
    if (spec.batch_axis === 'shared')
      fail(['inputs', name], `"${name}" is shared by the batch: only batched inputs are padded`);
    checkAxis(spec, entry.axis, ['inputs', name, 'axis']);
    padded[name] = {
      axis: entry.axis,
      value: padValue(spec, entry.value, () => ['inputs', name, 'value'], fail),
    };
  }
  if (Object.keys(padded).length === 0) fail(['inputs'], 'name at least one input to pad');
  if (config.mask !== undefined) {
    const mask = find(inputs, config.mask, ['mask'], 'input');
    const axis = padded[mask.name]?.axis ?? maskAxis(mask, fail);
    checkAxis(mask, axis, ['mask']);
    if (mask.dtype === 'string') fail(['mask'], `"${mask.name}" holds strings: a mask is numbers or bools`);
    if (padded[mask.name] && padded[mask.name]!.value !== 0 && padded[mask.name]!.value !== false)
      fail(['inputs', mask.name, 'value'], `the mask "${mask.name}" is padded with 0: remove value`);
    const other = mask.shape!.findIndex(
      (d, i) => i !== axis && i !== mask.batch_axis && typeof d !== 'number',
    );
    if (other !== -1)
      fail(
        ['mask'],
        `axis ${other} of "${mask.name}" is dynamic: the runtime can only fill a mask whose other axes are fixed`,
      );
    padded[mask.name] = { axis, value: mask.dtype === 'bool' ? false : 0 };
  }
  const cut: Record<string, number> = {};
  for (const [name, axis] of Object.entries(config.outputs ?? {})) {
    checkAxis(find(outputs, name, ['outputs', name], 'output'), axis, ['outputs', name]);
    cut[name] = axis;
  }
  return {
    inputs: padded,
    ...(config.mask !== undefined ? { mask: config.mask } : {}),
    ...(config.buckets ? { buckets: config.buckets } : {}),
    ...(Object.keys(cut).length > 0 ? { outputs: cut } : {}),
  };
}

/** A mask not listed under inputs is padded along its one dynamic axis besides the batch axis. */
function maskAxis(mask: TensorSpec, fail: (keys: string[], message: string) => never): number {
  const dynamic = (mask.shape ?? []).flatMap((d, i) =>
    i !== mask.batch_axis && (typeof d === 'string' || d === -1) ? [i] : [],
  );
  if (dynamic.length !== 1)
    fail(['mask'], `say which axis of "${mask.name}" is padded: list it under inputs with its axis`);
  return dynamic[0]!;
}

function padValue(
  spec: TensorSpec,
  value: number | boolean | string | undefined,
  keys: () => string[],
  fail: (keys: string[], message: string) => never,
): number | boolean | string {
  if (spec.dtype === 'bool') {
    if (value === undefined) return false;
    if (typeof value !== 'boolean') fail(keys(), `"${spec.name}" is bool: pad with true or false`);
  } else if (spec.dtype === 'string') {
    if (value === undefined) return '';
    if (typeof value !== 'string') fail(keys(), `"${spec.name}" holds strings: pad with a string`);
  } else {
    if (value === undefined) return 0;
    if (typeof value !== 'number') fail(keys(), `"${spec.name}" is ${spec.dtype}: pad with a number`);
    if (!spec.dtype.startsWith('float') && !Number.isInteger(value))
      fail(keys(), `"${spec.name}" is ${spec.dtype}: pad with a whole number`);
  }
  return value!;
}
