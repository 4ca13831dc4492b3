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
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { BentoError, IntegrityError, UsageError } from '../core/errors.js';
import { formatTag } from '../core/tag.js';
import { findEntry } from '../operations/targets.js';
import { identityPolicyOf, isKeyless, parseTrustOptions } from '../operations/trust.js';
import {
  loadTrustedRoot,
  type OmsTrust,
  type OmsVerification,
  readKeyText,
  sigstoreCheck,
  verifyEntryOms,
  verifyOmsSignature,
} from '../sign/index.js';
import { parseOmsPublicKey } from '../sign/oms/ec-keys.js';
import { MAX_SIGNATURE_BYTES } from '../sign/oms/format.js';
import { seededTrustedRoot } from '../sign/oms/seeded-root.js';
import { parseTrustAnchors } from '../sign/oms/x509-chain.js';
import { collectList, flagOf } from './options.js';
import { info, printJson } from './output.js';
import type { TargetFlags } from './sign-targets.js';
import type { TrustFlags } from './verify-gate.js';

export type SignatureFormat = 'bentoci' | 'oms';

export function parseFormat(value: string | undefined): SignatureFormat {
  if (value === undefined || value === 'bentoci' || value === 'oms') return value ?? 'bentoci';
  throw new UsageError(
    `invalid --format "${value}": expected bentoci (the default) or oms (OpenSSF model signing v1.0)`,
  );
}

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

export function isOmsVerify(flags: OmsVerifyFlags): boolean {
  if (flags.signature !== undefined || parseFormat(flags.format) === 'oms') return true;
  const omsOnly = (['certificateChain', 'ignorePaths', 'offline'] as const).find(
    (f) => flags[f] !== undefined,
  );
  if (omsOnly !== undefined || flags.ignoreGitPaths === false)
    throw new UsageError(
      `${omsOnly ? flagOf(omsOnly) : '--no-ignore-git-paths'} is for OMS signatures: add --signature FILE (a model path) or --format oms (a stored entry)`,
    );
  return false;
}

export async function verifyOms(text: string | undefined, flags: OmsVerifyFlags): Promise<void> {
  if (text === undefined)
    throw new UsageError(
      'verify --signature/--format oms needs a target: a model directory or file, or a store tag',
    );
  const trust = await omsTrustOf(flags);
  if (flags.signature === undefined) {
    if (flags.ignorePaths?.length || flags.ignoreGitPaths === false)
      throw new UsageError(
        '--ignore-paths and --no-ignore-git-paths are for --signature FILE; a stored entry records its own',
      );
    const { store, entry } = await findEntry(text, flags.kind);
    const result = await verifyEntryOms(store, entry, trust);
    report(
      { tag: formatTag(entry.tag), kind: store.kind.noun, format: 'oms' },
      result,
      flags.json,
      () =>
        `verified ${store.kind.noun} ${formatTag(entry.tag)}: ${result.ok ? result.files : 0} files match the OMS signature (signed by ${result.ok ? result.signer : ''})`,
    );
    return;
  }
  const modelPath = resolve(text);
  if (!(await stat(modelPath).catch(() => undefined)))
    throw new UsageError(
      `verify ${text} --signature: ${text} is not a file or directory (the model to check)`,
    );
  const signatureFile = resolve(flags.signature);
  const json = await readSignature(flags.signature);
  const result = await verifyOmsSignature(modelPath, json, trust, {
    where: flags.signature,
    signatureFile,
    ignorePaths: (flags.ignorePaths ?? []).map((p) => ignorePathOf(p, modelPath)),
    ignoreGitPaths: flags.ignoreGitPaths !== false,
  });
  report({ model: text, signature: flags.signature, format: 'oms' }, result, flags.json, () =>
    result.ok
      ? `verified ${text}: ${result.files} files match ${flags.signature} (OMS v1.0, signed by ${result.signer}${result.ignorePaths.length ? `; ignored as signed: ${result.ignorePaths.join(', ')}` : ''})`
      : '',
  );
}

/** model_signing takes --ignore-paths relative to the current directory; one outside the model is taken relative to the model. */
function ignorePathOf(path: string, modelPath: string): string {
  const fromCwd = resolve(path);
  if (fromCwd === modelPath || fromCwd.startsWith(`${modelPath}/`)) return fromCwd;
  return resolve(modelPath, path);
}

async function readSignature(file: string): Promise<unknown> {
  const info = await stat(file).catch(() => undefined);
  if (!info?.isFile()) throw new UsageError(`--signature "${file}": no such file`);
  if (info.size > MAX_SIGNATURE_BYTES)
    throw new UsageError(
      `--signature "${file}" is ${info.size} bytes; an OMS signature is at most ${MAX_SIGNATURE_BYTES}`,
    );
  try {
    return JSON.parse(await readFile(file, 'utf8'));
  } catch {
    throw new IntegrityError(
      `--signature "${file}" is not JSON (expected a Sigstore bundle, as model_signing writes)`,
    );
  }
}

/** One trust method from the flags, as model_signing's `verify key|certificate|sigstore`. */
async function omsTrustOf(flags: OmsVerifyFlags): Promise<OmsTrust> {
  const methods = [
    flags.pub !== undefined && '--pub',
    flags.certificateChain !== undefined && '--certificate-chain',
    (isKeyless(flags) || flags.offline) && '--certificate-identity/--certificate-oidc-issuer',
  ].filter(Boolean);
  if (methods.length !== 1)
    throw new UsageError(
      methods.length === 0
        ? 'OMS verification needs whom to trust: --pub KEY (key), --certificate-chain PEM (certificate) or --certificate-identity and --certificate-oidc-issuer (Sigstore)'
        : `pass one of ${methods.join(', ')}, not several`,
    );
  if (flags.pub !== undefined)
    return { method: 'key', publicKey: parseOmsPublicKey(await readKeyText(flags.pub, 'pub'), flags.pub) };
  if (flags.certificateChain !== undefined) {
    const anchors = [];
    for (const file of flags.certificateChain)
      anchors.push(...parseTrustAnchors(await readKeyText(file, 'certificateChain'), file));
    return { method: 'certificate', anchors };
  }
  // The keyless rules are the verify gate's (an identity and an issuer, regexps that compile).
  const policy = identityPolicyOf(parseTrustOptions(flags));
  if (flags.offline && flags.trustedRoot !== undefined)
    throw new UsageError('pass --offline or --trusted-root, not both');
  const trustedRoot = flags.offline
    ? seededTrustedRoot()
    : await loadTrustedRoot(flags.trustedRoot !== undefined ? { file: flags.trustedRoot } : {});
  return {
    method: 'sigstore',
    check: sigstoreCheck(policy, {
      trustedRoot,
      ignoreTlog: flags.insecureIgnoreTlog ?? false,
      ignoreSct: flags.insecureIgnoreSct ?? false,
    }),
  };
}

function report(
  head: Record<string, string>,
  result: OmsVerification,
  json: boolean | undefined,
  line: () => string,
): void {
  if (json) printJson(result.ok ? { ...head, ...result, statement: undefined } : { ...head, ...result });
  if (!result.ok)
    throw result.reason === 'changed' || result.reason === 'bad-signature'
      ? new IntegrityError(result.message)
      : new BentoError(result.message);
  if (!json) info(line());
}
