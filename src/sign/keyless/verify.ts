/**
 * Verifying keyless signatures. `checkBundle` is the part every keyless signature shares (store
 * entries, images, attestations and OMS signatures use it): the bundle must chain to a Fulcio CA of
 * the trusted root at a trusted time (its Rekor entry's), be logged (unless told otherwise), and carry
 * the expected OIDC identity and issuer in its certificate. What the signature covers is the caller's
 * to check (entries/verify-keyless.ts, images/verify-keyless.ts). @sigstore/verify does the
 * cryptography; the identity policy is ours, so failures can say which part broke.
 */
import { type Bundle, bundleFromJSON } from '@sigstore/bundle';
import type { TrustedRoot } from '@sigstore/protobuf-specs';
import { type SignedEntity, type Signer, toSignedEntity, toTrustMaterial, Verifier } from '@sigstore/verify';
import { OptionError } from '../../core/errors.js';
import { option, say, type UserText } from '../../core/user-text.js';
import { failureText } from '../failures.js';
import { describeSigstoreError } from './sigstore-errors.js';

/**
 * cosign's certificate identity and OIDC issuer, each exact or a regular expression: the options
 * `certificateIdentity[Regexp]` and `certificateOidcIssuer[Regexp]`.
 */
export interface IdentityPolicy {
  identity?: string;
  identityRegexp?: string;
  issuer?: string;
  issuerRegexp?: string;
}

export interface KeylessVerifyOptions {
  trustedRoot: TrustedRoot;
  /**
   * Accept bundles without a Rekor entry (cosign's insecure-ignore-tlog). Without a log entry
   * nothing attests when the short-lived certificate was used, so it is checked at `now` instead,
   * as cosign does: such a bundle verifies only while its certificate is valid.
   */
  ignoreTlog?: boolean;
  /** Accept certificates without an embedded SCT (cosign's insecure-ignore-sct). */
  ignoreSct?: boolean;
  now?: Date;
}

export interface KeylessIdentity {
  /** The certificate's subject alternative name: a workflow URL, an email, ... */
  identity: string;
  issuer: string;
}

/** Checks the policy itself before anything is read, so a usage mistake is a usage error. */
export function compileIdentityPolicy(policy: IdentityPolicy): {
  identity: (value: string) => boolean;
  issuer: (value: string) => boolean;
  describe: string;
} {
  /** `key`: the option of the exact value; the regexp's is `${key}Regexp`. */
  const one = (exact: string | undefined, regexp: string | undefined, key: string, which: string) => {
    const regexpKey = `${key}Regexp`;
    if (exact !== undefined && regexp !== undefined)
      throw new OptionError(regexpKey, say`pass ${option(key)} or ${option(regexpKey)}, not both`);
    if (exact !== undefined) return { test: (v: string) => v === exact, text: `"${exact}"` };
    if (regexp === undefined)
      throw new OptionError(
        key,
        say`keyless verification needs ${option(key)} (or ${option(regexpKey)}): which ${which} to accept`,
      );
    let re: RegExp;
    try {
      re = new RegExp(regexp);
    } catch (err) {
      throw new OptionError(
        regexpKey,
        say`${option(regexpKey)} "${regexp}" is not a valid regular expression (${(err as Error).message})`,
      );
    }
    return { test: (v: string) => re.test(v), text: `/${regexp}/` };
  };
  const identity = one(
    policy.identity,
    policy.identityRegexp,
    'certificateIdentity',
    'signer identity (e.g. https://github.com/ORG/REPO/.github/workflows/release.yml@refs/heads/main)',
  );
  const issuer = one(
    policy.issuer,
    policy.issuerRegexp,
    'certificateOidcIssuer',
    'OIDC issuer (e.g. https://token.actions.githubusercontent.com)',
  );
  return {
    identity: identity.test,
    issuer: issuer.test,
    describe: `identity ${identity.text} from issuer ${issuer.text}`,
  };
}

/** What every keyless check needs, built once per verification: the trust material and the policy. */
export interface SigstoreCheck {
  verifier: Verifier;
  accept: ReturnType<typeof compileIdentityPolicy>;
  ignoreTlog: boolean;
  now: Date;
}

export function sigstoreCheck(policy: IdentityPolicy, options: KeylessVerifyOptions): SigstoreCheck {
  const accept = compileIdentityPolicy(policy);
  const verifier = new Verifier(toTrustMaterial(options.trustedRoot), {
    tlogThreshold: options.ignoreTlog ? 0 : 1,
    ctlogThreshold: options.ignoreSct ? 0 : 1,
    // The trusted time comes from the Rekor entry (or, with ignoreTlog, from `now`, below).
    timestampThreshold: 1,
  });
  return { verifier, accept, ignoreTlog: options.ignoreTlog ?? false, now: options.now ?? new Date() };
}

export type BundleCheck =
  | { ok: true; bundle: Bundle; signer: KeylessIdentity; logged: boolean }
  | { ok: false; reason: 'malformed' | 'untrusted' | 'wrong-identity'; message: string; text?: UserText };

/**
 * One bundle, `where` it was found: it must be a bundle of the `content` kind, chain to the trusted
 * root at a trusted time, be logged (unless the check ignores the log), hold a signature that
 * verifies (over `artifact` for a message signature), and name an accepted identity. What the
 * signature covers is the caller's to check.
 */
export function checkBundle(
  json: unknown,
  content: 'dsseEnvelope' | 'messageSignature',
  artifact: Buffer | undefined,
  check: SigstoreCheck,
  where: string,
): BundleCheck {
  let bundle: Bundle;
  try {
    bundle = bundleFromJSON(json);
  } catch (err) {
    return {
      ok: false,
      reason: 'malformed',
      message: `${where} is not a valid Sigstore bundle (${(err as Error).message})`,
    };
  }
  if (bundle.content.$case !== content)
    return {
      ok: false,
      reason: 'malformed',
      message: `${where} holds no ${content === 'dsseEnvelope' ? 'DSSE envelope' : 'message signature'}`,
    };
  let signer: Signer;
  let logged: boolean;
  try {
    const entity = toSignedEntity(bundle, artifact);
    logged = entity.tlogEntries.length > 0;
    if (!logged && !check.ignoreTlog)
      return {
        ok: false,
        reason: 'untrusted',
        ...failureText(
          say`${where} has no transparency-log entry (signed without the log), so nothing proves when its certificate was used; pass ${option('insecureIgnoreTlog')} to check the certificate at the current time instead`,
        ),
      };
    signer = check.verifier.verify(entity.timestamps.length > 0 ? entity : atTime(entity, check.now));
  } catch (err) {
    return {
      ok: false,
      reason: 'untrusted',
      message: `${where} does not verify against the trusted root (${describeSigstoreError(err, '')})`,
    };
  }
  const identity = signer.identity?.subjectAlternativeName ?? '';
  const issuer = signer.identity?.extensions?.issuer ?? '';
  if (!check.accept.identity(identity) || !check.accept.issuer(issuer))
    return {
      ok: false,
      reason: 'wrong-identity',
      message: `${where} is signed by "${identity}" (issuer ${issuer || 'unknown'}), not by the expected ${check.accept.describe}`,
    };
  return { ok: true, bundle, signer: { identity, issuer }, logged };
}

/**
 * A bundle without a log entry has no timestamp, and @sigstore/verify checks the certificate chain
 * only at the timestamps it is given (with none it would not check the chain at all). So the check
 * time is supplied as a timestamp the verifier trusts, in the shape of a log entry's promise; it is
 * only used as a time, never counted as a log entry (those come from `tlogEntries`).
 */
function atTime(entity: SignedEntity, now: Date): SignedEntity {
  const tlogEntry = {
    logIndex: '0',
    logId: { keyId: Buffer.from('bentoci: verification time') },
    integratedTime: String(Math.floor(now.getTime() / 1000)),
    inclusionPromise: { signedEntryTimestamp: Buffer.alloc(0) },
  } as unknown as Extract<SignedEntity['timestamps'][number], { $case: 'transparency-log' }>['tlogEntry'];
  return { ...entity, timestamps: [...entity.timestamps, { $case: 'transparency-log', tlogEntry }] };
}
