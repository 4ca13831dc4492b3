/**
 * `bentoci verify`: with --pub or a keyless identity, the signature of a model, bento or image; without,
 * the store's own check of stored entries against their recorded digests. The work is
 * src/operations/verify.ts's; this file declares the command and prints what it found.
 */
import type { Command } from 'commander';
import { ATTESTATION_KINDS } from '../attest/formats.js';
import { BentoError, IntegrityError, UsageError } from '../core/errors.js';
import { describeProblems } from '../core/store.js';
import type { UserText } from '../core/user-text.js';
import { isKeyless } from '../operations/trust.js';
import {
  type Checked,
  checkIntegrity,
  type Failure,
  verifyAttestationOf,
  verifySignature,
} from '../operations/verify.js';
import { isOmsVerify } from '../operations/verify-oms.js';
import { type OmsVerifyFlags, verifyOmsCommand, withOmsVerifyFlags } from './oms.js';
import { info, printJson } from './output.js';
import { action } from './program.js';
import { TARGET_HELP, type TargetFlags, withTargetFlags } from './sign-targets.js';
import { type TrustFlags, withTrustFlags } from './verify-gate.js';

interface VerifyFlags extends TargetFlags, TrustFlags, OmsVerifyFlags {
  /** `--attestation provenance|sbom`: the signed attestation attached to a registry reference. */
  attestation?: string;
}

export function registerVerifyCommand(program: Command): void {
  // The bento store commands registered at the top level include an integrity-only `verify`; this one
  // does that too (without --pub) and checks signatures with --pub, so it takes the name over.
  const existing = program.commands.findIndex((c) => c.name() === 'verify');
  if (existing >= 0) (program.commands as Command[]).splice(existing, 1);
  const command = withTargetFlags(
    withTrustFlags(
      program
        .command('verify')
        .description(
          'with --pub (key) or --certificate-identity/--certificate-oidc-issuer (keyless): check the signature of a model, bento or image; without: check stored bentos against their digests',
        )
        .argument('[target]', `${TARGET_HELP}; every bento when absent (integrity check only)`),
      'public key: a PEM file or env://NAME',
    ),
  ).action(action(verify));
  withOmsVerifyFlags(command);
  command.option(
    '--attestation <type>',
    `registry references: check the signed ${Object.keys(ATTESTATION_KINDS).join(' or ')} attestation attached to it`,
  );
}

/**
 * Prints a check as JSON (after its head: what was checked) when asked, and throws its reason when
 * it failed: a changed file or a signature moved to another digest is an integrity error, anything
 * else (no signature, wrong key) a plain failure; else prints its summary.
 */
function reportCheck(checked: Checked<{ ok: true } | Failure>, json: boolean | undefined): void {
  // `text` is the failure's message with its references kept: JSON shows the rendered message.
  const { text, ...result } = checked.result as ({ ok: true } | Failure) & { text?: UserText };
  if (json) printJson({ ...checked.head, ...result });
  if (!result.ok) {
    const message = text ?? result.message;
    throw result.reason === 'changed' || result.reason === 'digest-mismatch'
      ? new IntegrityError(message)
      : new BentoError(message);
  }
  if (!json && checked.summary) info(checked.summary);
}

async function verify(text: string | undefined, opts: VerifyFlags): Promise<void> {
  if (opts.attestation !== undefined) {
    const checked = await verifyAttestationOf(text, opts);
    // The statement is long; the summary says what matters.
    const { statement: _statement, ...result } = checked.result as typeof checked.result & {
      statement?: unknown;
    };
    return reportCheck({ ...checked, result: result as typeof checked.result }, opts.json);
  }
  if (isOmsVerify(opts)) return verifyOmsCommand(text, opts);
  if (!isKeyless(opts) && opts.pub === undefined) return verifyIntegrity(text, opts);
  if (text === undefined)
    throw new UsageError(
      'verify with a key or a keyless signer needs a target: a model or bento tag, or an image reference',
    );
  reportCheck(await verifySignature(text, opts), opts.json);
}

/** Without --pub or a keyless signer: the store's own check of files against their recorded digests. */
async function verifyIntegrity(text: string | undefined, opts: VerifyFlags): Promise<void> {
  const results = await checkIntegrity(text, opts.kind);
  if (opts.json) printJson(results);
  else {
    for (const r of results) {
      const detail = describeProblems(r.problems);
      info(r.problems.length ? `${r.tag}: DAMAGED: ${detail}` : `${r.tag}: ok`);
    }
  }
  const damaged = results.filter((r) => r.problems.length > 0);
  if (damaged.length > 0) {
    throw new IntegrityError(
      `${damaged.length} of ${results.length} entries are damaged (${damaged.map((d) => d.tag).join(', ')}); delete and save, build or pull them again`,
    );
  }
}
