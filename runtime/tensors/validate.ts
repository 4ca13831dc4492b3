/** Checks decoded tensors against an API's input signature, with errors that say what was expected. */
import type { TensorSpec } from '../../src/shared/schemas.js';
import type { Tensor, TensorMap } from '../../src/shared/service.js';
import { badRequest } from '../errors.js';

export function formatSpec(spec: TensorSpec): string {
  if (spec.shape === null) return `${spec.dtype} of any shape`;
  return `${spec.dtype} [${spec.shape.map((d) => (d === -1 ? '?' : String(d))).join(', ')}]`;
}

export function formatTensor(t: Tensor): string {
  return `${t.dtype} [${t.shape.join(', ')}]`;
}

/**
 * Every input of the signature must be present with the right dtype, rank and fixed dims (an input of
 * unknown rank: only the dtype; the model judges its shape); unknown names are refused too (a typo
 * should not be silently ignored).
 */
export function validateInputs(inputs: TensorMap, specs: readonly TensorSpec[]): void {
  for (const spec of specs) {
    const t = inputs[spec.name];
    if (!t) {
      const names = specs.map((s) => `"${s.name}"`).join(', ');
      throw badRequest(`input "${spec.name}" is missing: expected ${formatSpec(spec)} (inputs: ${names})`);
    }
    const shape = spec.shape;
    const mismatch =
      t.dtype !== spec.dtype ||
      (shape !== null &&
        (t.shape.length !== shape.length ||
          shape.some((d, i) => typeof d === 'number' && d >= 0 && t.shape[i] !== d)));
    if (mismatch)
      throw badRequest(`input "${spec.name}": expected ${formatSpec(spec)}, got ${formatTensor(t)}`);
  }
  if (Object.keys(inputs).length > specs.length) {
    const known = new Set(specs.map((s) => s.name));
    const extra = Object.keys(inputs).find((n) => !known.has(n));
    throw badRequest(
      `input "${extra}" is not an input of this API (inputs: ${specs.map((s) => `"${s.name}"`).join(', ')})`,
    );
  }
}

/**
 * How many rows a request contributes along the batch dim; every input must agree, or the request
 * cannot be split back after the batch.
 */
export function rowsOf(inputs: TensorMap, specs: readonly TensorSpec[], batchDim: number): number {
  let rows = -1;
  for (const spec of specs) {
    const n = inputs[spec.name]!.shape[batchDim];
    if (n === undefined)
      throw badRequest(
        `input "${spec.name}": rank ${inputs[spec.name]!.shape.length} has no batch dim ${batchDim}`,
      );
    if (rows === -1) rows = n;
    else if (n !== rows) {
      throw badRequest(
        `input "${spec.name}": batch dim ${batchDim} is ${n} but "${specs[0]!.name}" has ${rows}; they must match`,
      );
    }
  }
  if (rows === 0) throw badRequest(`input "${specs[0]!.name}": the batch dim ${batchDim} is empty`);
  return rows;
}

/** Requests batch together only when every dim other than the batch dim matches. */
export function compatibilityKey(inputs: TensorMap, specs: readonly TensorSpec[], batchDim: number): string {
  let key = '';
  for (const spec of specs) {
    const shape = inputs[spec.name]!.shape;
    for (let i = 0; i < shape.length; i++) key += i === batchDim ? '*,' : `${shape[i]},`;
    key += ';';
  }
  return key;
}
