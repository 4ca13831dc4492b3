/**
 * Verifying keyless signatures. `checkBundle` is the part every keyless signature shares (images use
 * it too, see verify-image-keyless.ts): the bundle must chain to a Fulcio CA of the trusted root at a
 * trusted time (its Rekor entry's), be logged (unless told otherwise), and carry the expected OIDC
 * identity and issuer in its certificate. For a store entry, some bundle beside it must also hold a
 * statement that names this entry and lists exactly the files on disk now. @sigstore/verify does the
 * cryptography; the identity policy and the entry checks are ours, so failures can say which part broke.
 */
import { type Bundle, bundleFromJSON } from '@sigstore/bundle';
import type { TrustedRoot } from '@sigstore/protobuf-specs';
import { type SignedEntity, type Signer, toSignedEntity, toTrustMaterial, Verifier } from '@sigstore/verify';
import { UsageError } from '../core/errors.js';
import { type EntryInfo, type EntryStore, SIGNATURES_DIR, type StoredEntry } from '../core/store.js';
import { formatTag } from '../core/tag.js';
import { readEntryBundles } from './entry-bundles.js';
import type { EntryStatement } from './formats.js';
import { describeSigstoreError } from './keyless.js';
import { subjectsOnDisk } from './statement.js';
import { matchStatement, mostTelling, type StatementMismatch } from './verify-entry.js';

/** cosign's `--certificate-identity[-regexp]` and `--certificate-oidc-issuer[-regexp]`. */
export interface IdentityPolicy {
  identity?: string;
  identityRegexp?: string;
  issuer?: string;
  issuerRegexp?: string;
}

export interface KeylessVerifyOptions {
  trustedRoot: TrustedRoot;
  /**
   * Accept bundles without a Rekor entry (cosign's `--insecure-ignore-tlog`). Without a log entry
   * nothing attests when the short-lived certificate was used, so it is checked at `now` instead,
   * as cosign does: such a bundle verifies only while its certificate is valid.
   */
  ignoreTlog?: boolean;
  /** Accept certificates without an embedded SCT (cosign's `--insecure-ignore-sct`). */
  ignoreSct?: boolean;
  now?: Date;
}

export interface KeylessIdentity {
  /** The certificate's subject alternative name: a workflow URL, an email, ... */
  identity: string;
  issuer: string;
}

export type KeylessVerification =
  | { ok: true; file: string; signer: KeylessIdentity; logged: boolean; statement: EntryStatement }
  | (
      | {
          ok: false;
          reason: 'unsigned' | 'malformed' | 'untrusted' | 'wrong-identity';
          message: string;
        }
      | StatementMismatch
    );

type Failure = Exclude<KeylessVerification, { ok: true }>;

/** Checks the policy itself before anything is read, so a usage mistake is a usage error. */
export function compileIdentityPolicy(policy: IdentityPolicy): {
  identity: (value: string) => boolean;
  issuer: (value: string) => boolean;
  describe: string;
} {
  const one = (exact: string | undefined, regexp: string | undefined, flag: string) => {
    if (exact !== undefined && regexp !== undefined)
      throw new UsageError(`pass --${flag} or --${flag}-regexp, not both`);
    if (exact !== undefined) return { test: (v: string) => v === exact, text: `"${exact}"` };
    if (regexp === undefined)
      throw new UsageError(
        `keyless verification needs --${flag} (or --${flag}-regexp): which ${flag === 'certificate-identity' ? 'signer identity (e.g. https://github.com/ORG/REPO/.github/workflows/release.yml@refs/heads/main)' : 'OIDC issuer (e.g. https://token.actions.githubusercontent.com)'} to accept`,
      );
    let re: RegExp;
    try {
      re = new RegExp(regexp);
    } catch (err) {
      throw new UsageError(
        `--${flag}-regexp "${regexp}" is not a valid regular expression (${(err as Error).message})`,
      );
    }
    return { test: (v: string) => re.test(v), text: `/${regexp}/` };
  };
  const identity = one(policy.identity, policy.identityRegexp, 'certificate-identity');
  const issuer = one(policy.issuer, policy.issuerRegexp, 'certificate-oidc-issuer');
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
  | { ok: false; reason: 'malformed' | 'untrusted' | 'wrong-identity'; message: string };

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
        message: `${where} has no transparency-log entry (signed with --no-tlog), so nothing proves when its certificate was used; pass --insecure-ignore-tlog to check the certificate at the current time instead`,
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

export async function verifyEntryKeyless<I extends EntryInfo>(
  store: EntryStore<I>,
  entry: StoredEntry<I>,
  policy: IdentityPolicy,
  options: KeylessVerifyOptions,
): Promise<KeylessVerification> {
  const check = sigstoreCheck(policy, options);
  const what = `${store.kind.noun} ${formatTag(entry.tag)}`;
  const { bundles, malformed } = await readEntryBundles(entry.dir);
  if (bundles.length === 0) {
    if (malformed.length > 0)
      return {
        ok: false,
        reason: 'malformed',
        message: `${what}: ${SIGNATURES_DIR}/${malformed[0]} is not a Sigstore bundle`,
      };
    return {
      ok: false,
      reason: 'unsigned',
      message: `${what} has no keyless signature (no *.sigstore.json in ${SIGNATURES_DIR}); sign it with \`bentoci sign ${formatTag(entry.tag)} --keyless\``,
    };
  }

  const failures: Failure[] = [];
  let actual: ReturnType<typeof subjectsOnDisk> | undefined;
  for (const { file, bundle: json } of bundles) {
    const checked = checkBundle(json, 'dsseEnvelope', undefined, check, `${SIGNATURES_DIR}/${file}`);
    if (!checked.ok) {
      failures.push({ ...checked, message: `${what}: ${checked.message}` });
      continue;
    }
    if (checked.bundle.content.$case !== 'dsseEnvelope') continue;
    const envelope = checked.bundle.content.dsseEnvelope;
    const matched = await matchStatement(store, entry, file, envelope.payload, envelope.payloadType, () => {
      actual ??= subjectsOnDisk(store, entry.dir);
      return actual;
    });
    if (!matched.ok) {
      failures.push(matched);
      continue;
    }
    return { ok: true, file, signer: checked.signer, logged: checked.logged, statement: matched.statement };
  }
  return mostTelling(failures)!;
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
