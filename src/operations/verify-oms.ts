/**
 * `verify` of an OpenSSF Model Signing (OMS v1.0) signature: a signature file over a plain model
 * file or directory (what `model_signing verify` does), or the one beside a stored entry. Whom to
 * trust is one of model_signing's three methods: a key (`pub`), certificate trust anchors
 * (`certificateChain`), or a Sigstore keyless signer (the trust options of trust.ts; `offline` uses
 * the trusted root @sigstore/tuf ships instead of fetching it).
 */
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { z } from 'zod';
import { IntegrityError, OptionError, UsageError } from '../core/errors.js';
import { formatTag } from '../core/tag.js';
import { option, say } from '../core/user-text.js';
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
import { optionIssue, parseOptions } from './options.js';
import { findEntry } from './targets.js';
import { checkTrust, identityPolicyOf, isKeyless, trustShape } from './trust.js';
import type { Checked } from './verify.js';

const list = z.array(z.string().min(1)).optional();

/** The options only an OMS check reads (with the trust options of trust.ts). */
const OMS_ONLY = ['certificateChain', 'ignorePaths', 'offline'] as const;

export const verifyOmsSchema = z
  .object({
    ...trustShape,
    kind: z.string().optional(),
    format: z.enum(['bentoci', 'oms'], { error: 'expected bentoci (the default) or oms' }).default('bentoci'),
    signature: z.string().min(1, 'expected a file').optional(),
    certificateChain: list,
    ignorePaths: list,
    /** false: hash .git, .gitattributes, .github, .gitignore at the model root too (`noIgnoreGitPaths`). */
    ignoreGitPaths: z.boolean().default(true),
    offline: z.boolean().optional(),
  })
  .superRefine((values, ctx) => {
    checkTrust(values, ctx);
    const methods = [
      values.pub !== undefined && 'pub',
      values.certificateChain !== undefined && 'certificateChain',
      (isKeyless(values) || values.offline) && 'certificateIdentity',
    ].filter((m): m is string => typeof m === 'string');
    if (methods.length === 0)
      optionIssue(
        ctx,
        'pub',
        say`OMS verification needs whom to trust: ${option('pub', 'KEY')} (key), ${option('certificateChain', 'PEM')} (certificate) or ${option('certificateIdentity')} and ${option('certificateOidcIssuer')} (Sigstore)`,
      );
    if (methods.length > 1)
      optionIssue(
        ctx,
        methods[1]!,
        say`pass one of ${option(methods[0]!)} and ${option(methods[1]!)}, not both: one way to trust the signer`,
      );
    if (
      values.offline &&
      values.pub === undefined &&
      values.certificateChain === undefined &&
      !isKeyless(values)
    )
      optionIssue(
        ctx,
        'certificateIdentity',
        say`${option('offline')} is for Sigstore signatures: set ${option('certificateIdentity')} and ${option('certificateOidcIssuer')} too`,
      );
    if (values.offline && values.trustedRoot !== undefined)
      optionIssue(ctx, 'offline', say`pass ${option('offline')} or ${option('trustedRoot')}, not both`);
    if (values.signature === undefined && (values.ignorePaths?.length || !values.ignoreGitPaths))
      optionIssue(
        ctx,
        values.ignorePaths?.length ? 'ignorePaths' : 'noIgnoreGitPaths',
        say`${option('ignorePaths')} and ${option('noIgnoreGitPaths')} are for ${option('signature', 'FILE')}; a stored entry records its own`,
      );
  });

/**
 * Whether the options ask for an OMS check (a signature file, or the OMS format of a stored entry);
 * an OMS-only option without either is a mistake worth saying.
 */
export function isOmsVerify(values: {
  signature?: string | undefined;
  format?: string | undefined;
  certificateChain?: string[] | undefined;
  ignorePaths?: string[] | undefined;
  ignoreGitPaths?: boolean | undefined;
  offline?: boolean | undefined;
}): boolean {
  if (values.format !== undefined && values.format !== 'bentoci' && values.format !== 'oms')
    throw new OptionError(
      'format',
      say`invalid ${option('format')} "${values.format}": expected bentoci (the default) or oms (OpenSSF model signing v1.0)`,
    );
  if (values.signature !== undefined || values.format === 'oms') return true;
  const omsOnly =
    OMS_ONLY.find((key) => values[key] !== undefined) ??
    (values.ignoreGitPaths === false ? 'noIgnoreGitPaths' : undefined);
  if (omsOnly !== undefined)
    throw new OptionError(
      omsOnly,
      say`${option(omsOnly)} is for OMS signatures: add ${option('signature', 'FILE')} (a model path) or ${option('format', 'oms')} (a stored entry)`,
    );
  return false;
}

/** Checks the OMS signature of a stored entry (`text` a tag) or of a model path (`text`, with `signature`). */
export async function verifyOms(text: string, values: unknown): Promise<Checked<OmsVerification>> {
  const options = parseOptions(verifyOmsSchema, values);
  if (options.signature === undefined) {
    const { store, entry } = await findEntry(text, options.kind);
    const result = await verifyEntryOms(store, entry, await omsTrustOf(options));
    const what = `${store.kind.noun} ${formatTag(entry.tag)}`;
    return {
      head: { tag: formatTag(entry.tag), kind: store.kind.noun, format: 'oms' },
      result,
      ...(result.ok
        ? {
            summary: `verified ${what}: ${result.files} files match the OMS signature (signed by ${result.signer})`,
          }
        : {}),
    };
  }
  const modelPath = resolve(text);
  if (!(await stat(modelPath).catch(() => undefined)))
    throw new UsageError(
      say`${text} is not a file or directory: ${option('signature')} checks the model at that path`,
    );
  const json = await readSignature(options.signature);
  const result = await verifyOmsSignature(modelPath, json, await omsTrustOf(options), {
    where: options.signature,
    signatureFile: resolve(options.signature),
    ignorePaths: (options.ignorePaths ?? []).map((p) => ignorePathOf(p, modelPath)),
    ignoreGitPaths: options.ignoreGitPaths,
  });
  const ignored =
    result.ok && result.ignorePaths.length ? `; ignored as signed: ${result.ignorePaths.join(', ')}` : '';
  return {
    head: { model: text, signature: options.signature, format: 'oms' },
    result,
    ...(result.ok
      ? {
          summary: `verified ${text}: ${result.files} files match ${options.signature} (OMS v1.0, signed by ${result.signer}${ignored})`,
        }
      : {}),
  };
}

/** model_signing takes ignore paths relative to the current directory; one outside the model is taken relative to the model. */
function ignorePathOf(path: string, modelPath: string): string {
  const fromCwd = resolve(path);
  if (fromCwd === modelPath || fromCwd.startsWith(`${modelPath}/`)) return fromCwd;
  return resolve(modelPath, path);
}

async function readSignature(file: string): Promise<unknown> {
  const info = await stat(file).catch(() => undefined);
  if (!info?.isFile())
    throw new OptionError('signature', say`${option('signature')} "${file}": no such file`);
  if (info.size > MAX_SIGNATURE_BYTES)
    throw new OptionError(
      'signature',
      say`${option('signature')} "${file}" is ${info.size} bytes; an OMS signature is at most ${MAX_SIGNATURE_BYTES}`,
    );
  try {
    return JSON.parse(await readFile(file, 'utf8'));
  } catch {
    throw new IntegrityError(
      say`${option('signature')} "${file}" is not JSON (expected a Sigstore bundle, as model_signing writes)`,
    );
  }
}

/** The one trust method the checked options name, as model_signing's `verify key|certificate|sigstore`. */
async function omsTrustOf(options: z.output<typeof verifyOmsSchema>): Promise<OmsTrust> {
  if (options.pub !== undefined)
    return {
      method: 'key',
      publicKey: parseOmsPublicKey(await readKeyText(options.pub, 'pub'), options.pub),
    };
  if (options.certificateChain !== undefined) {
    const anchors = [];
    for (const file of options.certificateChain)
      anchors.push(...parseTrustAnchors(await readKeyText(file, 'certificateChain'), file));
    return { method: 'certificate', anchors };
  }
  const trustedRoot = options.offline
    ? seededTrustedRoot()
    : await loadTrustedRoot(options.trustedRoot !== undefined ? { file: options.trustedRoot } : {});
  return {
    method: 'sigstore',
    check: sigstoreCheck(identityPolicyOf(options), {
      trustedRoot,
      ignoreTlog: options.insecureIgnoreTlog ?? false,
      ignoreSct: options.insecureIgnoreSct ?? false,
    }),
  };
}
