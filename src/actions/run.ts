/**
 * The frame every action entry runs in: it hands the entry a RunReport and a `step` helper (a log
 * group that is also timed), sets the outputs the entry returns, writes the job summary (also when
 * the run fails, so the summary shows how far it got), and turns errors into one annotation each:
 * a bad input is titled with the input's name, a failure with the step that failed.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as core from '@actions/core';
import { BentoError, errorMessage, OptionError, OptionErrors } from '../core/errors.js';
import { ACTION_INPUTS, InputError, InputErrors } from './inputs.js';
import { actionNaming, inputOf } from './naming.js';
import { type OutputValues, setOutputs } from './outputs.js';
import { RunReport } from './report.js';
import { writeSummary } from './summary.js';

export interface ActionRun {
  /** The action's name, as its folder under actions/ ("bento-build"), or "pipeline" for the root. */
  readonly name: string;
  readonly report: RunReport;
  /** Runs `fn` inside a collapsible log group and records how long it took. */
  step<T>(title: string, fn: () => Promise<T>): Promise<T>;
}

export interface ActionDefinition<N extends string> {
  name: string;
  /** The summary's heading. */
  title: string;
  outputs: readonly N[];
}

class StepFailure extends Error {
  constructor(
    readonly step: string,
    override readonly cause: unknown,
  ) {
    super(errorMessage(cause));
  }
}

export async function runAction<N extends string>(
  definition: ActionDefinition<N>,
  main: (run: ActionRun) => Promise<OutputValues<N>>,
): Promise<void> {
  const report = new RunReport();
  const run: ActionRun = {
    name: definition.name,
    report,
    async step<T>(title: string, fn: () => Promise<T>): Promise<T> {
      const startMs = Date.now();
      core.startGroup(title);
      try {
        const value = await fn();
        report.steps.push({ name: title, startMs, endMs: Date.now(), ok: true });
        return value;
      } catch (err) {
        report.steps.push({ name: title, startMs, endMs: Date.now(), ok: false });
        throw err instanceof StepFailure ? err : new StepFailure(title, err);
      } finally {
        core.endGroup();
      }
    },
  };

  try {
    const outputs = await main(run);
    setOutputs(definition.outputs, outputs);
  } catch (err) {
    fail(definition, report, err);
  }
  try {
    await writeSummary(definition.title, report);
  } catch (err) {
    core.warning(`could not write the job summary: ${errorMessage(err)}`);
  }
}

function fail(definition: { name: string }, report: RunReport, err: unknown): void {
  const step = err instanceof StepFailure ? err.step : undefined;
  const cause = err instanceof StepFailure ? err.cause : err;
  const inputs = Object.keys(ACTION_INPUTS[definition.name as keyof typeof ACTION_INPUTS] ?? {});
  const naming = actionNaming(inputs);
  const render = (e: unknown) => (e instanceof BentoError ? e.render(naming) : errorMessage(e));
  // A bad option the action has an input for is that input's fault, wherever it was found.
  const optionErrors =
    cause instanceof OptionErrors ? cause.errors : cause instanceof OptionError ? [cause] : [];
  const optionInputs = optionErrors.map((e) => inputOf(e.option, inputs));
  const inputErrors =
    cause instanceof InputErrors
      ? cause.errors
      : cause instanceof InputError
        ? [cause]
        : optionErrors.length > 0 && optionInputs.every(Boolean)
          ? optionErrors.map((e, i) => new InputError(optionInputs[i]!, render(e), { namesInput: true }))
          : [];
  if (inputErrors.length > 0) {
    for (const e of inputErrors)
      core.error(e.message, { title: `Invalid input "${e.input}" (${definition.name})` });
    report.failure = { title: 'invalid inputs', message: inputErrors.map((e) => e.message).join('; ') };
  } else {
    const title = `${step ? `${step} failed` : 'Failed'} (${definition.name})`;
    const message = render(cause);
    core.error(message, { title });
    // An unexpected error (not one of ours) is a bug: its stack helps the report, in the debug log.
    if (!(cause instanceof BentoError) && cause instanceof Error && cause.stack) core.debug(cause.stack);
    report.failure = { title, message };
  }
  // A literal, not core.ExitCode.Failure: runners that stand in for @actions/core (GitHub's
  // local-action) provide its functions but not its enums.
  process.exitCode = 1;
}

/**
 * True when `moduleUrl` is the script node was started with (`node dist/bento-build.js`, as the
 * runner starts an action), false when something imports the module to call its `run()` (GitHub's
 * local-action, a test).
 */
export function isMainModule(moduleUrl: string): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(moduleUrl));
  } catch {
    return false;
  }
}
