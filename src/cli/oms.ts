/**
 * The OpenSSF Model Signing (OMS v1.0) side of `bentoci sign` and `bentoci verify`:
 *
 * - `sign TAG --format oms (--key KEY | --keyless)` writes `.signatures/model.sig` beside the entry;
 * - `verify MODEL_PATH --signature model.sig` checks a signature of a plain file or directory (what
 *   `model_signing verify` does), `verify TAG --format oms` the one beside a stored entry;
 * - whom to trust as model_signing's three methods: `--pub KEY` (key), `--certificate-chain PEM`
 *   (certificate; repeatable), or the keyless flags (sigstore; `--offline` uses the trusted root
 *   @sigstore/tuf ships instead of fetching it).
 */
import type { Command } from 'commander';
import { BentoError, IntegrityError, UsageError } from '../core/errors.js';
import type { UserText } from '../core/user-text.js';
import { verifyOms } from '../operations/verify-oms.js';
import { collectList } from './options.js';
import { info, printJson } from './output.js';
import type { TargetFlags } from './sign-targets.js';
import type { TrustFlags } from './verify-gate.js';

export function withOmsSignFlags(command: Command): Command {
  return command.option(
    '--format <format>',
    'models and bentos: bentoci (default: DSSE statement over files and metadata) or oms (OpenSSF model signing v1.0, .signatures/model.sig)',
  );
}

export interface OmsVerifyFlags extends TargetFlags, TrustFlags {
  format?: string;
  signature?: string;
  certificateChain?: string[];
  ignorePaths?: string[];
  /** commander's `--no-ignore-git-paths`: true unless given. */
  ignoreGitPaths?: boolean;
  offline?: boolean;
}

export function withOmsVerifyFlags(command: Command): Command {
  return command
    .option(
      '--format <format>',
      'store entries: bentoci (default) or oms (the OMS signature beside the entry)',
    )
    .option(
      '--signature <file>',
      "an OMS signature (model_signing's model.sig); the target is then the model's file or directory",
    )
    .option(
      '--certificate-chain <pem>',
      'OMS: trust anchors for certificate-signed models (repeatable; like model_signing --certificate_chain)',
      collectList,
    )
    .option(
      '--ignore-paths <path>',
      "OMS: a path to leave out besides the signature's own ignore_paths (repeatable; relative to the current directory, or to the model)",
      collectList,
    )
    .option(
      '--no-ignore-git-paths',
      'OMS: hash .git, .gitattributes, .github, .gitignore at the model root too',
    )
    .option(
      '--offline',
      "OMS keyless: Sigstore's public trusted root as @sigstore/tuf ships it, without TUF",
    );
}

/** `bentoci verify TARGET --signature FILE` or `--format oms`: the check is src/operations/verify-oms.ts's. */
export async function verifyOmsCommand(text: string | undefined, flags: OmsVerifyFlags): Promise<void> {
  if (text === undefined)
    throw new UsageError(
      'verify --signature/--format oms needs a target: a model directory or file, or a store tag',
    );
  const checked = await verifyOms(text, flags);
  // `text` keeps the failure's option references for this door to spell; JSON shows the message.
  const { text: failure, ...result } = checked.result as typeof checked.result & { text?: UserText };
  if (flags.json)
    printJson(
      result.ok ? { ...checked.head, ...result, statement: undefined } : { ...checked.head, ...result },
    );
  if (!result.ok) {
    const message = failure ?? result.message;
    throw result.reason === 'changed' || result.reason === 'bad-signature'
      ? new IntegrityError(message)
      : new BentoError(message);
  }
  if (!flags.json && checked.summary) info(checked.summary);
}
