/**
 * The verify gate that containerize, push, pull, serve and canary call before they act:
 * `off` skips, `warn` logs a failed or impossible check and continues, `require` throws (exit 1)
 * so nothing is built, pushed, or served from an unsigned or altered artifact. It trusts a public
 * key, or a keyless signer (an OIDC identity and issuer, certified by the trusted root's Fulcio).
 */
import { z } from 'zod';
import { BentoError, OptionError } from '../core/errors.js';
import type { EntryInfo, EntryStore, StoredEntry } from '../core/store.js';
import { formatTag } from '../core/tag.js';
import { option, say, type UserText } from '../core/user-text.js';
import { verifyEntry } from './entries/verify.js';
import { verifyEntryKeyless } from './entries/verify-keyless.js';
import { type FailureText, failureText } from './failures.js';
import { verifyImage } from './images/verify.js';
import { verifyImageKeyless } from './images/verify-keyless.js';
import { loadTrustedRoot } from './keyless/trusted-root.js';
import { compileIdentityPolicy, type IdentityPolicy, type KeylessVerifyOptions } from './keyless/verify.js';
import { loadVerifier } from './keys/key-files.js';
import type { Verifier } from './keys/signer.js';
import type { SignatureRegistry } from './registry/signature-registry.js';
import { formatImageRef, type ImageRef } from './target.js';

export const verifyPolicySchema = z.enum(['off', 'warn', 'require']);
export type VerifyPolicy = z.infer<typeof verifyPolicySchema>;

/** `key`: the option the policy came from, for the message. */
export function parseVerifyPolicy(text: string, key = 'verify'): VerifyPolicy {
  const parsed = verifyPolicySchema.safeParse(text);
  if (!parsed.success)
    throw new OptionError(key, say`invalid ${option(key)} "${text}": expected off, warn or require`);
  return parsed.data;
}

export type VerifyTarget =
  | { type: 'entry'; store: EntryStore<EntryInfo>; entry: StoredEntry<EntryInfo> }
  | { type: 'image'; registry: SignatureRegistry; ref: ImageRef };

/** A keyless signer to accept: cosign's identity policy and the Sigstore trust to check it with. */
export interface KeylessTrust {
  identity: IdentityPolicy;
  options: KeylessVerifyOptions;
}

/**
 * The keyless signer to trust, built from cosign's identity policy (checked first, so a bad regexp is
 * a usage error before anything is fetched) and the Sigstore trusted root (a file, else via TUF).
 */
export async function keylessTrust(
  identity: IdentityPolicy,
  options: { trustedRootFile?: string | undefined; ignoreTlog?: boolean; ignoreSct?: boolean } = {},
): Promise<KeylessTrust> {
  compileIdentityPolicy(identity);
  const trustedRoot = await loadTrustedRoot(
    options.trustedRootFile !== undefined ? { file: options.trustedRootFile } : {},
  );
  return {
    identity,
    options: { trustedRoot, ignoreTlog: options.ignoreTlog ?? false, ignoreSct: options.ignoreSct ?? false },
  };
}

/** A Verifier, a key spec (path or env://NAME), or a keyless signer. */
export type VerifyTrust = Verifier | string | KeylessTrust;

export type PolicyOutcome =
  | { status: 'skipped' }
  /** `by`: "key <keyid>" or "<identity> (issuer <issuer>)". */
  | { status: 'verified'; by: string }
  /** Only under `warn`: the check failed or could not run, and the caller goes on. */
  | ({ status: 'warned' } & FailureText);

export interface EnforceOptions {
  /** Where a warning goes (stderr unless given); `text` keeps the options it names as references. */
  warn?: (message: string, text?: UserText) => void;
  /** The option the policy came from (`verify` unless said), for messages. */
  key?: string;
}

/** Under `require` a missing trust is a usage error: a gate that cannot check must not pass. */
export async function enforceVerifyPolicy(
  policy: VerifyPolicy,
  target: VerifyTarget,
  trust: VerifyTrust | undefined,
  options: EnforceOptions = {},
): Promise<PolicyOutcome> {
  if (policy === 'off') return { status: 'skipped' };
  const warn = options.warn ?? ((m: string) => process.stderr.write(`warning: ${m}\n`));
  const key = options.key ?? 'verify';
  const name = describe(target);

  if (trust === undefined) {
    if (policy === 'require')
      throw new OptionError(
        key,
        say`${option(key, 'require')} needs a public key (${option('pub', 'PATH')} or env://NAME) or a keyless signer (${option('certificateIdentity')} and ${option('certificateOidcIssuer')})`,
      );
    const message = `${name} was not verified: no public key or keyless identity given`;
    warn(message);
    return { status: 'warned', message };
  }
  let result: { ok: true; by: string } | ({ ok: false } & FailureText);
  try {
    result = await check(target, typeof trust === 'string' ? await loadVerifier(trust) : trust);
  } catch (err) {
    // Under warn, a check that could not run (registry down, image gone) is reported, not fatal.
    if (policy === 'require' || !(err instanceof BentoError)) throw err;
    result = { ok: false, ...failureText(say`${name} could not be verified: ${err}`) };
  }
  if (result.ok) return { status: 'verified', by: result.by };
  if (policy === 'require')
    throw new BentoError(say`${option(key, 'require')}: ${result.text ?? result.message}`);
  warn(result.message, result.text);
  return { status: 'warned', ...failureText(result.text ?? result.message) };
}

async function check(
  target: VerifyTarget,
  trust: Verifier | KeylessTrust,
): Promise<{ ok: true; by: string } | ({ ok: false } & FailureText)> {
  if ('identity' in trust) {
    const result =
      target.type === 'entry'
        ? await verifyEntryKeyless(target.store, target.entry, trust.identity, trust.options)
        : await verifyImageKeyless(target.registry, target.ref, trust.identity, trust.options);
    return result.ok
      ? { ok: true, by: `${result.signer.identity} (issuer ${result.signer.issuer})` }
      : result;
  }
  const result =
    target.type === 'entry'
      ? await verifyEntry(target.store, target.entry, trust)
      : await verifyImage(target.registry, target.ref, trust);
  return result.ok ? { ok: true, by: `key ${trust.keyid.slice(0, 12)}` } : result;
}

function describe(target: VerifyTarget): string {
  return target.type === 'entry'
    ? `${target.store.kind.noun} ${formatTag(target.entry.tag)}`
    : `image ${formatImageRef(target.ref)}`;
}
