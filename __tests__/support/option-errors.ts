/** What an operation refused: the OptionErrors it threw, one per bad option, for tests of both front doors. */
import { pushInputs, readInputs } from '../../src/actions/inputs.js';
import { OptionError, OptionErrors } from '../../src/core/errors.js';

function asOptionErrors(err: unknown): OptionError[] {
  if (err instanceof OptionErrors) return [...err.errors];
  if (err instanceof OptionError) return [err];
  throw err;
}

export function optionErrors(fn: () => unknown): OptionError[] {
  try {
    fn();
  } catch (err) {
    return asOptionErrors(err);
  }
  throw new Error('expected an option error');
}

export async function optionErrorsAsync(fn: () => unknown): Promise<OptionError[]> {
  try {
    await fn();
  } catch (err) {
    return asOptionErrors(err);
  }
  throw new Error('expected an option error');
}

/** The inputs of bento-push as the action reads them (defaults for everything not given). */
export function pushInputsOf(values: Record<string, string>) {
  return readInputs(
    pushInputs,
    (name) => ({ bento: 'iris:v1', registry: 'oci://r.test/x', ...values })[name] ?? '',
  );
}
