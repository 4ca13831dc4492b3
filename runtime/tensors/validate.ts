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
 * should not be silently ignored). `optional` may be absent (the mask the runtime fills).
 */
export function validateInputs(inputs: TensorMap, specs: readonly TensorSpec[], optional?: string): void {
  let present = 0;
  for (const spec of specs) {
    const t = inputs[spec.name];
    if (!t && spec.name === optional) continue;
    present++;
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
  if (Object.keys(inputs).length > present) {
    const known = new Set(specs.map((s) => s.name));
    const extra = Object.keys(inputs).find((n) => !known.has(n));
    throw badRequest(
      `input "${extra}" is not an input of this API (inputs: ${specs.map((s) => `"${s.name}"`).join(', ')})`,
    );
  }
}
