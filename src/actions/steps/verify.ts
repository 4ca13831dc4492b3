/**
 * verify-policy as a step: the gate's check (src/operations/trust.ts) run in its own log group when
 * the policy is not off; a warning is annotated, a verified or unverified artifact noted in the
 * summary, and under `require` a failed check fails the step.
 */
import * as core from '@actions/core';
import type { PolicyOutcome, VerifyPolicy } from '../../sign/index.js';
import type { ActionRun } from '../run.js';

/** Runs `check` as the step "Verify <what>" unless the policy is off. */
export async function verifyStep(
  run: ActionRun,
  what: string,
  policy: VerifyPolicy,
  check: (warn: (message: string) => void) => Promise<PolicyOutcome>,
): Promise<PolicyOutcome> {
  if (policy === 'off') return { status: 'skipped' };
  const outcome = await run.step(`Verify ${what}`, () =>
    check((message) => core.warning(message, { title: `Signature not verified (${run.name})` })),
  );
  if (outcome.status === 'verified') {
    core.info(`${what} is signed by ${outcome.by}`);
    run.report.note(`${what}: signature verified (${outcome.by})`);
  } else if (outcome.status === 'warned') {
    run.report.note(`${what}: not verified (${outcome.message})`);
  }
  return outcome;
}
