/**
 * The verify gate that containerize, push, pull, serve and canary call before they act:
 * `off` skips, `warn` logs a failed or impossible check and continues, `require` throws (exit 1)
 * so nothing is built, pushed, or served from an unsigned or altered artifact.
 */
import { z } from 'zod';
import { BentoError, UsageError } from '../core/errors.js';
import type { EntryInfo, EntryStore, StoredEntry } from '../core/store.js';
import { formatTag } from '../core/tag.js';
import { loadVerifier, type Verifier } from './keys.js';
import type { SignatureRegistry } from './registry.js';
import { formatImageRef, type ImageRef } from './target.js';
import { verifyEntry } from './verify-entry.js';
import { verifyImage } from './verify-image.js';

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

export type PolicyOutcome =
  | { status: 'skipped' }
  | { status: 'verified'; keyid: string }
  /** Only under `warn`: the check failed or could not run, and the caller goes on. */
  | { status: 'warned'; message: string };

/**
 * `pub` is a Verifier, a key spec (path or env://NAME), or undefined. Under `require` a missing key
 * is a usage error: a gate that cannot check must not pass.
 */
export async function enforceVerifyPolicy(
  policy: VerifyPolicy,
  target: VerifyTarget,
  pub: Verifier | string | undefined,
  options: { warn?: (message: string) => void; flag?: string } = {},
): Promise<PolicyOutcome> {
  if (policy === 'off') return { status: 'skipped' };
  const warn = options.warn ?? ((m: string) => process.stderr.write(`warning: ${m}\n`));
  const flag = options.flag ?? '--verify';
  const name = describe(target);

  if (pub === undefined) {
    if (policy === 'require')
      throw new UsageError(`${flag} require needs a public key: pass --pub PATH or --pub env://NAME`);
    const message = `${name} was not verified: no --pub key given`;
    warn(message);
    return { status: 'warned', message };
  }
  const verifier = typeof pub === 'string' ? await loadVerifier(pub) : pub;
  let result: { ok: true } | { ok: false; message: string };
  try {
    result =
      target.type === 'entry'
        ? await verifyEntry(target.store, target.entry, verifier)
        : await verifyImage(target.registry, target.ref, verifier);
  } catch (err) {
    // Under warn, a check that could not run (registry down, image gone) is reported, not fatal.
    if (policy === 'require' || !(err instanceof BentoError)) throw err;
    result = { ok: false, message: `${name} could not be verified: ${err.message}` };
  }
  if (result.ok) return { status: 'verified', keyid: verifier.keyid };
  if (policy === 'require') throw new BentoError(`${flag} require: ${result.message}`);
  warn(result.message);
  return { status: 'warned', message: result.message };
}

function describe(target: VerifyTarget): string {
  return target.type === 'entry'
    ? `${target.store.kind.noun} ${formatTag(target.entry.tag)}`
    : `image ${formatImageRef(target.ref)}`;
}
