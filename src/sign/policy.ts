/**
 * The verify gate that containerize, push, pull, serve and canary call before they act:
 * `off` skips, `warn` logs a failed or impossible check and continues, `require` throws (exit 1)
 * so nothing is built, pushed, or served from an unsigned or altered artifact. It trusts a public
 * key, or a keyless signer (an OIDC identity and issuer, certified by the trusted root's Fulcio).
 */
import { z } from 'zod';
import { BentoError, UsageError } from '../core/errors.js';
import type { EntryInfo, EntryStore, StoredEntry } from '../core/store.js';
import { formatTag } from '../core/tag.js';
import {
  compileIdentityPolicy,
  type IdentityPolicy,
  type KeylessVerifyOptions,
  verifyEntryKeyless,
} from './keyless-verify.js';
import { loadVerifier, type Verifier } from './keys.js';
import type { SignatureRegistry } from './registry.js';
import { formatImageRef, type ImageRef } from './target.js';
import { loadTrustedRoot } from './trusted-root.js';
import { verifyEntry } from './verify-entry.js';
import { verifyImage } from './verify-image.js';
import { verifyImageKeyless } from './verify-image-keyless.js';

export const verifyPolicySchema = z.enum(['off', 'warn', 'require']);
export type VerifyPolicy = z.infer<typeof verifyPolicySchema>;

export function parseVerifyPolicy(text: string, flag = '--verify'): VerifyPolicy {
  const parsed = verifyPolicySchema.safeParse(text);
  if (!parsed.success) throw new UsageError(`invalid ${flag} "${text}": expected off, warn or require`);
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
  | { status: 'warned'; message: string };

/** Under `require` a missing trust is a usage error: a gate that cannot check must not pass. */
export async function enforceVerifyPolicy(
  policy: VerifyPolicy,
  target: VerifyTarget,
  trust: VerifyTrust | undefined,
  options: { warn?: (message: string) => void; flag?: string } = {},
): Promise<PolicyOutcome> {
  if (policy === 'off') return { status: 'skipped' };
  const warn = options.warn ?? ((m: string) => process.stderr.write(`warning: ${m}\n`));
  const flag = options.flag ?? '--verify';
  const name = describe(target);

  if (trust === undefined) {
    if (policy === 'require')
      throw new UsageError(
        `${flag} require needs a public key (--pub PATH or env://NAME) or a keyless signer (--certificate-identity and --certificate-oidc-issuer)`,
      );
    const message = `${name} was not verified: no --pub key or keyless identity given`;
    warn(message);
    return { status: 'warned', message };
  }
  let result: { ok: true; by: string } | { ok: false; message: string };
  try {
    result = await check(target, typeof trust === 'string' ? await loadVerifier(trust) : trust);
  } catch (err) {
    // Under warn, a check that could not run (registry down, image gone) is reported, not fatal.
    if (policy === 'require' || !(err instanceof BentoError)) throw err;
    result = { ok: false, message: `${name} could not be verified: ${err.message}` };
  }
  if (result.ok) return { status: 'verified', by: result.by };
  if (policy === 'require') throw new BentoError(`${flag} require: ${result.message}`);
  warn(result.message);
  return { status: 'warned', message: result.message };
}

async function check(
  target: VerifyTarget,
  trust: Verifier | KeylessTrust,
): Promise<{ ok: true; by: string } | { ok: false; message: string }> {
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
